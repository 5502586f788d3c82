package io.braid.iscsi.login;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every text key of RFC 7143 (sections 12 and 13) with its value type, range, default, use,
 * scope, senders, negotiation rule and whether it is irrelevant in a discovery session. Extension
 * keys ({@code X-vendor...} private, {@code X#...} public, 13.22/13.23) are not listed: they are
 * answered NotUnderstood. The four marker keys RFC 7143 obsoleted (13.26) are listed as
 * {@link Rule#OBSOLETE} so they get the answer the RFC demands instead of NotUnderstood.
 */
public enum OperationalKey {
    // ---- security negotiation (RFC 7143 12) ----
    AUTH_METHOD("AuthMethod", ValueType.LIST, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            "None", 0, 0, false, List.of("KRB5", "SPKM1", "SPKM2", "SRP", "CHAP", "None")),
    CHAP_A("CHAP_A", ValueType.LIST, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            null, 0, 255, false, List.of()),
    CHAP_I("CHAP_I", ValueType.NUMBER, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            null, 0, 255, false, List.of()),
    CHAP_C("CHAP_C", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            null, 1, ChapAlgorithm.MAX_BINARY_BYTES, false, List.of()),
    CHAP_N("CHAP_N", ValueType.TEXT, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            null, 0, 0, false, List.of()),
    CHAP_R("CHAP_R", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            null, 1, ChapAlgorithm.MAX_BINARY_BYTES, false, List.of()),
    /** SRP and Kerberos keys (12.1.1, 12.1.2): understood, but never used since we never select them. */
    SRP_U("SRP_U", ValueType.TEXT, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.INITIATOR,
            null, 0, 0, false, List.of()),
    SRP_GROUP("SRP_GROUP", ValueType.LIST, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.BOTH,
            null, 0, 0, false, List.of()),
    SRP_S("SRP_s", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.TARGET,
            null, 0, 0, false, List.of()),
    SRP_A("SRP_A", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.INITIATOR,
            null, 0, 0, false, List.of()),
    SRP_B("SRP_B", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.TARGET,
            null, 0, 0, false, List.of()),
    SRP_M("SRP_M", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.INITIATOR,
            null, 0, 0, false, List.of()),
    SRP_HM("SRP_HM", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION, Senders.TARGET,
            null, 0, 0, false, List.of()),
    TARGET_AUTH("TargetAuth", ValueType.BOOLEAN, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION,
            Senders.INITIATOR, null, 0, 0, false, List.of()),
    KRB_AP_REQ("KRB_AP_REQ", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION,
            Senders.INITIATOR, null, 0, 0, false, List.of()),
    KRB_AP_REP("KRB_AP_REP", ValueType.BINARY, Rule.AUTHENTICATION, Use.SECURITY, Scope.CONNECTION,
            Senders.TARGET, null, 0, 0, false, List.of()),

    // ---- operational keys (RFC 7143 13) ----
    HEADER_DIGEST("HeaderDigest", ValueType.LIST, Rule.LIST, Use.IO, Scope.CONNECTION, Senders.BOTH,
            "None", 0, 0, false, List.of("None", "CRC32C")),
    DATA_DIGEST("DataDigest", ValueType.LIST, Rule.LIST, Use.IO, Scope.CONNECTION, Senders.BOTH,
            "None", 0, 0, false, List.of("None", "CRC32C")),
    MAX_CONNECTIONS("MaxConnections", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "1", 1, 65535, true, List.of()),
    SEND_TARGETS("SendTargets", ValueType.TEXT, Rule.QUERY, Use.FFPO, Scope.SESSION, Senders.INITIATOR,
            null, 0, 0, false, List.of()),
    TARGET_NAME("TargetName", ValueType.ISCSI_NAME, Rule.DECLARATIVE, Use.IO, Scope.SESSION, Senders.INITIATOR,
            null, 0, 0, false, List.of()),
    INITIATOR_NAME("InitiatorName", ValueType.ISCSI_NAME, Rule.DECLARATIVE, Use.IO, Scope.SESSION,
            Senders.INITIATOR, null, 0, 0, false, List.of()),
    TARGET_ALIAS("TargetAlias", ValueType.LOCAL_NAME, Rule.DECLARATIVE, Use.ALL, Scope.SESSION, Senders.TARGET,
            null, 0, 0, false, List.of()),
    INITIATOR_ALIAS("InitiatorAlias", ValueType.LOCAL_NAME, Rule.DECLARATIVE, Use.ALL, Scope.SESSION,
            Senders.INITIATOR, null, 0, 0, false, List.of()),
    TARGET_ADDRESS("TargetAddress", ValueType.ADDRESS, Rule.DECLARATIVE, Use.ALL, Scope.SESSION, Senders.TARGET,
            null, 0, 0, false, List.of()),
    TARGET_PORTAL_GROUP_TAG("TargetPortalGroupTag", ValueType.NUMBER, Rule.DECLARATIVE, Use.IO, Scope.SESSION,
            Senders.TARGET, null, 0, 65535, false, List.of()),
    INITIAL_R2T("InitialR2T", ValueType.BOOLEAN, Rule.OR, Use.LO, Scope.SESSION, Senders.BOTH,
            "Yes", 0, 0, true, List.of()),
    IMMEDIATE_DATA("ImmediateData", ValueType.BOOLEAN, Rule.AND, Use.LO, Scope.SESSION, Senders.BOTH,
            "Yes", 0, 0, true, List.of()),
    MAX_RECV_DATA_SEGMENT_LENGTH("MaxRecvDataSegmentLength", ValueType.NUMBER, Rule.DECLARATIVE, Use.ALL,
            Scope.CONNECTION, Senders.BOTH, "8192", 512, 16777215, false, List.of()),
    MAX_BURST_LENGTH("MaxBurstLength", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "262144", 512, 16777215, true, List.of()),
    FIRST_BURST_LENGTH("FirstBurstLength", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "65536", 512, 16777215, true, List.of()),
    DEFAULT_TIME_2_WAIT("DefaultTime2Wait", ValueType.NUMBER, Rule.MAX, Use.LO, Scope.SESSION, Senders.BOTH,
            "2", 0, 3600, false, List.of()),
    DEFAULT_TIME_2_RETAIN("DefaultTime2Retain", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "20", 0, 3600, false, List.of()),
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "1", 1, 65535, true, List.of()),
    DATA_PDU_IN_ORDER("DataPDUInOrder", ValueType.BOOLEAN, Rule.OR, Use.LO, Scope.SESSION, Senders.BOTH,
            "Yes", 0, 0, true, List.of()),
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", ValueType.BOOLEAN, Rule.OR, Use.LO, Scope.SESSION,
            Senders.BOTH, "Yes", 0, 0, true, List.of()),
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "0", 0, 2, false, List.of()),
    SESSION_TYPE("SessionType", ValueType.ENUMERATED, Rule.DECLARATIVE, Use.LO, Scope.SESSION, Senders.INITIATOR,
            "Normal", 0, 0, false, List.of("Discovery", "Normal")),
    TASK_REPORTING("TaskReporting", ValueType.LIST, Rule.LIST, Use.LO, Scope.SESSION, Senders.BOTH,
            "RFC3720", 0, 0, true, List.of("RFC3720", "ResponseFence", "FastAbort")),
    ISCSI_PROTOCOL_LEVEL("iSCSIProtocolLevel", ValueType.NUMBER, Rule.MIN, Use.LO, Scope.SESSION, Senders.BOTH,
            "1", 0, 31, true, List.of()),
    /** Obsoleted by RFC 7143 13.26: answered "No" (the MAY alternative to Reject), never NotUnderstood. */
    IF_MARKER("IFMarker", ValueType.BOOLEAN, Rule.OBSOLETE, Use.IO, Scope.CONNECTION, Senders.BOTH,
            "No", 0, 0, false, List.of()),
    OF_MARKER("OFMarker", ValueType.BOOLEAN, Rule.OBSOLETE, Use.IO, Scope.CONNECTION, Senders.BOTH,
            "No", 0, 0, false, List.of()),
    /** Obsoleted by RFC 7143 13.26: answered "Reject", never NotUnderstood. */
    IF_MARK_INT("IFMarkInt", ValueType.TEXT, Rule.OBSOLETE, Use.IO, Scope.CONNECTION, Senders.BOTH,
            null, 0, 0, false, List.of()),
    OF_MARK_INT("OFMarkInt", ValueType.TEXT, Rule.OBSOLETE, Use.IO, Scope.CONNECTION, Senders.BOTH,
            null, 0, 0, false, List.of());

    /** The syntax of a key's value (RFC 7143 6.1, 13). */
    public enum ValueType {
        /** Yes or No. */
        BOOLEAN,
        /** numerical-value in decimal or hex, within [min, max]. */
        NUMBER,
        /** list-of-values, comma separated, each item at most 255 bytes. */
        LIST,
        /** One of a fixed set of values. */
        ENUMERATED,
        /** iSCSI-name-value, at most 223 bytes (RFC 7143 4.2.7.1). */
        ISCSI_NAME,
        /** iSCSI-local-name-value: any UTF-8 without NUL. */
        LOCAL_NAME,
        /** text-value. */
        TEXT,
        /** TargetAddress: domainname[:port][,portal-group-tag]. */
        ADDRESS,
        /** binary-value: 0x hex or 0b base64. */
        BINARY
    }

    /** How the result is computed from offer and answer (RFC 7143 6.2, 13). */
    public enum Rule {
        /** Boolean, result = offer AND answer. */
        AND,
        /** Boolean, result = offer OR answer. */
        OR,
        /** Numerical, result = the smaller. */
        MIN,
        /** Numerical, result = the larger. */
        MAX,
        /** The acceptor picks the first value of the offered list it supports. */
        LIST,
        /** Declared by the sender; no answer. */
        DECLARATIVE,
        /** A step of the authentication exchange (RFC 7143 12). */
        AUTHENTICATION,
        /** A request answered by data, not by negotiation (SendTargets). */
        QUERY,
        /** Obsoleted key with a fixed answer. */
        OBSOLETE
    }

    /** When a key may be sent (RFC 7143 13, "Use"). */
    public enum Use {
        /** Initialize only: during login. */
        IO,
        /** Leading only: during login of the leading connection. */
        LO,
        /** During login and in the full feature phase. */
        ALL,
        /** Full feature phase only. */
        FFPO,
        /** Security negotiation stage only. */
        SECURITY
    }

    /** RFC 7143 13: "CO" connection only, "SW" session wide. */
    public enum Scope {
        CONNECTION,
        SESSION
    }

    /** Who may send (offer or declare) the key. */
    public enum Senders {
        INITIATOR,
        TARGET,
        BOTH
    }

    private static final Map<String, OperationalKey> BY_NAME = new HashMap<>();

    static {
        for (OperationalKey k : values()) {
            BY_NAME.put(k.wireName, k);
        }
    }

    private final String wireName;
    private final ValueType type;
    private final Rule rule;
    private final Use use;
    private final Scope scope;
    private final Senders senders;
    private final String defaultValue;
    private final long min;
    private final long max;
    private final boolean irrelevantInDiscovery;
    private final List<String> values;

    OperationalKey(String wireName, ValueType type, Rule rule, Use use, Scope scope, Senders senders,
                   String defaultValue, long min, long max, boolean irrelevantInDiscovery, List<String> values) {
        this.wireName = wireName;
        this.type = type;
        this.rule = rule;
        this.use = use;
        this.scope = scope;
        this.senders = senders;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.irrelevantInDiscovery = irrelevantInDiscovery;
        this.values = values;
    }

    /** The key as it appears on the wire (case-sensitive). */
    public String wireName() {
        return wireName;
    }

    public ValueType type() {
        return type;
    }

    public Rule rule() {
        return rule;
    }

    public Use use() {
        return use;
    }

    public Scope scope() {
        return scope;
    }

    public Senders senders() {
        return senders;
    }

    /** The RFC default, or null where the key has none. */
    public String defaultValue() {
        return defaultValue;
    }

    /** Smallest legal value for NUMBER keys (smallest binary length for BINARY keys). */
    public long min() {
        return min;
    }

    /** Largest legal value for NUMBER keys (largest binary length for BINARY keys). */
    public long max() {
        return max;
    }

    /** True where RFC 7143 says "Irrelevant when: SessionType=Discovery". */
    public boolean irrelevantInDiscovery() {
        return irrelevantInDiscovery;
    }

    /** The values the RFC defines for LIST and ENUMERATED keys; empty otherwise. */
    public List<String> allowedValues() {
        return values;
    }

    /** Keys of the authentication exchange, valid only in the security negotiation stage. */
    public boolean isSecurity() {
        return use == Use.SECURITY;
    }

    /**
     * Whether the initiator may send this key in a Login Request of {@code stage}: security keys
     * in the security stage, negotiated operational keys in the operational stage, declarations
     * (names, aliases, SessionType, MaxRecvDataSegmentLength) in either (RFC 7143 6.3).
     */
    public boolean validInLogin(LoginStage stage) {
        if (use == Use.FFPO || stage == LoginStage.FULL_FEATURE_PHASE) {
            return false;
        }
        if (use == Use.SECURITY) {
            return stage == LoginStage.SECURITY_NEGOTIATION;
        }
        if (rule == Rule.DECLARATIVE) {
            return true;
        }
        return stage == LoginStage.OPERATIONAL_NEGOTIATION;
    }

    /** Whether the key may appear in a Text Request of the full feature phase. */
    public boolean validInFullFeaturePhase() {
        return use == Use.ALL || use == Use.FFPO;
    }

    /** The key for a wire name, or null for an unknown or extension key. */
    public static OperationalKey of(String wireName) {
        return BY_NAME.get(wireName);
    }

    /** Private ({@code X-}) or public ({@code X#}) extension key (RFC 7143 13.22, 13.23). */
    public static boolean isExtension(String wireName) {
        return wireName.startsWith("X-") || wireName.startsWith("X#");
    }

    /** Longest encoded value accepted for a key: 255 bytes unless the RFC allows more. */
    public static int maxValueBytes(String wireName) {
        OperationalKey k = BY_NAME.get(wireName);
        if (k == null) {
            return TextKeys.MAX_VALUE_BYTES;
        }
        return switch (k) {
            // 1024 binary bytes (RFC 7143 12.1.3) as 0x + 2048 hex digits; base64 is shorter.
            case CHAP_C, CHAP_R -> 2 + 2 * ChapAlgorithm.MAX_BINARY_BYTES;
            // large-binary-values of SRP and Kerberos; bounded by the total text size anyway.
            case SRP_S, SRP_A, SRP_B, SRP_M, SRP_HM, KRB_AP_REQ, KRB_AP_REP -> TextKeys.MAX_TEXT_BYTES;
            case TARGET_NAME, INITIATOR_NAME -> 223;
            default -> TextKeys.MAX_VALUE_BYTES;
        };
    }
}
