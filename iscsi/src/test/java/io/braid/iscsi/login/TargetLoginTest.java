package io.braid.iscsi.login;

import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.iscsi.target.Portal;
import io.braid.iscsi.target.TargetDefinition;
import io.braid.iscsi.target.TargetServerConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.braid.iscsi.login.ScriptedInitiator.NAME;
import static io.braid.iscsi.login.ScriptedInitiator.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetLoginTest {
    private static final String T1 = "iqn.2024-01.io.braid:t1";
    private static final String LOCKED = "iqn.2024-01.io.braid:locked";
    private static final Portal PORTAL = new Portal("127.0.0.1", 3260, 7);
    private static final ChapCredentials ALICE = new ChapCredentials("alice", "secretsecret");
    private static final ChapCredentials TARGET_CHAP = new ChapCredentials("braid-target", "targetsecret1");
    private static final int STAT_SN = 5000;

    /** The operational keys Linux open-iscsi offers. */
    private static final String[] LINUX_OP_KEYS = {
            "HeaderDigest", "None", "DataDigest", "None", "DefaultTime2Wait", "2", "DefaultTime2Retain", "0",
            "IFMarker", "No", "OFMarker", "No", "ErrorRecoveryLevel", "0", "InitialR2T", "No",
            "ImmediateData", "Yes", "MaxBurstLength", "16776192", "FirstBurstLength", "262144",
            "MaxOutstandingR2T", "1", "MaxConnections", "1", "DataPDUInOrder", "Yes",
            "DataSequenceInOrder", "Yes", "MaxRecvDataSegmentLength", "262144"};

    private final FakeDirectory directory = new FakeDirectory();

    static final class FakeDirectory implements SessionDirectory {
        final Map<Integer, SessionSnapshot> sessions = new HashMap<>();
        int nextTsih = 0x0102;
        int allocated;

        @Override
        public SessionSnapshot find(int tsih) {
            return sessions.get(tsih);
        }

        @Override
        public int allocateTsih() {
            allocated++;
            if (nextTsih == 0) {
                throw new IllegalStateException("all 65535 TSIHs in use");
            }
            return nextTsih;
        }
    }

    private static TargetServerConfig config(AuthConfig auth) {
        List<TargetDefinition> targets = List.of(
                new TargetDefinition(T1, "disk one", null, List.of()),
                new TargetDefinition(LOCKED, null, null, List.of("iqn.2024-01.org.example:other")));
        return TargetServerConfig.of(List.of(PORTAL), targets, auth);
    }

    private TargetLogin login(TargetServerConfig config) {
        return new TargetLogin(config, PORTAL, directory, TargetLogin.byName(config), STAT_SN, FixedRandom.counting());
    }

    private ScriptedInitiator initiator(AuthConfig auth) {
        return new ScriptedInitiator(login(config(auth)));
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    private static void assertStatus(LoginStep step, LoginStatus status) {
        LoginResponse r = step.response();
        assertThat(step).isInstanceOf(LoginStep.Failed.class);
        assertThat(((LoginStep.Failed) step).status()).isEqualTo(status);
        assertThat(r.statusClass()).isEqualTo(status.statusClass());
        assertThat(r.statusDetail()).isEqualTo(status.statusDetail());
        assertThat(r.transit()).isFalse();
        assertThat(r.cont()).isFalse();
        assertThat(r.data().readableBytes()).isZero();
    }

    // ------------------------------------------------------------------ no authentication

    @Test
    void noAuthenticationLibiscsiStyle() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        // stage 0 -> 1, as libiscsi does even without CHAP
        LoginStep s1 = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1,
                "SessionType", "Normal", "AuthMethod", "CHAP,None");
        LoginResponse r1 = s1.response();
        assertThat(s1).isInstanceOf(LoginStep.Continue.class);
        assertThat(r1.transit()).isTrue();
        assertThat(r1.cont()).isFalse();
        assertThat(r1.csg()).isEqualTo(0);
        assertThat(r1.nsg()).isEqualTo(1);
        assertThat(r1.versionMax()).isZero();
        assertThat(r1.versionActive()).isZero();
        assertThat(r1.isid()).isEqualTo(ScriptedInitiator.ISID);
        assertThat(r1.tsih()).isZero();
        assertThat(r1.itt()).isEqualTo(0x10);
        assertThat(r1.statSn()).isEqualTo(STAT_SN);
        assertThat(r1.expCmdSn()).isEqualTo(100);
        assertThat(r1.maxCmdSn()).isEqualTo(100 + 128 - 1);
        assertThat(r1.statusClass()).isZero();
        assertThat(r1.statusDetail()).isZero();
        assertThat(keys(s1)).containsExactly(Map.entry("TargetPortalGroupTag", "7"),
                Map.entry("TargetAlias", "disk one"), Map.entry("AuthMethod", "None"));

        // stage 1 -> 3; libiscsi repeats InitiatorName, TargetName and SessionType here
        LoginStep s2 = ini.send(true, false, 1, 3, concat(LINUX_OP_KEYS,
                "InitiatorName", NAME, "TargetName", T1, "SessionType", "Normal"));
        assertThat(s2).isInstanceOf(LoginStep.Complete.class);
        LoginResponse r2 = s2.response();
        assertThat(r2.transit()).isTrue();
        assertThat(r2.csg()).isEqualTo(1);
        assertThat(r2.nsg()).isEqualTo(3);
        assertThat(r2.tsih()).isEqualTo(0x0102);
        assertThat(r2.itt()).isEqualTo(0x11);
        assertThat(r2.statSn()).isEqualTo(STAT_SN + 1);
        assertThat(r2.expCmdSn()).isEqualTo(100);
        Map<String, String> k2 = keys(s2);
        assertThat(k2).containsEntry("HeaderDigest", "None").containsEntry("MaxBurstLength", "1048576")
                .containsEntry("FirstBurstLength", "262144").containsEntry("InitialR2T", "No")
                .containsEntry("IFMarker", "No").containsEntry("MaxRecvDataSegmentLength", "262144")
                .doesNotContainKey("InitiatorName").doesNotContainKey("TargetPortalGroupTag");

        LoginResult result = ((LoginStep.Complete) s2).result();
        assertThat(result.sessionType()).isEqualTo(SessionType.NORMAL);
        assertThat(result.initiatorName()).isEqualTo(NAME);
        assertThat(result.target().iqn()).isEqualTo(T1);
        assertThat(result.isid()).isEqualTo(ScriptedInitiator.ISID);
        assertThat(result.tsih()).isEqualTo(0x0102);
        assertThat(result.cid()).isEqualTo(1);
        assertThat(result.newSession()).isTrue();
        assertThat(result.authenticatedUser()).isNull();
        assertThat(result.expCmdSn()).isEqualTo(100);
        assertThat(result.nextStatSn()).isEqualTo(STAT_SN + 2);
        assertThat(result.parameters()).isEqualTo(new NegotiatedParameters(Digest.NONE, Digest.NONE, 1, false, true,
                262144, 262144, 1048576, 262144, 2, 0, 1, true, true, 0, "RFC3720", 1));
        assertThat(directory.allocated).isEqualTo(1);
    }

    @Test
    void loginStartingInTheOperationalStage() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s = ini.send(true, false, 1, 3, concat(LINUX_OP_KEYS,
                "InitiatorName", NAME, "InitiatorAlias", "host one", "TargetName", T1, "HeaderDigest", "CRC32C,None"));
        assertThat(s).isInstanceOf(LoginStep.Failed.class); // HeaderDigest twice
        ScriptedInitiator again = initiator(AuthConfig.NONE);
        LoginStep ok = again.send(true, false, 1, 3, concat(LINUX_OP_KEYS, "InitiatorName", NAME,
                "InitiatorAlias", "host one", "TargetName", T1));
        assertThat(ok).isInstanceOf(LoginStep.Complete.class);
        Map<String, String> k = keys(ok);
        // first response of a normal session: TPGT and alias, then answers, then our declaration
        assertThat(k.keySet()).startsWith("TargetPortalGroupTag", "TargetAlias");
        assertThat(k).containsEntry("MaxRecvDataSegmentLength", "262144");
        assertThat(((LoginStep.Complete) ok).result().initiatorAlias()).isEqualTo("host one");
    }

    @Test
    void operationalStageWithoutTransitWaitsForTheInitiator() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s1 = ini.send(false, false, 1, 0, "InitiatorName", NAME, "TargetName", T1, "MaxBurstLength", "65536");
        assertThat(s1.response().transit()).isFalse();
        assertThat(keys(s1)).containsEntry("MaxBurstLength", "65536").containsEntry("MaxRecvDataSegmentLength", "262144");
        LoginStep s2 = ini.send(true, false, 1, 3);
        assertThat(s2).isInstanceOf(LoginStep.Complete.class);
        assertThat(keys(s2)).isEmpty(); // MaxRecvDataSegmentLength was declared once already
        assertThat(((LoginStep.Complete) s2).result().parameters().maxBurstLength()).isEqualTo(65536);
    }

    @Test
    void securityStageStraightToFullFeature() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s = ini.send(true, false, 0, 3, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        assertThat(s).isInstanceOf(LoginStep.Complete.class);
        assertThat(s.response().csg()).isEqualTo(0);
        assertThat(s.response().nsg()).isEqualTo(3);
        assertThat(keys(s)).containsEntry("AuthMethod", "None").containsEntry("MaxRecvDataSegmentLength", "262144");
        assertThat(((LoginStep.Complete) s).result().parameters().targetMaxRecvDataSegmentLength()).isEqualTo(262144);
    }

    @Test
    void initiatorOfferingOnlyChapWhenNoneIsRequiredGetsReject() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "CHAP");
        assertThat(keys(s)).containsEntry("AuthMethod", "Reject");
        assertThat(s.response().transit()).isTrue();
    }

    // ------------------------------------------------------------------ CHAP

    private static AuthConfig oneWay() {
        return new AuthConfig(ALICE, null, Map.of());
    }

    @Test
    void oneWayChap() {
        ScriptedInitiator ini = initiator(oneWay());
        ChapResponder chap = new ChapResponder(ALICE, null, List.of());
        LoginStep s1 = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1,
                "SessionType", "Normal", "AuthMethod", "CHAP,None");
        assertThat(s1.response().transit()).as("cannot leave security before CHAP").isFalse();
        assertThat(keys(s1)).containsEntry("AuthMethod", "CHAP");

        LoginStep s2 = ini.send(false, false, 0, 0, "CHAP_A", chap.algorithmOffer().value());
        Map<String, String> challenge = keys(s2);
        assertThat(challenge).containsExactly(Map.entry("CHAP_A", "5"), Map.entry("CHAP_I", "1"),
                Map.entry("CHAP_C", "0x000102030405060708090a0b0c0d0e0f"));
        List<KeyValue> response = chap.respond(challenge);
        assertThat(response).contains(new KeyValue("CHAP_R", "0x226dc576c33f04ff9c3a200ffe35f442"));

        LoginStep s3 = ini.send(true, false, 0, 1, pairs(response));
        assertThat(s3).isInstanceOf(LoginStep.Continue.class);
        assertThat(s3.response().transit()).isTrue();
        assertThat(s3.response().nsg()).isEqualTo(1);
        assertThat(keys(s3)).isEmpty();

        LoginStep s4 = ini.send(true, false, 1, 3, LINUX_OP_KEYS);
        assertThat(s4).isInstanceOf(LoginStep.Complete.class);
        LoginResult result = ((LoginStep.Complete) s4).result();
        assertThat(result.authenticatedUser()).isEqualTo("alice");
        assertThat(result.mutualChap()).isFalse();
        assertThat(s4.response().statSn()).isEqualTo(STAT_SN + 3);
    }

    @Test
    void chapAlgorithmOfferedInTheSamePduAsAuthMethod() {
        ScriptedInitiator ini = initiator(oneWay());
        LoginStep s1 = ini.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1,
                "AuthMethod", "CHAP", "CHAP_A", "7,5");
        assertThat(keys(s1)).containsEntry("AuthMethod", "CHAP").containsEntry("CHAP_A", "7").containsKey("CHAP_C");
    }

    @Test
    void mutualChap() {
        ScriptedInitiator ini = initiator(new AuthConfig(null, TARGET_CHAP, Map.of(NAME, ALICE)));
        ChapResponder chap = new ChapResponder(ALICE, TARGET_CHAP, List.of(ChapAlgorithm.SHA256));
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "CHAP,None");
        Map<String, String> challenge = keys(ini.send(false, false, 0, 0, "CHAP_A", chap.algorithmOffer().value()));
        assertThat(challenge).containsEntry("CHAP_A", "7");
        LoginStep s3 = ini.send(true, false, 0, 1, pairs(chap.respond(challenge)));
        assertThat(s3.response().transit()).isTrue();
        Map<String, String> proof = keys(s3);
        assertThat(proof).containsOnlyKeys("CHAP_N", "CHAP_R").containsEntry("CHAP_N", "braid-target");
        chap.verifyTarget(proof);
        assertThat(chap.state()).isEqualTo(ChapResponder.State.SUCCEEDED);
        LoginStep s4 = ini.send(true, false, 1, 3, LINUX_OP_KEYS);
        LoginResult result = ((LoginStep.Complete) s4).result();
        assertThat(result.authenticatedUser()).isEqualTo("alice");
        assertThat(result.mutualChap()).isTrue();
    }

    @Test
    void chapResponseWithoutTransitThenTransit() {
        ScriptedInitiator ini = initiator(oneWay());
        ChapResponder chap = new ChapResponder(ALICE, null, List.of());
        ini.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "CHAP");
        Map<String, String> challenge = keys(ini.send(false, false, 0, 0, "CHAP_A", "5"));
        LoginStep s3 = ini.send(false, false, 0, 0, pairs(chap.respond(challenge)));
        assertThat(s3.response().transit()).isFalse();
        LoginStep s4 = ini.send(true, false, 0, 1);
        assertThat(s4.response().transit()).isTrue();
    }

    @Test
    void wrongChapSecretIsAuthenticationFailure() {
        ScriptedInitiator ini = initiator(oneWay());
        ChapResponder chap = new ChapResponder(new ChapCredentials("alice", "wrong-secret"), null, List.of());
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "CHAP,None");
        Map<String, String> challenge = keys(ini.send(false, false, 0, 0, "CHAP_A", "5"));
        LoginStep s3 = ini.send(true, false, 0, 1, pairs(chap.respond(challenge)));
        assertStatus(s3, LoginStatus.AUTHENTICATION_FAILURE);
        assertThat(((LoginStep.Failed) s3).reason()).isEqualTo("wrong CHAP response for user alice")
                .doesNotContain("wrong-secret").doesNotContain("secretsecret");
        assertThat(s3.response().statusClass() << 8 | s3.response().statusDetail()).isEqualTo(0x0201);
        assertThatThrownBy(() -> ini.send(true, false, 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void chapRequiredButInitiatorOffersNone() {
        ScriptedInitiator ini = initiator(oneWay());
        LoginStep s = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        assertStatus(s, LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void chapRequiredButInitiatorSkipsSecurity() {
        ScriptedInitiator ini = initiator(oneWay());
        assertStatus(ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1), LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void chapRequiredButInitiatorLeavesSecurityWithoutAuthMethod() {
        ScriptedInitiator ini = initiator(oneWay());
        assertStatus(ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1), LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void perInitiatorCredentialsOverrideTheNodeCredentials() {
        ChapCredentials bob = new ChapCredentials("bob", "bobsecret123");
        ScriptedInitiator ini = initiator(new AuthConfig(ALICE, null, Map.of(NAME, bob)));
        ChapResponder chap = new ChapResponder(bob, null, List.of());
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "CHAP,None");
        Map<String, String> challenge = keys(ini.send(false, false, 0, 0, "CHAP_A", "5"));
        LoginStep s3 = ini.send(true, false, 0, 1, pairs(chap.respond(challenge)));
        assertThat(s3.response().transit()).isTrue();
        LoginResult result = ((LoginStep.Complete) ini.send(true, false, 1, 3)).result();
        assertThat(result.authenticatedUser()).isEqualTo("bob");
    }

    @Test
    void chapKeysInTheOperationalStageFailTheLogin() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        assertStatus(ini.send(true, false, 1, 3, "CHAP_A", "5"), LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void chapKeysWithoutAuthMethodChapFailTheLogin() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s = ini.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1, "CHAP_A", "5");
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("CHAP_A without AuthMethod=CHAP agreed");
    }

    // ------------------------------------------------------------------ identity and ACL

    @Test
    void unknownTargetIsNotFound() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", "iqn.2024-01.io.braid:nope");
        assertStatus(s, LoginStatus.NOT_FOUND);
        assertThat(s.response().statSn()).isEqualTo(STAT_SN);
        assertThat(s.response().tsih()).isZero();
    }

    @Test
    void targetNamesCompareCaseInsensitively() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        assertThat(ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1.toUpperCase()))
                .isInstanceOf(LoginStep.Complete.class);
    }

    @Test
    void initiatorNotInTheAclIsForbidden() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", LOCKED);
        assertStatus(s, LoginStatus.AUTHORIZATION_FAILURE);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo(NAME + " is not allowed to log in to " + LOCKED);
    }

    @Test
    void missingInitiatorNameOrTargetName() {
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 0, 1, "TargetName", T1), LoginStatus.MISSING_PARAMETER);
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 0, 1, "InitiatorName", NAME), LoginStatus.MISSING_PARAMETER);
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 0, 1, "InitiatorName", NAME,
                "SessionType", "Normal", "TargetName", ""), LoginStatus.MISSING_PARAMETER);
    }

    @Test
    void malformedInitiatorName() {
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 0, 1, "InitiatorName", "host1", "TargetName", T1),
                LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void unknownSessionType() {
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 0, 1, "InitiatorName", NAME, "SessionType", "Bogus"),
                LoginStatus.SESSION_TYPE_NOT_SUPPORTED);
    }

    @Test
    void identityMayBeRepeatedOnlyWithTheSameValue() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        LoginStep s = ini.send(true, false, 1, 3, "TargetName", "iqn.2024-01.io.braid:other");
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("TargetName declared again with a different value (RFC 7143 6.2)");
    }

    @Test
    void identityKeysMayNotArriveLate() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        LoginStep s = ini.send(true, false, 1, 3, "SessionType", "Normal");
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("SessionType may only be sent in the first Login Request");
    }

    // ------------------------------------------------------------------ discovery

    @Test
    void discoverySession() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        LoginStep s1 = ini.send(true, false, 0, 1, "InitiatorName", NAME, "SessionType", "Discovery", "AuthMethod", "None");
        assertThat(keys(s1)).containsExactly(Map.entry("AuthMethod", "None"));
        LoginStep s2 = ini.send(true, false, 1, 3, "HeaderDigest", "None", "DataDigest", "None",
                "MaxRecvDataSegmentLength", "32768", "MaxBurstLength", "262144", "InitialR2T", "Yes",
                "DefaultTime2Wait", "0", "ErrorRecoveryLevel", "0");
        Map<String, String> k = keys(s2);
        assertThat(k).containsEntry("MaxBurstLength", "Irrelevant").containsEntry("InitialR2T", "Irrelevant")
                .containsEntry("ErrorRecoveryLevel", "0").containsEntry("MaxRecvDataSegmentLength", "262144");
        LoginResult result = ((LoginStep.Complete) s2).result();
        assertThat(result.sessionType()).isEqualTo(SessionType.DISCOVERY);
        assertThat(result.target()).isNull();
        assertThat(result.tsih()).isEqualTo(0x0102);
        assertThat(result.parameters().initiatorMaxRecvDataSegmentLength()).isEqualTo(32768);
    }

    @Test
    void discoveryWithChap() {
        ScriptedInitiator ini = initiator(oneWay());
        ChapResponder chap = new ChapResponder(ALICE, null, List.of());
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "SessionType", "Discovery", "AuthMethod", "CHAP,None");
        Map<String, String> challenge = keys(ini.send(false, false, 0, 0, "CHAP_A", "5"));
        assertThat(ini.send(true, false, 0, 1, pairs(chap.respond(challenge))).response().transit()).isTrue();
        assertThat(ini.send(true, false, 1, 3)).isInstanceOf(LoginStep.Complete.class);
    }

    // ------------------------------------------------------------------ C bit, long responses

    @Test
    void requestSpreadOverSeveralPdusWithTheCBit() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        byte[] text = ScriptedInitiator.text("InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        byte[] first = java.util.Arrays.copyOfRange(text, 0, 20); // splits inside the InitiatorName value
        byte[] rest = java.util.Arrays.copyOfRange(text, 20, text.length);
        LoginStep s1 = ini.sendRaw(false, true, 0, 0, first);
        LoginResponse r1 = s1.response();
        assertThat(s1).isInstanceOf(LoginStep.Continue.class);
        assertThat(r1.transit()).isFalse();
        assertThat(r1.cont()).isFalse();
        assertThat(r1.data().readableBytes()).isZero();
        assertThat(r1.statusClass()).isZero();
        LoginStep s2 = ini.sendRaw(true, false, 0, 1, rest);
        assertThat(s2.response().transit()).isTrue();
        assertThat(s2.response().statSn()).isEqualTo(STAT_SN + 1);
        assertThat(keys(s2)).containsEntry("AuthMethod", "None").containsEntry("TargetPortalGroupTag", "7");
    }

    @Test
    void longResponseGoesOutInPiecesWithTheCBit() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            pairs.add(String.format("X-org.example.vendor-key-with-a-fairly-long-name-%03d", i));
            pairs.add("v");
        }
        byte[] text = ScriptedInitiator.text(pairs.toArray(String[]::new));
        // the request itself: two pieces of at most 8192 bytes
        ini.sendRaw(false, true, 1, 0, java.util.Arrays.copyOfRange(text, 0, 8192));
        LoginStep s = ini.sendRaw(true, false, 1, 3, java.util.Arrays.copyOfRange(text, 8192, text.length));
        TextAccumulator answer = new TextAccumulator();
        int pieces = 0;
        while (true) {
            LoginResponse r = s.response();
            pieces++;
            assertThat(r.data().readableBytes()).isLessThanOrEqualTo(8192);
            answer.append(r.data(), r.cont());
            r.release();
            if (!r.cont()) {
                break;
            }
            assertThat(r.transit()).isFalse();
            assertThat(s).isInstanceOf(LoginStep.Continue.class);
            s = ini.sendRaw(false, false, 1, 0, new byte[0]);
        }
        assertThat(pieces).isEqualTo(2);
        assertThat(s).isInstanceOf(LoginStep.Complete.class);
        assertThat(s.response().transit()).isTrue();
        assertThat(s.response().tsih()).isEqualTo(0x0102);
        Map<String, String> k = TextKeys.parse(answer.take());
        assertThat(k).hasSize(151).containsEntry("X-org.example.vendor-key-with-a-fairly-long-name-149", "NotUnderstood")
                .containsEntry("MaxRecvDataSegmentLength", "262144");
    }

    @Test
    void nonEmptyRequestWhileCollectingAResponseIsAnError() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            pairs.add(String.format("X-org.example.vendor-key-with-a-fairly-long-name-%03d", i));
            pairs.add("v");
        }
        byte[] text = ScriptedInitiator.text(pairs.toArray(String[]::new));
        ini.sendRaw(false, true, 1, 0, java.util.Arrays.copyOfRange(text, 0, 8192));
        assertThat(ini.sendRaw(true, false, 1, 3, java.util.Arrays.copyOfRange(text, 8192, text.length)).response().cont()).isTrue();
        assertStatus(ini.send(false, false, 1, 0, "MaxBurstLength", "512"), LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void oversizedRequestIsAnInitiatorError() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        for (int i = 0; i < 8; i++) {
            assertThat(ini.sendRaw(false, true, 0, 0, new byte[8192])).isInstanceOf(LoginStep.Continue.class);
        }
        LoginStep s = ini.sendRaw(false, true, 0, 0, new byte[1]);
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).contains("exceeds the limit of 65536");
    }

    @Test
    void malformedTextIsAnInitiatorError() {
        LoginStep s = initiator(AuthConfig.NONE).sendRaw(true, false, 0, 1, "InitiatorName\0".getBytes());
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("pair at offset 0 (\"InitiatorName\") has no '='");
    }

    // ------------------------------------------------------------------ header rules

    @Test
    void unsupportedVersion() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.versionMax = 2;
        ini.versionMin = 1;
        LoginStep s = ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1);
        assertStatus(s, LoginStatus.UNSUPPORTED_VERSION);
        assertThat(s.response().versionActive()).isZero();
        assertThat(s.response().versionMax()).isZero();
    }

    @Test
    void transitAndContinueTogether() {
        assertStatus(initiator(AuthConfig.NONE).send(true, true, 0, 1, "InitiatorName", NAME), LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void reservedOrEarlierNextStage() {
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 0, 2, "InitiatorName", NAME, "TargetName", T1),
                LoginStatus.INITIATOR_ERROR);
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        assertStatus(ini.send(true, false, 1, 0), LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void startingInFullFeaturePhaseIsAnError() {
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 3, 3, "InitiatorName", NAME), LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void wrongCurrentStage() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        LoginStep s = ini.send(true, false, 1, 3); // the target never granted the move to stage 1
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("CSG 1 but the login is in SECURITY_NEGOTIATION");
    }

    @Test
    void isidTsihCidAndCmdSnMustNotChange() {
        ScriptedInitiator a = initiator(AuthConfig.NONE);
        a.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1);
        a.isid++;
        assertStatus(a.send(true, false, 0, 1), LoginStatus.INITIATOR_ERROR);

        ScriptedInitiator b = initiator(AuthConfig.NONE);
        b.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1);
        b.cid = 9;
        assertStatus(b.send(true, false, 0, 1), LoginStatus.INITIATOR_ERROR);

        ScriptedInitiator c = initiator(AuthConfig.NONE);
        c.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1);
        c.cmdSn++;
        LoginStep s = c.send(true, false, 0, 1);
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("CmdSN changed from 100 to 101 during a leading login (RFC 7143 11.12.8)");
    }

    @Test
    void statSnAdvancesWithEveryResponseAndExpCmdSnStays() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.cmdSn = -2; // 0xfffffffe: serial arithmetic, not signed
        ini.send(false, false, 0, 0, "InitiatorName", NAME, "TargetName", T1);
        ini.send(false, false, 0, 0, "AuthMethod", "None");
        ini.send(true, false, 0, 1);
        ini.send(true, false, 1, 3);
        assertThat(ini.steps).extracting(s -> s.response().statSn())
                .containsExactly(STAT_SN, STAT_SN + 1, STAT_SN + 2, STAT_SN + 3);
        assertThat(ini.steps).extracting(s -> s.response().expCmdSn()).containsOnly(-2);
        assertThat(ini.steps).extracting(s -> s.response().maxCmdSn()).containsOnly(-2 + 127);
        assertThat(((LoginStep.Complete) ini.steps.get(3)).result().expCmdSn()).isEqualTo(-2);
    }

    @Test
    void renegotiationAcrossRequestsFailsTheLogin() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.send(false, false, 1, 0, "InitiatorName", NAME, "TargetName", T1, "MaxBurstLength", "65536");
        assertStatus(ini.send(true, false, 1, 3, "MaxBurstLength", "131072"), LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void operationalKeysInTheSecurityStageFailTheLogin() {
        LoginStep s = initiator(AuthConfig.NONE).send(true, false, 0, 1, "InitiatorName", NAME, "TargetName", T1,
                "AuthMethod", "None", "MaxBurstLength", "65536");
        assertStatus(s, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s).reason()).isEqualTo("MaxBurstLength is not allowed in SECURITY_NEGOTIATION");
    }

    @Test
    void requestAfterTheEndIsAProgrammingError() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        assertThat(ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1)).isInstanceOf(LoginStep.Complete.class);
        assertThatThrownBy(() -> ini.send(true, false, 1, 3)).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ target offers

    @Test
    void targetOffersItsLowerLimitsBeforeLeavingTheOperationalStage() {
        TargetServerConfig small = new TargetServerConfig(List.of(PORTAL), config(AuthConfig.NONE).targets(),
                AuthConfig.NONE, 65536, 65536, 16384, 1, 32, 0, 0);
        ScriptedInitiator ini = new ScriptedInitiator(login(small));
        LoginStep s1 = ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1, "HeaderDigest", "None");
        assertThat(s1).isInstanceOf(LoginStep.Continue.class);
        assertThat(s1.response().transit()).isFalse();
        assertThat(keys(s1)).containsEntry("MaxBurstLength", "65536").containsEntry("FirstBurstLength", "16384")
                .containsEntry("MaxRecvDataSegmentLength", "65536");
        LoginStep s2 = ini.send(true, false, 1, 3, "MaxBurstLength", "65536", "FirstBurstLength", "8192");
        assertThat(s2).isInstanceOf(LoginStep.Complete.class);
        assertThat(keys(s2)).isEmpty();
        NegotiatedParameters p = ((LoginStep.Complete) s2).result().parameters();
        assertThat(p.maxBurstLength()).isEqualTo(65536);
        assertThat(p.firstBurstLength()).isEqualTo(8192);
        assertThat(s2.response().maxCmdSn()).isEqualTo(100 + 31);
    }

    @Test
    void offersLeftUnansweredInTheNextRequestFailTheLogin() {
        TargetServerConfig small = new TargetServerConfig(List.of(PORTAL), config(AuthConfig.NONE).targets(),
                AuthConfig.NONE, 65536, 65536, 16384, 1, 32, 0, 0);
        ScriptedInitiator ini = new ScriptedInitiator(login(small));
        ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1);
        LoginStep s2 = ini.send(true, false, 1, 3, "MaxBurstLength", "65536");
        assertStatus(s2, LoginStatus.INITIATOR_ERROR);
        assertThat(((LoginStep.Failed) s2).reason()).isEqualTo("initiator did not answer the target's offers [FirstBurstLength]");
    }

    @Test
    void noOffersWhenTheInitiatorGoesFromSecurityStraightToFullFeature() {
        TargetServerConfig small = new TargetServerConfig(List.of(PORTAL), config(AuthConfig.NONE).targets(),
                AuthConfig.NONE, 65536, 65536, 16384, 1, 32, 0, 0);
        ScriptedInitiator ini = new ScriptedInitiator(login(small));
        LoginStep s = ini.send(true, false, 0, 3, "InitiatorName", NAME, "TargetName", T1, "AuthMethod", "None");
        assertThat(s).isInstanceOf(LoginStep.Complete.class);
        assertThat(keys(s)).doesNotContainKeys("MaxBurstLength", "FirstBurstLength");
        assertThat(((LoginStep.Complete) s).result().parameters().maxBurstLength()).isEqualTo(262144);
    }

    // ------------------------------------------------------------------ TSIH and joining sessions

    private SessionDirectory.SessionSnapshot existing(Set<Integer> cids) {
        NegotiatedParameters params = new NegotiatedParameters(Digest.NONE, Digest.NONE, 1, false, true,
                65536, 262144, 131072, 32768, 2, 0, 1, true, true, 0, "RFC3720", 1);
        return new SessionDirectory.SessionSnapshot(0x0042, NAME, ScriptedInitiator.ISID, T1, SessionType.NORMAL,
                cids, params, 5555, 5600);
    }

    @Test
    void unknownTsihIsSessionDoesNotExist() {
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.tsih = 0x0042;
        LoginStep s = ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1);
        assertStatus(s, LoginStatus.SESSION_DOES_NOT_EXIST);
        assertThat(s.response().tsih()).isEqualTo(0x0042);
    }

    @Test
    void tsihOfAnotherInitiatorsSessionIsSessionDoesNotExist() {
        directory.sessions.put(0x0042, existing(Set.of(1)));
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.tsih = 0x0042;
        ini.isid = 0x400001370001L;
        assertStatus(ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1), LoginStatus.SESSION_DOES_NOT_EXIST);
    }

    @Test
    void connectionReinstatementJoinsTheSession() {
        directory.sessions.put(0x0042, existing(Set.of(1)));
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.tsih = 0x0042;
        ini.cmdSn = 5555;
        LoginStep s = ini.send(true, false, 1, 3, concat(LINUX_OP_KEYS, "InitiatorName", NAME, "TargetName", T1));
        assertThat(s).isInstanceOf(LoginStep.Complete.class);
        assertThat(s.response().tsih()).isEqualTo(0x0042);
        assertThat(s.response().expCmdSn()).isEqualTo(5555);
        assertThat(s.response().maxCmdSn()).isEqualTo(5600);
        Map<String, String> k = keys(s);
        assertThat(k).containsEntry("MaxBurstLength", "Irrelevant").containsEntry("HeaderDigest", "None");
        LoginResult result = ((LoginStep.Complete) s).result();
        assertThat(result.newSession()).isFalse();
        assertThat(result.parameters().maxBurstLength()).isEqualTo(131072);
        assertThat(result.parameters().initiatorMaxRecvDataSegmentLength()).isEqualTo(262144);
        assertThat(directory.allocated).isZero();
    }

    @Test
    void secondConnectionBeyondMaxConnectionsIsTooManyConnections() {
        directory.sessions.put(0x0042, existing(Set.of(1)));
        ScriptedInitiator ini = initiator(AuthConfig.NONE);
        ini.tsih = 0x0042;
        ini.cid = 2;
        assertStatus(ini.send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1), LoginStatus.TOO_MANY_CONNECTIONS);
    }

    @Test
    void noTsihLeftIsOutOfResources() {
        directory.nextTsih = 0;
        assertStatus(initiator(AuthConfig.NONE).send(true, false, 1, 3, "InitiatorName", NAME, "TargetName", T1),
                LoginStatus.OUT_OF_RESOURCES);
    }

    private static String[] pairs(List<KeyValue> kvs) {
        List<String> out = new ArrayList<>();
        for (KeyValue kv : kvs) {
            out.add(kv.key());
            out.add(kv.value());
        }
        return out.toArray(String[]::new);
    }
}
