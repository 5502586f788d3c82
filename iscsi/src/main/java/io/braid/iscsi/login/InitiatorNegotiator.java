package io.braid.iscsi.login;

import io.braid.iscsi.login.OperationalKey.Rule;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Initiator side of operational parameter negotiation (RFC 7143 6.2, 13), for the host agent:
 * builds the offers of the operational stage from {@link Preferences}, checks each answer of
 * the target for admissibility (a LIST answer must be one of the offered values, a MIN answer
 * no larger than the offer, and so on), answers keys the target offers itself, and produces
 * {@link NegotiatedParameters}. A target that breaks the rules is reported with a
 * {@link LoginException} (TARGET_ERROR); the initiator then drops the connection, as the RFC
 * asks of it. One instance per connection.
 */
public final class InitiatorNegotiator {

    /**
     * What the initiator asks for.
     *
     * @param headerDigests            HeaderDigest values in order of preference
     * @param dataDigests              DataDigest values in order of preference
     * @param maxRecvDataSegmentLength what the initiator declares it can receive
     * @param maxBurstLength           MaxBurstLength offered
     * @param firstBurstLength         FirstBurstLength offered
     * @param maxOutstandingR2T        MaxOutstandingR2T offered
     * @param initialR2T               InitialR2T offered
     * @param immediateData            ImmediateData offered
     * @param defaultTime2Wait         DefaultTime2Wait offered
     * @param defaultTime2Retain       DefaultTime2Retain offered
     */
    public record Preferences(List<Digest> headerDigests, List<Digest> dataDigests, int maxRecvDataSegmentLength,
                              int maxBurstLength, int firstBurstLength, int maxOutstandingR2T,
                              boolean initialR2T, boolean immediateData, int defaultTime2Wait,
                              int defaultTime2Retain) {
        public Preferences {
            headerDigests = List.copyOf(headerDigests);
            dataDigests = List.copyOf(dataDigests);
            if (headerDigests.isEmpty() || dataDigests.isEmpty()) {
                throw new IllegalArgumentException("at least one digest value per list");
            }
        }

        /** Digests off, 256 KiB segments and bursts, unsolicited and immediate data on. */
        public static Preferences defaults() {
            return new Preferences(List.of(Digest.NONE), List.of(Digest.NONE), 262144, 262144, 65536, 1,
                    false, true, 2, 0);
        }
    }

    private final Preferences prefs;
    private final SessionType sessionType;
    private final Map<OperationalKey, String> offered = new EnumMap<>(OperationalKey.class);
    private final Map<OperationalKey, String> results = new EnumMap<>(OperationalKey.class);
    private String targetAlias;
    private Integer targetPortalGroupTag;
    private Integer targetMrdsl;

    public InitiatorNegotiator(Preferences prefs, SessionType sessionType) {
        this.prefs = prefs;
        this.sessionType = sessionType;
    }

    /**
     * The keys to send in the operational stage: every operational key for a normal session;
     * digests, MaxRecvDataSegmentLength, the times and ErrorRecoveryLevel for discovery.
     */
    public List<KeyValue> offers() {
        Map<OperationalKey, String> o = new LinkedHashMap<>();
        o.put(OperationalKey.HEADER_DIGEST, join(prefs.headerDigests()));
        o.put(OperationalKey.DATA_DIGEST, join(prefs.dataDigests()));
        if (sessionType == SessionType.NORMAL) {
            o.put(OperationalKey.MAX_CONNECTIONS, "1");
            o.put(OperationalKey.INITIAL_R2T, Values.bool(prefs.initialR2T()));
            o.put(OperationalKey.IMMEDIATE_DATA, Values.bool(prefs.immediateData()));
            o.put(OperationalKey.MAX_BURST_LENGTH, Integer.toString(prefs.maxBurstLength()));
            o.put(OperationalKey.FIRST_BURST_LENGTH, Integer.toString(prefs.firstBurstLength()));
            o.put(OperationalKey.MAX_OUTSTANDING_R2T, Integer.toString(prefs.maxOutstandingR2T()));
            o.put(OperationalKey.DATA_PDU_IN_ORDER, Values.YES);
            o.put(OperationalKey.DATA_SEQUENCE_IN_ORDER, Values.YES);
        }
        o.put(OperationalKey.DEFAULT_TIME_2_WAIT, Integer.toString(prefs.defaultTime2Wait()));
        o.put(OperationalKey.DEFAULT_TIME_2_RETAIN, Integer.toString(prefs.defaultTime2Retain()));
        o.put(OperationalKey.ERROR_RECOVERY_LEVEL, "0");
        List<KeyValue> out = new ArrayList<>();
        o.forEach((k, v) -> {
            offered.put(k, v);
            out.add(new KeyValue(k.wireName(), v));
        });
        out.add(new KeyValue(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.wireName(),
                Integer.toString(prefs.maxRecvDataSegmentLength())));
        return out;
    }

    /**
     * Takes the keys of a Login Response: answers to our offers, the target's declarations and
     * the target's own offers.
     *
     * @return answers to the target's offers, for the next Login Request
     * @throws LoginException TARGET_ERROR for an inadmissible answer or declaration
     */
    public List<KeyValue> accept(Map<String, String> keys) {
        List<KeyValue> answers = new ArrayList<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            OperationalKey k = OperationalKey.of(name);
            if (k == null) {
                answers.add(new KeyValue(name, Values.NOT_UNDERSTOOD));
                continue;
            }
            switch (k) {
                case MAX_RECV_DATA_SEGMENT_LENGTH -> targetMrdsl = (int) number(k, value);
                case TARGET_ALIAS -> targetAlias = value;
                case TARGET_PORTAL_GROUP_TAG -> targetPortalGroupTag = (int) number(k, value);
                case TARGET_ADDRESS -> {
                    // only meaningful with a redirect status, which the caller handles
                }
                default -> {
                    if (k.isSecurity()) {
                        continue; // the authentication exchange is the caller's (ChapResponder)
                    }
                    String ours = offered.get(k);
                    if (ours != null) {
                        checkAnswer(k, ours, value);
                    } else {
                        answers.add(new KeyValue(name, answerOffer(k, value)));
                    }
                }
            }
        }
        return answers;
    }

    private void checkAnswer(OperationalKey k, String ours, String value) {
        if (value.equals(Values.REJECT) || value.equals(Values.IRRELEVANT)) {
            return; // the key keeps its default (RFC 7143 6.2)
        }
        if (value.equals(Values.NOT_UNDERSTOOD)) {
            throw error("target answered NotUnderstood for the standard key " + k.wireName());
        }
        boolean admissible = switch (k.rule()) {
            case LIST -> Values.list(ours).contains(value);
            case MIN, MAX -> {
                Long n = Values.number(value);
                long offer = Long.parseLong(ours);
                yield n != null && n >= k.min() && n <= k.max() && (k.rule() == Rule.MIN ? n <= offer : n >= offer);
            }
            case AND -> Values.bool(value) != null && (Values.bool(ours) || !Values.bool(value));
            case OR -> Values.bool(value) != null && (!Values.bool(ours) || Values.bool(value));
            default -> false;
        };
        if (!admissible) {
            throw error("target answered " + k.wireName() + "=" + value + " to the offer " + ours);
        }
        results.put(k, k.type() == OperationalKey.ValueType.NUMBER ? Long.toString(Values.number(value)) : value);
    }

    /** Our answer to a key the target offered. */
    private String answerOffer(OperationalKey k, String value) {
        if (k.rule() == Rule.OBSOLETE) {
            return k.type() == OperationalKey.ValueType.BOOLEAN ? Values.NO : Values.REJECT;
        }
        if (sessionType == SessionType.DISCOVERY && k.irrelevantInDiscovery()) {
            return Values.IRRELEVANT;
        }
        String result = switch (k.rule()) {
            case AND, OR -> {
                Boolean b = Values.bool(value);
                if (b == null) {
                    yield null;
                }
                boolean ours = Values.YES.equals(ownValue(k));
                yield Values.bool(k.rule() == Rule.AND ? b && ours : b || ours);
            }
            case MIN, MAX -> {
                Long n = Values.number(value);
                if (n == null || n < k.min() || n > k.max()) {
                    yield null;
                }
                long ours = Long.parseLong(ownValue(k));
                yield Long.toString(k.rule() == Rule.MIN ? Math.min(n, ours) : Math.max(n, ours));
            }
            case LIST -> {
                List<String> items = Values.list(value);
                yield items == null ? null : items.stream().filter(i -> i.equals(k.defaultValue())).findFirst().orElse(null);
            }
            default -> null;
        };
        if (result == null) {
            return Values.REJECT;
        }
        results.put(k, result);
        return result;
    }

    private String ownValue(OperationalKey k) {
        return switch (k) {
            case MAX_CONNECTIONS -> "1";
            case MAX_OUTSTANDING_R2T -> Integer.toString(prefs.maxOutstandingR2T());
            case INITIAL_R2T -> Values.bool(prefs.initialR2T());
            case IMMEDIATE_DATA -> Values.bool(prefs.immediateData());
            case MAX_BURST_LENGTH -> Integer.toString(prefs.maxBurstLength());
            case FIRST_BURST_LENGTH -> Integer.toString(prefs.firstBurstLength());
            case DEFAULT_TIME_2_WAIT -> Integer.toString(prefs.defaultTime2Wait());
            case DEFAULT_TIME_2_RETAIN -> Integer.toString(prefs.defaultTime2Retain());
            case ERROR_RECOVERY_LEVEL -> "0";
            case DATA_PDU_IN_ORDER, DATA_SEQUENCE_IN_ORDER -> Values.YES;
            default -> k.defaultValue();
        };
    }

    /** The target's TargetAlias, or null. */
    public String targetAlias() {
        return targetAlias;
    }

    /** The TargetPortalGroupTag the target reported, or null. */
    public Integer targetPortalGroupTag() {
        return targetPortalGroupTag;
    }

    /** The final values; keys nobody negotiated keep their RFC defaults. */
    public NegotiatedParameters result() {
        NegotiatedParameters d = NegotiatedParameters.DEFAULTS;
        NegotiatedParameters p = new NegotiatedParameters(
                Digest.of(results.getOrDefault(OperationalKey.HEADER_DIGEST, "None")),
                Digest.of(results.getOrDefault(OperationalKey.DATA_DIGEST, "None")),
                num(OperationalKey.MAX_CONNECTIONS, d.maxConnections()),
                bool(OperationalKey.INITIAL_R2T, d.initialR2T()),
                bool(OperationalKey.IMMEDIATE_DATA, d.immediateData()),
                prefs.maxRecvDataSegmentLength(), targetMrdsl == null ? 8192 : targetMrdsl,
                num(OperationalKey.MAX_BURST_LENGTH, d.maxBurstLength()),
                num(OperationalKey.FIRST_BURST_LENGTH, d.firstBurstLength()),
                num(OperationalKey.DEFAULT_TIME_2_WAIT, d.defaultTime2Wait()),
                num(OperationalKey.DEFAULT_TIME_2_RETAIN, d.defaultTime2Retain()),
                num(OperationalKey.MAX_OUTSTANDING_R2T, d.maxOutstandingR2T()),
                bool(OperationalKey.DATA_PDU_IN_ORDER, d.dataPduInOrder()),
                bool(OperationalKey.DATA_SEQUENCE_IN_ORDER, d.dataSequenceInOrder()),
                num(OperationalKey.ERROR_RECOVERY_LEVEL, d.errorRecoveryLevel()),
                results.getOrDefault(OperationalKey.TASK_REPORTING, d.taskReporting()),
                num(OperationalKey.ISCSI_PROTOCOL_LEVEL, d.iscsiProtocolLevel()));
        if (sessionType == SessionType.NORMAL && p.unsolicitedDataAllowed() && p.firstBurstLength() > p.maxBurstLength()) {
            throw error("FirstBurstLength " + p.firstBurstLength() + " exceeds MaxBurstLength " + p.maxBurstLength());
        }
        return p;
    }

    private long number(OperationalKey k, String value) {
        Long n = Values.number(value);
        if (n == null || n < k.min() || n > k.max()) {
            throw error(k.wireName() + "=" + value + " is not a number in " + k.min() + ".." + k.max());
        }
        return n;
    }

    private int num(OperationalKey k, int fallback) {
        String v = results.get(k);
        return v != null ? Integer.parseInt(v) : fallback;
    }

    private boolean bool(OperationalKey k, boolean fallback) {
        String v = results.get(k);
        return v != null ? Values.YES.equals(v) : fallback;
    }

    private static String join(List<Digest> digests) {
        return digests.stream().map(Digest::wireName).collect(Collectors.joining(","));
    }

    private static LoginException error(String message) {
        return new LoginException(LoginStatus.TARGET_ERROR, message);
    }
}
