package io.braid.iscsi.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class NegotiatorTest {
    private static final LoginStage OP = LoginStage.OPERATIONAL_NEGOTIATION;
    private static final LoginStage SEC = LoginStage.SECURITY_NEGOTIATION;

    /** Our server's limits: MRDSL 262144, MaxBurstLength 1 MiB, FirstBurstLength 64 KiB, MaxOutstandingR2T 4. */
    private static final TargetLimits LIMITS = new TargetLimits(262144, 1048576, 65536, 4, 1, 0,
            false, true, true, true, 2, 20, 1);

    private static Map<String, String> answers(Negotiator n, LoginStage stage, String... pairs) {
        Map<String, String> offers = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            offers.put(pairs[i], pairs[i + 1]);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : n.respond(offers, stage)) {
            out.put(kv.key(), kv.value());
        }
        return out;
    }

    private static String answer(String key, String value) {
        return answers(new Negotiator(LIMITS, SessionType.NORMAL), OP, key, value).get(key);
    }

    private static LoginException error(Negotiator n, LoginStage stage, String... pairs) {
        return catchThrowableOfType(LoginException.class, () -> answers(n, stage, pairs));
    }

    /** Each row: an initiator offer, and the answer RFC 7143 6.2 and 13 demand with our limits. */
    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "HeaderDigest        | CRC32C,None        | CRC32C",
            "HeaderDigest        | None,CRC32C        | None",
            "HeaderDigest        | CRC32C             | CRC32C",
            "HeaderDigest        | MD5,CRC32C         | CRC32C",
            "HeaderDigest        | MD5                | Reject",
            "HeaderDigest        | None,,CRC32C       | Reject",
            "DataDigest          | None               | None",
            "DataDigest          | crc32c             | Reject",
            "MaxConnections      | 1                  | 1",
            "MaxConnections      | 8                  | 1",
            "MaxConnections      | 65535              | 1",
            "MaxConnections      | 0                  | Reject",
            "MaxConnections      | 65536              | Reject",
            "InitialR2T          | Yes                | Yes",
            "InitialR2T          | No                 | No",
            "InitialR2T          | yes                | Reject",
            "ImmediateData       | Yes                | Yes",
            "ImmediateData       | No                 | No",
            "ImmediateData       | Maybe              | Reject",
            "MaxBurstLength      | 512                | 512",
            "MaxBurstLength      | 262144             | 262144",
            "MaxBurstLength      | 0x40000            | 262144",
            "MaxBurstLength      | 16777215           | 1048576",
            "MaxBurstLength      | 511                | Reject",
            "MaxBurstLength      | 16777216           | Reject",
            "MaxBurstLength      | -1                 | Reject",
            "MaxBurstLength      | 1e6                | Reject",
            "MaxBurstLength      | ''                 | Reject",
            "MaxBurstLength      | 99999999999999999999999 | Reject",
            "FirstBurstLength    | 512                | 512",
            "FirstBurstLength    | 65536              | 65536",
            "FirstBurstLength    | 16777215           | 65536",
            "FirstBurstLength    | 511                | Reject",
            "DefaultTime2Wait    | 0                  | 2",
            "DefaultTime2Wait    | 3600               | 3600",
            "DefaultTime2Wait    | 3601               | Reject",
            "DefaultTime2Retain  | 0                  | 0",
            "DefaultTime2Retain  | 3600               | 20",
            "DefaultTime2Retain  | 3601               | Reject",
            "MaxOutstandingR2T   | 1                  | 1",
            "MaxOutstandingR2T   | 65535              | 4",
            "MaxOutstandingR2T   | 0                  | Reject",
            "MaxOutstandingR2T   | 65536              | Reject",
            "DataPDUInOrder      | Yes                | Yes",
            "DataPDUInOrder      | No                 | Yes",
            "DataSequenceInOrder | No                 | Yes",
            "ErrorRecoveryLevel  | 0                  | 0",
            "ErrorRecoveryLevel  | 2                  | 0",
            "ErrorRecoveryLevel  | 3                  | Reject",
            "TaskReporting       | RFC3720            | RFC3720",
            "TaskReporting       | FastAbort,RFC3720  | RFC3720",
            "TaskReporting       | FastAbort          | Reject",
            "iSCSIProtocolLevel  | 2                  | 1",
            "iSCSIProtocolLevel  | 0                  | 0",
            "iSCSIProtocolLevel  | 32                 | Reject",
            "IFMarker            | No                 | No",
            "OFMarker            | Yes                | No",
            "IFMarkInt           | 2048~8192          | Reject",
            "OFMarkInt           | 2048~8192          | Reject",
            "X-com.example.Foo   | bar                | NotUnderstood",
            "X#NodeArchitecture  | Linux              | NotUnderstood",
            "NoSuchKey           | 1                  | NotUnderstood",
    })
    void answersAnOffer(String key, String offer, String expected) {
        assertThat(answer(key, offer)).isEqualTo(expected);
    }

    @Test
    void rejectedKeysKeepTheirDefault() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        assertThat(answers(n, OP, "MaxBurstLength", "100", "HeaderDigest", "MD5")).containsValues("Reject", "Reject");
        NegotiatedParameters p = n.result();
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.headerDigest()).isEqualTo(Digest.NONE);
    }

    @Test
    void maxRecvDataSegmentLengthIsADeclarationKeptApartFromOurs() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        assertThat(answers(n, OP, "MaxRecvDataSegmentLength", "65536")).isEmpty();
        assertThat(n.declarations()).containsExactly(new KeyValue("MaxRecvDataSegmentLength", "262144"));
        assertThat(n.declarations()).isEmpty();
        NegotiatedParameters p = n.result();
        assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(262144);
    }

    @Test
    void undeclaredMaxRecvDataSegmentLengthsAreTheDefault() {
        NegotiatedParameters p = new Negotiator(LIMITS, SessionType.NORMAL).result();
        assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(8192);
    }

    @ParameterizedTest
    @CsvSource({"511", "16777216", "abc", "Reject"})
    void illegalMaxRecvDataSegmentLengthFailsTheLogin(String value) {
        LoginException e = error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "MaxRecvDataSegmentLength", value);
        assertThat(e.status()).isEqualTo(LoginStatus.INITIATOR_ERROR);
        assertThat(e).hasMessage("MaxRecvDataSegmentLength=" + value + " is not a number in 512..16777215");
    }

    @Test
    void maxRecvDataSegmentLengthBoundsAreLegal() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        answers(n, OP, "MaxRecvDataSegmentLength", "512");
        assertThat(n.result().initiatorMaxRecvDataSegmentLength()).isEqualTo(512);
        n = new Negotiator(LIMITS, SessionType.NORMAL);
        answers(n, SEC, "MaxRecvDataSegmentLength", "16777215");
        assertThat(n.result().initiatorMaxRecvDataSegmentLength()).isEqualTo(16777215);
    }

    @Test
    void firstBurstLengthIsCappedByTheNegotiatedMaxBurstLength() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        // FirstBurstLength first in the text; MaxBurstLength is settled first anyway
        Map<String, String> a = answers(n, OP, "FirstBurstLength", "65536", "MaxBurstLength", "16384");
        assertThat(a).containsExactly(Map.entry("MaxBurstLength", "16384"), Map.entry("FirstBurstLength", "16384"));
        NegotiatedParameters p = n.result();
        assertThat(p.firstBurstLength()).isEqualTo(16384);
        assertThat(p.maxBurstLength()).isEqualTo(16384);
    }

    @Test
    void firstBurstLengthAboveALaterMaxBurstLengthFailsAtTheEnd() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        answers(n, OP, "FirstBurstLength", "65536");
        answers(n, OP, "MaxBurstLength", "4096");
        LoginException e = catchThrowableOfType(LoginException.class, n::result);
        assertThat(e.status()).isEqualTo(LoginStatus.INITIATOR_ERROR);
        assertThat(e).hasMessage("FirstBurstLength 65536 exceeds MaxBurstLength 4096 (RFC 7143 13.14)");
    }

    @Test
    void firstBurstLengthAboveMaxBurstLengthIsHarmlessWhenNoUnsolicitedData() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        answers(n, OP, "FirstBurstLength", "65536", "InitialR2T", "Yes", "ImmediateData", "No");
        answers(n, OP, "MaxBurstLength", "4096");
        assertThat(n.result().maxBurstLength()).isEqualTo(4096);
    }

    @Test
    void fullLinuxOffer() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        Map<String, String> a = answers(n, OP,
                "HeaderDigest", "CRC32C,None", "DataDigest", "CRC32C,None", "MaxConnections", "1",
                "InitialR2T", "No", "ImmediateData", "Yes", "MaxRecvDataSegmentLength", "262144",
                "MaxBurstLength", "16776192", "FirstBurstLength", "262144", "DefaultTime2Wait", "2",
                "DefaultTime2Retain", "0", "MaxOutstandingR2T", "1", "DataPDUInOrder", "Yes",
                "DataSequenceInOrder", "Yes", "ErrorRecoveryLevel", "0", "IFMarker", "No", "OFMarker", "No");
        assertThat(a).doesNotContainKey("MaxRecvDataSegmentLength").hasSize(15);
        NegotiatedParameters p = n.result();
        assertThat(p).isEqualTo(new NegotiatedParameters(Digest.CRC32C, Digest.CRC32C, 1, false, true,
                262144, 8192, 1048576, 65536, 2, 0, 1, true, true, 0, "RFC3720", 1));
        assertThat(p.headerDigestCrc32c()).isTrue();
        assertThat(p.unsolicitedDataAllowed()).isTrue();
    }

    @Test
    void defaultsWhenNothingIsOffered() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        n.declarations();
        assertThat(n.offers()).isEmpty();
        assertThat(n.result()).isEqualTo(new NegotiatedParameters(Digest.NONE, Digest.NONE, 1, true, true,
                8192, 262144, 262144, 65536, 2, 20, 1, true, true, 0, "RFC3720", 1));
    }

    @Test
    void sameOfferRepeatedGetsTheSameAnswerDifferentOfferIsRenegotiation() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        assertThat(answers(n, OP, "MaxBurstLength", "65536", "MaxRecvDataSegmentLength", "8192"))
                .containsExactly(Map.entry("MaxBurstLength", "65536"));
        assertThat(answers(n, OP, "MaxBurstLength", "65536", "MaxRecvDataSegmentLength", "8192"))
                .containsExactly(Map.entry("MaxBurstLength", "65536"));
        LoginException e = error(n, OP, "MaxBurstLength", "131072");
        assertThat(e.status()).isEqualTo(LoginStatus.INITIATOR_ERROR);
        assertThat(e).hasMessage("MaxBurstLength offered again with a different value (renegotiation, RFC 7143 6.2)");
        assertThat(error(n, OP, "MaxRecvDataSegmentLength", "16384").getMessage()).contains("renegotiation");
    }

    @Test
    void keysInTheWrongStageOrFromTheWrongSenderFailTheLogin() {
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), SEC, "MaxBurstLength", "512"))
                .hasMessage("MaxBurstLength is not allowed in SECURITY_NEGOTIATION");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), SEC, "HeaderDigest", "None"))
                .hasMessage("HeaderDigest is not allowed in SECURITY_NEGOTIATION");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "AuthMethod", "None"))
                .hasMessage("AuthMethod is only valid in the security negotiation stage");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "CHAP_A", "5"))
                .hasMessage("CHAP_A is only valid in the security negotiation stage");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "TargetAlias", "x"))
                .hasMessage("TargetAlias is sent by targets only");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "TargetPortalGroupTag", "1"))
                .hasMessage("TargetPortalGroupTag is sent by targets only");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "SendTargets", "All"))
                .hasMessage("SendTargets is only valid in the full feature phase");
        assertThat(error(new Negotiator(LIMITS, SessionType.NORMAL), OP, "SendTargets", "All").status())
                .isEqualTo(LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void declarationsAllowedInTheSecurityStage() {
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL);
        assertThat(answers(n, SEC, "InitiatorAlias", "host one", "MaxRecvDataSegmentLength", "4096")).isEmpty();
        assertThat(n.initiatorAlias()).isEqualTo("host one");
    }

    @Test
    void discoverySessionAnswersIrrelevantForNormalOnlyKeys() {
        Negotiator n = new Negotiator(LIMITS, SessionType.DISCOVERY);
        Map<String, String> a = answers(n, OP, "MaxBurstLength", "65536", "FirstBurstLength", "4096",
                "InitialR2T", "No", "ImmediateData", "No", "MaxConnections", "2", "MaxOutstandingR2T", "2",
                "DataPDUInOrder", "No", "DataSequenceInOrder", "No", "TaskReporting", "RFC3720",
                "iSCSIProtocolLevel", "1", "ErrorRecoveryLevel", "1", "HeaderDigest", "CRC32C",
                "DefaultTime2Wait", "5");
        assertThat(a).containsEntry("MaxBurstLength", "Irrelevant").containsEntry("FirstBurstLength", "Irrelevant")
                .containsEntry("InitialR2T", "Irrelevant").containsEntry("ImmediateData", "Irrelevant")
                .containsEntry("MaxConnections", "Irrelevant").containsEntry("MaxOutstandingR2T", "Irrelevant")
                .containsEntry("DataPDUInOrder", "Irrelevant").containsEntry("DataSequenceInOrder", "Irrelevant")
                .containsEntry("TaskReporting", "Irrelevant").containsEntry("iSCSIProtocolLevel", "Irrelevant")
                .containsEntry("ErrorRecoveryLevel", "0").containsEntry("HeaderDigest", "CRC32C")
                .containsEntry("DefaultTime2Wait", "5");
        assertThat(n.offers()).isEmpty();
        assertThat(n.result().headerDigest()).isEqualTo(Digest.CRC32C);
    }

    @Test
    void joiningConnectionKeepsSessionValuesAndNegotiatesConnectionKeys() {
        NegotiatedParameters session = new NegotiatedParameters(Digest.NONE, Digest.NONE, 1, false, true,
                65536, 262144, 131072, 32768, 2, 0, 2, true, true, 0, "RFC3720", 1);
        Negotiator n = new Negotiator(LIMITS, SessionType.NORMAL, session);
        Map<String, String> a = answers(n, OP, "MaxBurstLength", "512", "HeaderDigest", "CRC32C",
                "MaxRecvDataSegmentLength", "16384");
        assertThat(a).containsExactly(Map.entry("MaxBurstLength", "Irrelevant"), Map.entry("HeaderDigest", "CRC32C"));
        n.declarations();
        NegotiatedParameters p = n.result();
        assertThat(p.maxBurstLength()).isEqualTo(131072);
        assertThat(p.firstBurstLength()).isEqualTo(32768);
        assertThat(p.headerDigest()).isEqualTo(Digest.CRC32C);
        assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(16384);
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(262144);
    }

    /** Limits below the RFC defaults: the target must offer them itself. */
    private static final TargetLimits SMALL = new TargetLimits(8192, 65536, 16384, 1, 1, 0,
            false, false, true, true, 2, 20, 1);

    @Test
    void targetOffersKeysWhoseDefaultItCannotAccept() {
        Negotiator n = new Negotiator(SMALL, SessionType.NORMAL);
        answers(n, OP, "HeaderDigest", "None");
        List<KeyValue> offers = n.offers();
        assertThat(offers).containsExactly(new KeyValue("ImmediateData", "No"),
                new KeyValue("MaxBurstLength", "65536"), new KeyValue("FirstBurstLength", "16384"));
        assertThat(n.awaitingAnswers()).isTrue();
        assertThat(answers(n, OP, "ImmediateData", "No", "MaxBurstLength", "32768", "FirstBurstLength", "16384")).isEmpty();
        assertThat(n.awaitingAnswers()).isFalse();
        NegotiatedParameters p = n.result();
        assertThat(p.immediateData()).isFalse();
        assertThat(p.maxBurstLength()).isEqualTo(32768);
        assertThat(p.firstBurstLength()).isEqualTo(16384);
        assertThat(n.offers()).isEmpty();
    }

    @Test
    void keysTheInitiatorOfferedAreNotOfferedBack() {
        Negotiator n = new Negotiator(SMALL, SessionType.NORMAL);
        answers(n, OP, "MaxBurstLength", "1048576", "ImmediateData", "Yes", "FirstBurstLength", "1048576");
        assertThat(n.offers()).isEmpty();
        assertThat(n.result().maxBurstLength()).isEqualTo(65536);
        assertThat(n.result().immediateData()).isFalse();
    }

    @Test
    void firstBurstLengthIsNotOfferedWhenIrrelevant() {
        Negotiator n = new Negotiator(SMALL, SessionType.NORMAL);
        answers(n, OP, "InitialR2T", "Yes", "ImmediateData", "No", "MaxBurstLength", "65536");
        assertThat(n.offers()).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "MaxBurstLength, 131072, initiator's answer MaxBurstLength=131072 is not admissible for the offer 65536",
            "MaxBurstLength, 100, initiator's answer MaxBurstLength=100 is not admissible for the offer 65536",
            "MaxBurstLength, Reject, initiator answered MaxBurstLength=Reject to the target's offer 65536; the default 262144 is beyond this target's limit",
            "MaxBurstLength, NotUnderstood, initiator answered MaxBurstLength=NotUnderstood to the target's offer 65536; the default 262144 is beyond this target's limit",
            "ImmediateData, Yes, initiator's answer ImmediateData=Yes is not admissible for the offer No",
    })
    void inadmissibleAnswersToOurOffersFailTheLogin(String key, String value, String message) {
        Negotiator n = new Negotiator(SMALL, SessionType.NORMAL);
        n.offers();
        LoginException e = error(n, OP, key, value);
        assertThat(e.status()).isEqualTo(LoginStatus.INITIATOR_ERROR);
        assertThat(e).hasMessage(message);
    }

    @Test
    void irrelevantIsAnAcceptableAnswerForFirstBurstLength() {
        Negotiator n = new Negotiator(SMALL, SessionType.NORMAL);
        n.offers();
        answers(n, OP, "ImmediateData", "No", "MaxBurstLength", "65536", "FirstBurstLength", "Irrelevant");
        assertThat(n.result().firstBurstLength()).isEqualTo(65536);
    }

    @Test
    void unansweredOffersFailAtTheEnd() {
        Negotiator n = new Negotiator(SMALL, SessionType.NORMAL);
        n.offers();
        LoginException e = catchThrowableOfType(LoginException.class, n::result);
        assertThat(e).hasMessage("initiator did not answer the target's offers [ImmediateData, MaxBurstLength, FirstBurstLength]");
    }

    @Test
    void noOffersInDiscoveryOrOnJoiningConnections() {
        assertThat(new Negotiator(SMALL, SessionType.DISCOVERY).offers()).isEmpty();
        assertThat(new Negotiator(SMALL, SessionType.NORMAL, NegotiatedParameters.DEFAULTS).offers()).isEmpty();
    }

    @Test
    void fullFeaturePhaseTextKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("SendTargets", "All");
        keys.put("MaxRecvDataSegmentLength", "131072");
        keys.put("InitiatorAlias", "renamed");
        keys.put("MaxBurstLength", "4096");
        keys.put("X-com.example.Ping", "1");
        Negotiator.FullFeatureAnswer a = Negotiator.respondInFullFeaturePhase(keys);
        assertThat(a.answers()).containsExactly(new KeyValue("MaxBurstLength", "Reject"),
                new KeyValue("X-com.example.Ping", "NotUnderstood"));
        assertThat(a.initiatorMaxRecvDataSegmentLength()).isEqualTo(131072);
        assertThat(a.initiatorAlias()).isEqualTo("renamed");
        Negotiator.FullFeatureAnswer bad = Negotiator.respondInFullFeaturePhase(Map.of("MaxRecvDataSegmentLength", "1"));
        assertThat(bad.answers()).containsExactly(new KeyValue("MaxRecvDataSegmentLength", "Reject"));
        assertThat(bad.initiatorMaxRecvDataSegmentLength()).isNull();
    }

    @Test
    void limitsAreValidated() {
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new TargetLimits(511, 262144, 65536,
                1, 1, 0, false, true, true, true, 2, 20, 1))).hasMessage("MaxRecvDataSegmentLength limit 511 out of range 512..16777215");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new TargetLimits(8192, 4096, 65536,
                1, 1, 0, false, true, true, true, 2, 20, 1))).hasMessageContaining("FirstBurstLength 65536 exceeds MaxBurstLength 4096");
        assertThat(TargetLimits.defaults().errorRecoveryLevel()).isZero();
    }

    @Test
    void limitsFromTheServerConfigAreClampedIntoTheRfcRanges() {
        io.braid.iscsi.target.TargetServerConfig config = new io.braid.iscsi.target.TargetServerConfig(
                List.of(new io.braid.iscsi.target.Portal("127.0.0.1", 3260, 1)), List.of(),
                null, 100, 1 << 25, 1 << 25, 0, 128, 0, 0);
        TargetLimits l = TargetLimits.from(config);
        assertThat(l.maxRecvDataSegmentLength()).isEqualTo(512);
        assertThat(l.maxBurstLength()).isEqualTo(16777215);
        assertThat(l.firstBurstLength()).isEqualTo(16777215);
        assertThat(l.maxOutstandingR2T()).isEqualTo(1);
        assertThat(l.maxConnections()).isEqualTo(1);
        assertThat(l.errorRecoveryLevel()).isZero();
    }
}
