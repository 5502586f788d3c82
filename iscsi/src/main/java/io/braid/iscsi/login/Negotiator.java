package io.braid.iscsi.login;

import io.braid.iscsi.login.OperationalKey.Rule;
import io.braid.iscsi.login.OperationalKey.Senders;
import io.braid.iscsi.login.OperationalKey.Use;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Target side of operational parameter negotiation (RFC 7143 6.2, 13): answers the
 * initiator's offers against {@link TargetLimits}, declares the target's
 * MaxRecvDataSegmentLength, offers the keys whose default the target cannot accept, checks the
 * initiator's answers to those offers, and produces {@link NegotiatedParameters}.
 *
 * <p>Answers follow RFC 7143 6.2: an unknown or extension key gets NotUnderstood; a key that
 * does not apply gets Irrelevant (keys irrelevant in a discovery session, leading-only keys on
 * a connection added to an existing session); a value of the wrong type or out of range gets
 * Reject and the key keeps its default. A login-ending {@link LoginException} (initiator error
 * 0x0200) is thrown for what the RFC treats as a protocol error: a key in the wrong stage, a key
 * only targets send, a full-feature-only key during login, an illegal declaration, a key offered
 * again with a different value (6.2: renegotiation), an inadmissible answer to a target offer,
 * or FirstBurstLength above MaxBurstLength at the end. A key offered again with the same value
 * is answered again, because some initiators (libiscsi) repeat every key in each Login Request
 * of a stage.
 *
 * <p>InitiatorName, TargetName and SessionType are identity, handled by {@link TargetLogin}; the
 * negotiator ignores them. Security keys (AuthMethod, CHAP_*) are handled there too and are an
 * error here. One instance per connection, confined to its thread.
 */
public final class Negotiator {
    /** Keys the target may offer itself, in the order it offers them. */
    private static final List<OperationalKey> OFFERABLE = List.of(
            OperationalKey.MAX_CONNECTIONS, OperationalKey.INITIAL_R2T, OperationalKey.IMMEDIATE_DATA,
            OperationalKey.MAX_BURST_LENGTH, OperationalKey.FIRST_BURST_LENGTH,
            OperationalKey.DEFAULT_TIME_2_WAIT, OperationalKey.DEFAULT_TIME_2_RETAIN,
            OperationalKey.MAX_OUTSTANDING_R2T, OperationalKey.DATA_PDU_IN_ORDER,
            OperationalKey.DATA_SEQUENCE_IN_ORDER, OperationalKey.ERROR_RECOVERY_LEVEL,
            OperationalKey.ISCSI_PROTOCOL_LEVEL);

    private final TargetLimits limits;
    private final SessionType sessionType;
    private final NegotiatedParameters session;

    /** Results so far, as wire values. */
    private final Map<OperationalKey, String> results = new EnumMap<>(OperationalKey.class);
    /** What the initiator offered, to tell a repeated offer from a renegotiation. */
    private final Map<OperationalKey, String> offers = new EnumMap<>(OperationalKey.class);
    /** What we answered, to answer a repeated offer the same way. */
    private final Map<OperationalKey, String> answers = new EnumMap<>(OperationalKey.class);
    /** Our offers still waiting for the initiator's answer. */
    private final Map<OperationalKey, String> pending = new EnumMap<>(OperationalKey.class);
    private boolean declared;
    private String initiatorAlias;

    /**
     * @param limits      the target's own values
     * @param sessionType the session being logged into
     * @param session     the parameters of the existing session when this connection joins one
     *                    (TSIH != 0), whose session-wide values are then fixed; null for the
     *                    leading connection of a new session
     */
    public Negotiator(TargetLimits limits, SessionType sessionType, NegotiatedParameters session) {
        this.limits = limits;
        this.sessionType = sessionType;
        this.session = session;
    }

    public Negotiator(TargetLimits limits, SessionType sessionType) {
        this(limits, sessionType, null);
    }

    /** The initiator's InitiatorAlias, or null when it sent none. */
    public String initiatorAlias() {
        return initiatorAlias;
    }

    private boolean leading() {
        return session == null;
    }

    /**
     * Answers the keys of one complete Login Request text received in {@code stage}.
     *
     * @return the answers, in offer order (MaxBurstLength is settled before FirstBurstLength)
     * @throws LoginException INITIATOR_ERROR for protocol errors, see the class comment
     */
    public List<KeyValue> respond(Map<String, String> keys, LoginStage stage) {
        Map<String, String> ordered = new LinkedHashMap<>(keys);
        // FirstBurstLength is capped by MaxBurstLength, so settle MaxBurstLength first.
        String fbl = OperationalKey.FIRST_BURST_LENGTH.wireName();
        if (ordered.containsKey(fbl)) {
            String v = ordered.remove(fbl);
            ordered.put(fbl, v);
        }
        List<KeyValue> out = new ArrayList<>();
        for (Map.Entry<String, String> e : ordered.entrySet()) {
            String answer = respond(e.getKey(), e.getValue(), stage);
            if (answer != null) {
                out.add(new KeyValue(e.getKey(), answer));
            }
        }
        return out;
    }

    private String respond(String name, String value, LoginStage stage) {
        OperationalKey k = OperationalKey.of(name);
        if (k == null) {
            return Values.NOT_UNDERSTOOD; // unknown keys and X-/X# extensions (RFC 7143 6.2, 13.22)
        }
        if (k == OperationalKey.INITIATOR_NAME || k == OperationalKey.TARGET_NAME
                || k == OperationalKey.SESSION_TYPE) {
            return null;
        }
        if (k.isSecurity()) {
            throw error(name + " is only valid in the security negotiation stage");
        }
        if (k.senders() == Senders.TARGET) {
            throw error(name + " is sent by targets only");
        }
        if (k.use() == Use.FFPO) {
            throw error(name + " is only valid in the full feature phase");
        }
        if (!k.validInLogin(stage)) {
            throw error(name + " is not allowed in " + stage);
        }
        if (pending.containsKey(k)) {
            acceptAnswer(k, value);
            return null;
        }
        String previous = offers.get(k);
        if (previous != null) {
            if (!previous.equals(value)) {
                throw error(name + " offered again with a different value (renegotiation, RFC 7143 6.2)");
            }
            return answers.get(k); // same offer repeated: same answer, or none for a declaration
        }
        offers.put(k, value);
        String answer = negotiate(k, value);
        if (answer != null) {
            answers.put(k, answer);
        }
        return answer;
    }

    private String negotiate(OperationalKey k, String value) {
        if (k.rule() == Rule.OBSOLETE) {
            // RFC 7143 13.26: Reject (or No for the marker switches), never NotUnderstood.
            return k.type() == OperationalKey.ValueType.BOOLEAN ? Values.NO : Values.REJECT;
        }
        if (k.rule() == Rule.DECLARATIVE) {
            declare(k, value);
            return null;
        }
        if (sessionType == SessionType.DISCOVERY && k.irrelevantInDiscovery()) {
            return Values.IRRELEVANT;
        }
        if (!leading() && k.use() == Use.LO) {
            return Values.IRRELEVANT; // fixed by the leading connection
        }
        return switch (k.rule()) {
            case AND, OR -> {
                Boolean offered = Values.bool(value);
                if (offered == null) {
                    yield Values.REJECT;
                }
                boolean ours = ownBoolean(k);
                boolean result = k.rule() == Rule.AND ? offered && ours : offered || ours;
                results.put(k, Values.bool(result));
                yield Values.bool(result);
            }
            case MIN, MAX -> {
                Long offered = Values.number(value);
                if (offered == null || offered < k.min() || offered > k.max()) {
                    yield Values.REJECT;
                }
                long ours = ownNumber(k);
                long result = k.rule() == Rule.MIN ? Math.min(offered, ours) : Math.max(offered, ours);
                results.put(k, Long.toString(result));
                yield Long.toString(result);
            }
            case LIST -> {
                List<String> items = Values.list(value);
                String chosen = null;
                if (items != null) {
                    for (String item : items) {
                        if (supports(k, item)) {
                            chosen = item;
                            break;
                        }
                    }
                }
                if (chosen == null) {
                    yield Values.REJECT;
                }
                results.put(k, chosen);
                yield chosen;
            }
            default -> throw new IllegalStateException("no negotiation for " + k);
        };
    }

    private void declare(OperationalKey k, String value) {
        switch (k) {
            case MAX_RECV_DATA_SEGMENT_LENGTH -> {
                Long n = Values.number(value);
                if (n == null || n < k.min() || n > k.max()) {
                    throw error("MaxRecvDataSegmentLength=" + value + " is not a number in " + k.min() + ".." + k.max());
                }
                results.put(k, Long.toString(n));
            }
            case INITIATOR_ALIAS -> initiatorAlias = value;
            default -> throw new IllegalStateException("no declaration handling for " + k);
        }
    }

    private boolean supports(OperationalKey k, String item) {
        return switch (k) {
            case HEADER_DIGEST, DATA_DIGEST -> Digest.of(item) != null;
            // ResponseFence and FastAbort need task management semantics we do not implement.
            case TASK_REPORTING -> item.equals("RFC3720");
            default -> false;
        };
    }

    /** Our side of a Boolean negotiation. */
    private boolean ownBoolean(OperationalKey k) {
        return switch (k) {
            case INITIAL_R2T -> limits.initialR2T();
            case IMMEDIATE_DATA -> limits.immediateData();
            case DATA_PDU_IN_ORDER -> limits.dataPduInOrder();
            case DATA_SEQUENCE_IN_ORDER -> limits.dataSequenceInOrder();
            default -> throw new IllegalStateException("not a Boolean key: " + k);
        };
    }

    /** Our side of a numerical negotiation. */
    private long ownNumber(OperationalKey k) {
        return switch (k) {
            case MAX_CONNECTIONS -> limits.maxConnections();
            case MAX_BURST_LENGTH -> limits.maxBurstLength();
            // Never let FirstBurstLength exceed MaxBurstLength (RFC 7143 13.14).
            case FIRST_BURST_LENGTH -> Math.min(limits.firstBurstLength(), currentNumber(OperationalKey.MAX_BURST_LENGTH));
            case DEFAULT_TIME_2_WAIT -> limits.defaultTime2Wait();
            case DEFAULT_TIME_2_RETAIN -> limits.defaultTime2Retain();
            case MAX_OUTSTANDING_R2T -> limits.maxOutstandingR2T();
            case ERROR_RECOVERY_LEVEL -> limits.errorRecoveryLevel();
            case ISCSI_PROTOCOL_LEVEL -> limits.iscsiProtocolLevel();
            default -> throw new IllegalStateException("not a numerical key: " + k);
        };
    }

    /** The value a key has now: negotiated, else what it will be if nobody negotiates it. */
    private long currentNumber(OperationalKey k) {
        String v = results.get(k);
        if (v != null) {
            return Long.parseLong(v);
        }
        if (k == OperationalKey.MAX_BURST_LENGTH) {
            return Math.min(limits.maxBurstLength(), Long.parseLong(k.defaultValue()));
        }
        return Long.parseLong(k.defaultValue());
    }

    private boolean currentBoolean(OperationalKey k) {
        String v = results.get(k);
        return Values.YES.equals(v != null ? v : k.defaultValue());
    }

    /**
     * The target's declarations, returned once: MaxRecvDataSegmentLength, which the target must
     * declare since its value is not the default for every configuration (RFC 7143 13.12).
     */
    public List<KeyValue> declarations() {
        if (declared) {
            return List.of();
        }
        declared = true;
        return List.of(new KeyValue(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.wireName(),
                Integer.toString(limits.maxRecvDataSegmentLength())));
    }

    /**
     * Offers for keys the initiator did not negotiate whose default this target cannot accept
     * (say a MaxBurstLength limit below 262144). Called when the initiator asks to leave the
     * operational stage; the response carrying offers must have T = 0, and the initiator
     * answers in its next request. Empty when there is nothing to offer (the usual case, since
     * initiators offer every key).
     */
    public List<KeyValue> offers() {
        if (!leading() || sessionType == SessionType.DISCOVERY) {
            return List.of();
        }
        List<KeyValue> out = new ArrayList<>();
        for (OperationalKey k : OFFERABLE) {
            if (results.containsKey(k) || offers.containsKey(k) || pending.containsKey(k)) {
                continue;
            }
            if (k == OperationalKey.FIRST_BURST_LENGTH && !firstBurstRelevant()) {
                continue;
            }
            String ours = switch (k.rule()) {
                case MIN -> ownNumber(k) < Long.parseLong(k.defaultValue()) ? Long.toString(ownNumber(k)) : null;
                case MAX -> ownNumber(k) > Long.parseLong(k.defaultValue()) ? Long.toString(ownNumber(k)) : null;
                case AND -> !ownBoolean(k) && Values.YES.equals(k.defaultValue()) ? Values.NO : null;
                case OR -> ownBoolean(k) && Values.NO.equals(k.defaultValue()) ? Values.YES : null;
                default -> null;
            };
            if (ours != null) {
                pending.put(k, ours);
                out.add(new KeyValue(k.wireName(), ours));
            }
        }
        return out;
    }

    /** Whether the target is waiting for answers to its offers. */
    public boolean awaitingAnswers() {
        return !pending.isEmpty();
    }

    private boolean firstBurstRelevant() {
        // RFC 7143 13.14: irrelevant when InitialR2T=Yes and ImmediateData=No.
        return !(currentBoolean(OperationalKey.INITIAL_R2T) && !currentBoolean(OperationalKey.IMMEDIATE_DATA));
    }

    /** Checks the initiator's answer to one of our offers (RFC 7143 6.2.2 admissibility). */
    private void acceptAnswer(OperationalKey k, String value) {
        String offered = pending.remove(k);
        String name = k.wireName();
        if (value.equals(Values.IRRELEVANT) && k == OperationalKey.FIRST_BURST_LENGTH) {
            return; // legal when InitialR2T=Yes and ImmediateData=No; the default stays
        }
        if (Values.isReserved(value)) {
            throw error("initiator answered " + name + "=" + value + " to the target's offer " + offered
                    + "; the default " + k.defaultValue() + " is beyond this target's limit");
        }
        boolean admissible = switch (k.rule()) {
            case MIN, MAX -> {
                Long n = Values.number(value);
                long ours = Long.parseLong(offered);
                yield n != null && n >= k.min() && n <= k.max() && (k.rule() == Rule.MIN ? n <= ours : n >= ours);
            }
            case AND -> Values.bool(value) != null && (Values.bool(offered) || !Values.bool(value));
            case OR -> Values.bool(value) != null && (!Values.bool(offered) || Values.bool(value));
            default -> false;
        };
        if (!admissible) {
            throw error("initiator's answer " + name + "=" + value + " is not admissible for the offer " + offered);
        }
        results.put(k, k.type() == OperationalKey.ValueType.NUMBER ? Long.toString(Values.number(value)) : value);
    }

    /**
     * The final values, checked for consistency. Call when the login transits to the full
     * feature phase.
     *
     * @throws LoginException INITIATOR_ERROR when an offer is unanswered or FirstBurstLength
     *                        exceeds MaxBurstLength
     */
    public NegotiatedParameters result() {
        if (!pending.isEmpty()) {
            throw error("initiator did not answer the target's offers " + pending.keySet().stream()
                    .map(OperationalKey::wireName).toList());
        }
        NegotiatedParameters base = session != null ? session : NegotiatedParameters.DEFAULTS;
        int initiatorMrdsl = (int) number(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH, 8192);
        int targetMrdsl = declared ? limits.maxRecvDataSegmentLength() : 8192;
        Digest header = Digest.of(results.getOrDefault(OperationalKey.HEADER_DIGEST, "None"));
        Digest data = Digest.of(results.getOrDefault(OperationalKey.DATA_DIGEST, "None"));
        if (!leading()) {
            return new NegotiatedParameters(header, data, base.maxConnections(), base.initialR2T(),
                    base.immediateData(), initiatorMrdsl, targetMrdsl, base.maxBurstLength(),
                    base.firstBurstLength(), base.defaultTime2Wait(), base.defaultTime2Retain(),
                    base.maxOutstandingR2T(), base.dataPduInOrder(), base.dataSequenceInOrder(),
                    base.errorRecoveryLevel(), base.taskReporting(), base.iscsiProtocolLevel());
        }
        NegotiatedParameters p = new NegotiatedParameters(header, data,
                (int) number(OperationalKey.MAX_CONNECTIONS, base.maxConnections()),
                bool(OperationalKey.INITIAL_R2T, base.initialR2T()),
                bool(OperationalKey.IMMEDIATE_DATA, base.immediateData()),
                initiatorMrdsl, targetMrdsl,
                (int) number(OperationalKey.MAX_BURST_LENGTH, base.maxBurstLength()),
                (int) number(OperationalKey.FIRST_BURST_LENGTH, base.firstBurstLength()),
                (int) number(OperationalKey.DEFAULT_TIME_2_WAIT, base.defaultTime2Wait()),
                (int) number(OperationalKey.DEFAULT_TIME_2_RETAIN, base.defaultTime2Retain()),
                (int) number(OperationalKey.MAX_OUTSTANDING_R2T, base.maxOutstandingR2T()),
                bool(OperationalKey.DATA_PDU_IN_ORDER, base.dataPduInOrder()),
                bool(OperationalKey.DATA_SEQUENCE_IN_ORDER, base.dataSequenceInOrder()),
                (int) number(OperationalKey.ERROR_RECOVERY_LEVEL, base.errorRecoveryLevel()),
                results.getOrDefault(OperationalKey.TASK_REPORTING, base.taskReporting()),
                (int) number(OperationalKey.ISCSI_PROTOCOL_LEVEL, base.iscsiProtocolLevel()));
        if (sessionType == SessionType.NORMAL && p.unsolicitedDataAllowed()
                && p.firstBurstLength() > p.maxBurstLength()) {
            throw error("FirstBurstLength " + p.firstBurstLength() + " exceeds MaxBurstLength "
                    + p.maxBurstLength() + " (RFC 7143 13.14)");
        }
        return p;
    }

    private long number(OperationalKey k, long fallback) {
        String v = results.get(k);
        return v != null ? Long.parseLong(v) : fallback;
    }

    private boolean bool(OperationalKey k, boolean fallback) {
        String v = results.get(k);
        return v != null ? Values.YES.equals(v) : fallback;
    }

    /**
     * The answer to a Text Request's keys in the full feature phase, SendTargets aside.
     *
     * @param answers                           keys to send back
     * @param initiatorMaxRecvDataSegmentLength a new declaration by the initiator, or null
     * @param initiatorAlias                    a new InitiatorAlias, or null
     */
    public record FullFeatureAnswer(List<KeyValue> answers, Integer initiatorMaxRecvDataSegmentLength,
                                    String initiatorAlias) {
    }

    /**
     * Answers the keys of a full-feature-phase Text Request (RFC 7143 6.2, 13), except
     * SendTargets, which the caller answers with data: MaxRecvDataSegmentLength and
     * InitiatorAlias (Use: ALL) are declarations taken without answer (an out-of-range length is
     * answered Reject and ignored); unknown and extension keys get NotUnderstood; every other
     * RFC key was settled at login and gets Reject.
     */
    public static FullFeatureAnswer respondInFullFeaturePhase(Map<String, String> keys) {
        List<KeyValue> out = new ArrayList<>();
        Integer mrdsl = null;
        String alias = null;
        for (Map.Entry<String, String> e : keys.entrySet()) {
            OperationalKey k = OperationalKey.of(e.getKey());
            if (k == OperationalKey.SEND_TARGETS) {
                continue;
            }
            if (k == null) {
                out.add(new KeyValue(e.getKey(), Values.NOT_UNDERSTOOD));
            } else if (k == OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH) {
                Long n = Values.number(e.getValue());
                if (n == null || n < k.min() || n > k.max()) {
                    out.add(new KeyValue(e.getKey(), Values.REJECT));
                } else {
                    mrdsl = n.intValue();
                }
            } else if (k == OperationalKey.INITIATOR_ALIAS) {
                alias = e.getValue();
            } else {
                out.add(new KeyValue(e.getKey(), Values.REJECT));
            }
        }
        return new FullFeatureAnswer(List.copyOf(out), mrdsl, alias);
    }

    private static LoginException error(String message) {
        return new LoginException(LoginStatus.INITIATOR_ERROR, message);
    }
}
