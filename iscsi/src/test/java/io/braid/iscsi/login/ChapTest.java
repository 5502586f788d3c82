package io.braid.iscsi.login;

import io.braid.iscsi.target.ChapCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ChapTest {
    private static final ChapCredentials INITIATOR = new ChapCredentials("alice", "secretsecret");
    private static final ChapCredentials TARGET = new ChapCredentials("braid-target", "targetsecret1");
    private static final byte[] CHALLENGE_0_TO_15 = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] CHALLENGE_A0_TO_BF = HexFormat.of().parseHex(
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");

    private static Map<String, String> map(List<KeyValue> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        pairs.forEach(kv -> m.put(kv.key(), kv.value()));
        return m;
    }

    private static Map<String, String> map(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    // Expected digests computed independently with python3:
    //   h = hashlib.new(name); h.update(bytes([1])); h.update(b'secretsecret'); h.update(bytes(range(16)))
    // and cross-checked for MD5 and SHA-256 with
    //   printf '\x01secretsecret' > v.bin; python3 -c '...bytes(range(16))' >> v.bin; openssl dgst -md5 v.bin
    @Test
    void knownVectors() {
        assertThat(HexFormat.of().formatHex(ChapAlgorithm.MD5.response(1, "secretsecret", CHALLENGE_0_TO_15)))
                .isEqualTo("226dc576c33f04ff9c3a200ffe35f442");
        assertThat(HexFormat.of().formatHex(ChapAlgorithm.SHA1.response(1, "secretsecret", CHALLENGE_0_TO_15)))
                .isEqualTo("ae35ac1694de2cf7e68e790fbface9a28501fed7");
        assertThat(HexFormat.of().formatHex(ChapAlgorithm.SHA256.response(1, "secretsecret", CHALLENGE_0_TO_15)))
                .isEqualTo("024aef34e176668b34ec2bf7f5525e3bf7f0e94d7cec77cb07d08c3d5a8e23ca");
        assertThat(HexFormat.of().formatHex(ChapAlgorithm.SHA3_256.response(1, "secretsecret", CHALLENGE_0_TO_15)))
                .isEqualTo("e2bd0aba5f885a39aa4fbebccc63203c2f728f034cbaf009b44c2f0c5544f172");
        // python3: hashlib.md5(bytes([7]) + 'gehéim-ß'.encode() + bytes.fromhex('deadbeef')).hexdigest()
        assertThat(HexFormat.of().formatHex(ChapAlgorithm.MD5.response(7, "gehéim-ß", HexFormat.of().parseHex("deadbeef"))))
                .isEqualTo("8a9ad3cc4611753a01418850dfae8d34");
    }

    @Test
    void algorithmNumbers() {
        assertThat(ChapAlgorithm.of(5)).isEqualTo(ChapAlgorithm.MD5);
        assertThat(ChapAlgorithm.of(6)).isEqualTo(ChapAlgorithm.SHA1);
        assertThat(ChapAlgorithm.of(7)).isEqualTo(ChapAlgorithm.SHA256);
        assertThat(ChapAlgorithm.of(8)).isEqualTo(ChapAlgorithm.SHA3_256);
        assertThat(ChapAlgorithm.of(4)).isNull();
        assertThat(ChapAlgorithm.MD5.challengeLength()).isEqualTo(16);
        assertThat(ChapAlgorithm.SHA1.challengeLength()).isEqualTo(20);
        assertThat(ChapAlgorithm.SHA256.challengeLength()).isEqualTo(32);
    }

    @Test
    void targetSendsAlgorithmIdentifierAndChallenge() {
        ChapAuthenticator auth = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        assertThat(auth.step(map("CHAP_A", "5"))).containsExactly(new KeyValue("CHAP_A", "5"),
                new KeyValue("CHAP_I", "1"), new KeyValue("CHAP_C", "0x000102030405060708090a0b0c0d0e0f"));
        assertThat(auth.state()).isEqualTo(ChapAuthenticator.State.AWAITING_RESPONSE);
    }

    @Test
    void oneWayChapWithTheKnownMd5Response() {
        ChapAuthenticator auth = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        auth.step(map("CHAP_A", "5"));
        assertThat(auth.step(map("CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442"))).isEmpty();
        assertThat(auth.succeeded()).isTrue();
        assertThat(auth.mutual()).isFalse();
        assertThat(auth.authenticatedUser()).isEqualTo("alice");
    }

    @Test
    void responseMayBeBase64AndUpperCaseHex() {
        // python3: base64.b64encode(bytes.fromhex('226dc576c33f04ff9c3a200ffe35f442')) == b'Im3FdsM/BP+cOiAP/jX0Qg=='
        ChapAuthenticator b64 = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        b64.step(map("CHAP_A", "5"));
        b64.step(map("CHAP_N", "alice", "CHAP_R", "0bIm3FdsM/BP+cOiAP/jX0Qg=="));
        assertThat(b64.succeeded()).isTrue();
        ChapAuthenticator upper = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        upper.step(map("CHAP_A", "5"));
        upper.step(map("CHAP_N", "alice", "CHAP_R", "0X226DC576C33F04FF9C3A200FFE35F442"));
        assertThat(upper.succeeded()).isTrue();
    }

    @Test
    void targetChoosesTheFirstAlgorithmItSupportsInTheInitiatorsOrder() {
        ChapAuthenticator auth = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        assertThat(map(auth.step(map("CHAP_A", "9,129,7,5")))).containsEntry("CHAP_A", "7")
                .containsEntry("CHAP_C", "0x" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        // SHA-256 of identifier 1, the secret and the 32-byte challenge 00..1f (python3 hashlib)
        byte[] expected = ChapAlgorithm.SHA256.response(1, "secretsecret", HexFormat.of().parseHex(
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        auth.step(map("CHAP_N", "alice", "CHAP_R", BinaryValue.hex(expected)));
        assertThat(auth.algorithm()).isEqualTo(ChapAlgorithm.SHA256);
        assertThat(auth.succeeded()).isTrue();
    }

    @Test
    void mutualChapWithKnownVectors() {
        ChapAuthenticator auth = new ChapAuthenticator(INITIATOR, TARGET, FixedRandom.counting());
        auth.step(map("CHAP_A", "5"));
        List<KeyValue> answer = auth.step(map("CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442",
                "CHAP_I", "255", "CHAP_C", BinaryValue.hex(CHALLENGE_A0_TO_BF)));
        // python3: hashlib.md5(bytes([255]) + b'targetsecret1' + bytes(range(0xa0, 0xc0))).hexdigest()
        assertThat(answer).containsExactly(new KeyValue("CHAP_N", "braid-target"),
                new KeyValue("CHAP_R", "0xbcbb98f780d85e979f026142bb5d67f8"));
        assertThat(auth.mutual()).isTrue();
        assertThat(auth.succeeded()).isTrue();
    }

    private static LoginException chapFailure(ChapAuthenticator auth, String... response) {
        auth.step(map("CHAP_A", "5"));
        LoginException e = catchThrowableOfType(LoginException.class, () -> auth.step(map(response)));
        assertThat(e.status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        assertThat(auth.state()).isEqualTo(ChapAuthenticator.State.FAILED);
        assertThat(e.getMessage()).doesNotContain("secretsecret").doesNotContain("targetsecret1");
        return e;
    }

    @Test
    void wrongResponse() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, null, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f443"))
                .hasMessage("wrong CHAP response for user alice");
    }

    @Test
    void wrongUser() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, null, FixedRandom.counting()),
                "CHAP_N", "mallory", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442"))
                .hasMessage("unknown CHAP user name");
    }

    @Test
    void responseOfTheWrongLength() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, null, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f4"))
                .hasMessage("CHAP_R is 15 bytes; MD5 gives 16");
    }

    @Test
    void malformedResponse() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, null, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "226dc576c33f04ff9c3a200ffe35f442"))
                .hasMessage("CHAP_R: binary value must start with 0x or 0b");
    }

    @Test
    void missingResponse() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, null, FixedRandom.counting()), "CHAP_N", "alice"))
                .hasMessage("CHAP_N and CHAP_R are required, got [CHAP_N]");
    }

    @Test
    void reflectedChallengeIsRefused() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, TARGET, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442",
                "CHAP_I", "1", "CHAP_C", "0x000102030405060708090a0b0c0d0e0f"))
                .hasMessage("initiator's CHAP_C equals the target's challenge (reflection)");
    }

    @Test
    void sameSecretInBothDirectionsIsRefused() {
        ChapCredentials sameSecret = new ChapCredentials("braid-target", "secretsecret");
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, sameSecret, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442"))
                .hasMessage("the initiator's CHAP secret equals the target's; refusing to use one secret both ways");
    }

    @Test
    void mutualChapWithoutTargetCredentialsIsRefused() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, null, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442",
                "CHAP_I", "3", "CHAP_C", BinaryValue.hex(CHALLENGE_A0_TO_BF)))
                .hasMessage("initiator asked for mutual CHAP but the target has no CHAP credentials");
    }

    @Test
    void halfAMutualRequestIsRefused() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, TARGET, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442", "CHAP_I", "3"))
                .hasMessage("mutual CHAP needs both CHAP_I and CHAP_C");
    }

    @Test
    void mutualIdentifierOutOfRange() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, TARGET, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442",
                "CHAP_I", "256", "CHAP_C", BinaryValue.hex(CHALLENGE_A0_TO_BF)))
                .hasMessage("CHAP_I is not a number 0..255");
    }

    @Test
    void initiatorChallengeOver1024BytesIsRefused() {
        assertThat(chapFailure(new ChapAuthenticator(INITIATOR, TARGET, FixedRandom.counting()),
                "CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442",
                "CHAP_I", "3", "CHAP_C", "0x" + "ab".repeat(1025)))
                .hasMessage("CHAP_C is 1025 bytes; 1..1024 allowed");
    }

    @Test
    void unsupportedAlgorithms() {
        ChapAuthenticator auth = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        LoginException e = catchThrowableOfType(LoginException.class, () -> auth.step(map("CHAP_A", "128,129")));
        assertThat(e.status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        assertThat(e).hasMessage("none of the offered CHAP algorithms 128,129 is supported (5, 6, 7, 8)");
    }

    @Test
    void responseBeforeChallengeAndKeysAfterTheEnd() {
        ChapAuthenticator early = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        assertThat(catchThrowableOfType(LoginException.class, () -> early.step(map("CHAP_N", "alice"))))
                .hasMessage("expected CHAP_A, got [CHAP_N]");
        ChapAuthenticator done = new ChapAuthenticator(INITIATOR, null, FixedRandom.counting());
        done.step(map("CHAP_A", "5"));
        done.step(map("CHAP_N", "alice", "CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442"));
        assertThat(catchThrowableOfType(LoginException.class, () -> done.step(map("CHAP_A", "5"))))
                .hasMessage("CHAP keys after the CHAP exchange ended");
    }

    @ParameterizedTest
    @EnumSource(ChapAlgorithm.class)
    void responderAndAuthenticatorAgreeOneWay(ChapAlgorithm algorithm) {
        ChapAuthenticator target = new ChapAuthenticator(INITIATOR, null);
        ChapResponder initiator = new ChapResponder(INITIATOR, null, List.of(algorithm));
        assertThat(initiator.algorithmOffer().value()).isEqualTo(algorithm == ChapAlgorithm.MD5
                ? "5" : algorithm.number() + ",5");
        Map<String, String> challenge = map(target.step(Map.of("CHAP_A", initiator.algorithmOffer().value())));
        Map<String, String> response = map(initiator.respond(challenge));
        assertThat(response).containsOnlyKeys("CHAP_N", "CHAP_R");
        assertThat(target.step(response)).isEmpty();
        assertThat(target.succeeded()).isTrue();
        assertThat(initiator.state()).isEqualTo(ChapResponder.State.SUCCEEDED);
        assertThat(initiator.algorithm()).isEqualTo(algorithm);
    }

    @ParameterizedTest
    @EnumSource(ChapAlgorithm.class)
    void responderAndAuthenticatorAgreeMutual(ChapAlgorithm algorithm) {
        ChapAuthenticator target = new ChapAuthenticator(INITIATOR, TARGET);
        ChapResponder initiator = new ChapResponder(INITIATOR, TARGET, List.of(algorithm));
        Map<String, String> challenge = map(target.step(Map.of("CHAP_A", initiator.algorithmOffer().value())));
        Map<String, String> response = map(initiator.respond(challenge));
        assertThat(response).containsOnlyKeys("CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C");
        Map<String, String> proof = map(target.step(response));
        initiator.verifyTarget(proof);
        assertThat(initiator.state()).isEqualTo(ChapResponder.State.SUCCEEDED);
        assertThat(target.mutual()).isTrue();
    }

    @Test
    void responderRefusesATargetWithTheWrongSecret() {
        ChapCredentials impostor = new ChapCredentials("braid-target", "not-the-secret");
        ChapAuthenticator target = new ChapAuthenticator(INITIATOR, impostor);
        ChapResponder initiator = new ChapResponder(INITIATOR, TARGET, List.of());
        Map<String, String> response = map(initiator.respond(map(target.step(Map.of("CHAP_A", "5")))));
        Map<String, String> proof = map(target.step(response));
        LoginException e = catchThrowableOfType(LoginException.class, () -> initiator.verifyTarget(proof));
        assertThat(e).hasMessage("target's CHAP response is wrong");
        assertThat(initiator.state()).isEqualTo(ChapResponder.State.FAILED);
    }

    @Test
    void responderRefusesAnAlgorithmItDidNotOffer() {
        ChapResponder initiator = new ChapResponder(INITIATOR, null, List.of(ChapAlgorithm.MD5));
        LoginException e = catchThrowableOfType(LoginException.class, () -> initiator.respond(
                map("CHAP_A", "7", "CHAP_I", "1", "CHAP_C", "0x00112233")));
        assertThat(e).hasMessage("target chose CHAP_A=7, which was not offered");
    }

    @Test
    void responderComputesTheKnownVector() {
        ChapResponder initiator = new ChapResponder(INITIATOR, null, List.of());
        assertThat(initiator.respond(map("CHAP_A", "5", "CHAP_I", "1", "CHAP_C", "0x000102030405060708090a0b0c0d0e0f")))
                .containsExactly(new KeyValue("CHAP_N", "alice"), new KeyValue("CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442"));
    }

    @Test
    void responderStateIsChecked() {
        ChapResponder initiator = new ChapResponder(INITIATOR, null, List.of());
        assertThatThrownBy(() -> initiator.verifyTarget(Map.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void secretsAreMaskedInToString() {
        assertThat(INITIATOR.toString()).doesNotContain("secretsecret");
        assertThat(new KeyValue("CHAP_R", "0x1234").toString()).isEqualTo("CHAP_R=…");
        assertThat(new KeyValue("CHAP_A", "5").toString()).isEqualTo("CHAP_A=5");
    }
}
