package io.braid.iscsi.login;

import io.braid.iscsi.login.OperationalKey.Rule;
import io.braid.iscsi.login.OperationalKey.Scope;
import io.braid.iscsi.login.OperationalKey.Use;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The key table against RFC 7143 section 13, row by row. */
class OperationalKeyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            // key,                  rule,        use,  scope,      default, min, max,       irrelevant in discovery
            "HeaderDigest,             LIST,        IO,   CONNECTION, None,    0,   0,         false",
            "DataDigest,               LIST,        IO,   CONNECTION, None,    0,   0,         false",
            "MaxConnections,           MIN,         LO,   SESSION,    1,       1,   65535,     true",
            "SendTargets,              QUERY,       FFPO, SESSION,    -,       0,   0,         false",
            "TargetName,               DECLARATIVE, IO,   SESSION,    -,       0,   0,         false",
            "InitiatorName,            DECLARATIVE, IO,   SESSION,    -,       0,   0,         false",
            "TargetAlias,              DECLARATIVE, ALL,  SESSION,    -,       0,   0,         false",
            "InitiatorAlias,           DECLARATIVE, ALL,  SESSION,    -,       0,   0,         false",
            "TargetAddress,            DECLARATIVE, ALL,  SESSION,    -,       0,   0,         false",
            "TargetPortalGroupTag,     DECLARATIVE, IO,   SESSION,    -,       0,   65535,     false",
            "InitialR2T,               OR,          LO,   SESSION,    Yes,     0,   0,         true",
            "ImmediateData,            AND,         LO,   SESSION,    Yes,     0,   0,         true",
            "MaxRecvDataSegmentLength, DECLARATIVE, ALL,  CONNECTION, 8192,    512, 16777215,  false",
            "MaxBurstLength,           MIN,         LO,   SESSION,    262144,  512, 16777215,  true",
            "FirstBurstLength,         MIN,         LO,   SESSION,    65536,   512, 16777215,  true",
            "DefaultTime2Wait,         MAX,         LO,   SESSION,    2,       0,   3600,      false",
            "DefaultTime2Retain,       MIN,         LO,   SESSION,    20,      0,   3600,      false",
            "MaxOutstandingR2T,        MIN,         LO,   SESSION,    1,       1,   65535,     true",
            "DataPDUInOrder,           OR,          LO,   SESSION,    Yes,     0,   0,         true",
            "DataSequenceInOrder,      OR,          LO,   SESSION,    Yes,     0,   0,         true",
            "ErrorRecoveryLevel,       MIN,         LO,   SESSION,    0,       0,   2,         false",
            "SessionType,              DECLARATIVE, LO,   SESSION,    Normal,  0,   0,         false",
            "TaskReporting,            LIST,        LO,   SESSION,    RFC3720, 0,   0,         true",
            "iSCSIProtocolLevel,       MIN,         LO,   SESSION,    1,       0,   31,        true",
            "AuthMethod,               AUTHENTICATION, SECURITY, CONNECTION, None, 0, 0,      false",
            "IFMarker,                 OBSOLETE,    IO,   CONNECTION, No,      0,   0,         false",
            "OFMarkInt,                OBSOLETE,    IO,   CONNECTION, -,       0,   0,         false",
    })
    void matchesRfc7143(String name, Rule rule, Use use, Scope scope, String defaultValue, long min, long max,
                        boolean irrelevantInDiscovery) {
        OperationalKey k = OperationalKey.of(name);
        assertThat(k).as(name).isNotNull();
        assertThat(k.wireName()).isEqualTo(name);
        assertThat(k.rule()).isEqualTo(rule);
        assertThat(k.use()).isEqualTo(use);
        assertThat(k.scope()).isEqualTo(scope);
        assertThat(k.defaultValue()).isEqualTo(defaultValue);
        assertThat(k.min()).isEqualTo(min);
        assertThat(k.max()).isEqualTo(max);
        assertThat(k.irrelevantInDiscovery()).isEqualTo(irrelevantInDiscovery);
    }

    @Test
    void everyChapAndSrpAndKerberosKeyIsASecurityKey() {
        for (String name : new String[]{"CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R", "SRP_U", "SRP_GROUP",
                "SRP_s", "SRP_A", "SRP_B", "SRP_M", "SRP_HM", "TargetAuth", "KRB_AP_REQ", "KRB_AP_REP"}) {
            assertThat(OperationalKey.of(name)).as(name).isNotNull();
            assertThat(OperationalKey.of(name).isSecurity()).as(name).isTrue();
        }
    }

    @Test
    void keysAreCaseSensitiveAndExtensionsUnknown() {
        assertThat(OperationalKey.of("maxburstlength")).isNull();
        assertThat(OperationalKey.of("X-com.example.Foo")).isNull();
        assertThat(OperationalKey.isExtension("X-com.example.Foo")).isTrue();
        assertThat(OperationalKey.isExtension("X#NodeArchitecture")).isTrue();
        assertThat(OperationalKey.isExtension("XFoo")).isFalse();
        assertThat(TextKeys.isKnown("MaxBurstLength")).isTrue();
        assertThat(TextKeys.isKnown("X#NodeArchitecture")).isFalse();
    }

    @Test
    void stages() {
        LoginStage sec = LoginStage.SECURITY_NEGOTIATION;
        LoginStage op = LoginStage.OPERATIONAL_NEGOTIATION;
        assertThat(OperationalKey.CHAP_A.validInLogin(sec)).isTrue();
        assertThat(OperationalKey.CHAP_A.validInLogin(op)).isFalse();
        assertThat(OperationalKey.MAX_BURST_LENGTH.validInLogin(sec)).isFalse();
        assertThat(OperationalKey.MAX_BURST_LENGTH.validInLogin(op)).isTrue();
        assertThat(OperationalKey.HEADER_DIGEST.validInLogin(sec)).isFalse();
        assertThat(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.validInLogin(sec)).isTrue();
        assertThat(OperationalKey.INITIATOR_NAME.validInLogin(op)).isTrue();
        assertThat(OperationalKey.SEND_TARGETS.validInLogin(op)).isFalse();
        assertThat(OperationalKey.SEND_TARGETS.validInFullFeaturePhase()).isTrue();
        assertThat(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.validInFullFeaturePhase()).isTrue();
        assertThat(OperationalKey.MAX_BURST_LENGTH.validInFullFeaturePhase()).isFalse();
    }

    @Test
    void loginStageCodesAndTransitions() {
        assertThat(LoginStage.of(0)).isEqualTo(LoginStage.SECURITY_NEGOTIATION);
        assertThat(LoginStage.of(1)).isEqualTo(LoginStage.OPERATIONAL_NEGOTIATION);
        assertThat(LoginStage.of(2)).isNull();
        assertThat(LoginStage.of(3)).isEqualTo(LoginStage.FULL_FEATURE_PHASE);
        assertThat(LoginStage.SECURITY_NEGOTIATION.canTransitTo(LoginStage.FULL_FEATURE_PHASE)).isTrue();
        assertThat(LoginStage.OPERATIONAL_NEGOTIATION.canTransitTo(LoginStage.SECURITY_NEGOTIATION)).isFalse();
        assertThat(LoginStage.OPERATIONAL_NEGOTIATION.canTransitTo(LoginStage.OPERATIONAL_NEGOTIATION)).isFalse();
        assertThat(LoginStage.FULL_FEATURE_PHASE.canTransitTo(LoginStage.FULL_FEATURE_PHASE)).isFalse();
    }

    @Test
    void statusCodes() {
        assertThat(LoginStatus.AUTHENTICATION_FAILURE.code()).isEqualTo(0x0201);
        assertThat(LoginStatus.AUTHORIZATION_FAILURE.code()).isEqualTo(0x0202);
        assertThat(LoginStatus.NOT_FOUND.code()).isEqualTo(0x0203);
        assertThat(LoginStatus.UNSUPPORTED_VERSION.code()).isEqualTo(0x0205);
        assertThat(LoginStatus.TOO_MANY_CONNECTIONS.code()).isEqualTo(0x0206);
        assertThat(LoginStatus.MISSING_PARAMETER.code()).isEqualTo(0x0207);
        assertThat(LoginStatus.SESSION_TYPE_NOT_SUPPORTED.code()).isEqualTo(0x0209);
        assertThat(LoginStatus.SESSION_DOES_NOT_EXIST.code()).isEqualTo(0x020a);
        assertThat(LoginStatus.INVALID_DURING_LOGIN.code()).isEqualTo(0x020b);
        assertThat(LoginStatus.TARGET_ERROR.code()).isEqualTo(0x0300);
        assertThat(LoginStatus.OUT_OF_RESOURCES.code()).isEqualTo(0x0302);
        assertThat(LoginStatus.of(2, 0x0a)).isEqualTo(LoginStatus.SESSION_DOES_NOT_EXIST);
        assertThat(LoginStatus.of(2, 0x0c)).isNull();
        assertThat(LoginStatus.AUTHENTICATION_FAILURE).hasToString("0x0201 authentication failure");
    }
}
