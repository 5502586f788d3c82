package io.braid.host.iscsi;

import io.braid.iscsi.login.ChapAlgorithm;
import io.braid.iscsi.login.ChapResponder;
import io.braid.iscsi.login.InitiatorNegotiator;
import io.braid.iscsi.login.KeyValue;
import io.braid.iscsi.login.LoginException;
import io.braid.iscsi.login.LoginStage;
import io.braid.iscsi.login.LoginStatus;
import io.braid.iscsi.login.NegotiatedParameters;
import io.braid.iscsi.login.SessionType;
import io.braid.iscsi.login.TextAccumulator;
import io.braid.iscsi.login.TextFormatException;
import io.braid.iscsi.login.TextKeys;
import io.braid.iscsi.pdu.LoginRequest;
import io.braid.iscsi.pdu.LoginResponse;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Initiator side of the login phase of one connection (RFC 7143 6.3, 11.12, 11.13): produces
 * the Login Requests and takes the target's Login Responses until the full feature phase is
 * reached or the login fails. No sockets: the session feeds it one response at a time on its
 * event loop.
 *
 * <p>The conversation: the security stage with {@code AuthMethod=None} (straight on with T=1) or
 * CHAP ({@code AuthMethod=CHAP,None} for one-way CHAP, {@code CHAP} alone for mutual CHAP, so a
 * target cannot skip proving itself), then CHAP_A, then CHAP_N/CHAP_R with T=1; then the
 * operational stage with every offer of {@link InitiatorNegotiator} and T=1 to the full feature
 * phase, answering offers of the target until it grants the transit. A response split with C=1
 * is collected with empty requests. Every loop is bounded.
 */
final class InitiatorLogin {
    private static final Logger log = LoggerFactory.getLogger(InitiatorLogin.class);

    /** Requests one login may take before the initiator gives up on a target that never transits. */
    static final int MAX_EXCHANGES = 32;

    /** What to do after a response. */
    sealed interface Step permits Send, Complete, Failed {
    }

    /** Send this request and wait for the next response. */
    record Send(LoginRequest request) implements Step {
    }

    /** The login reached the full feature phase. */
    record Complete(Result result) implements Step {
    }

    /**
     * The login failed; the connection must be dropped.
     *
     * @param redirect the TargetAddress of a redirection (status class 1), else null
     */
    record Failed(LoginFailedException failure, String redirect) implements Step {
    }

    /**
     * A completed login.
     *
     * @param parameters  the negotiated operational parameters
     * @param tsih        the session's TSIH
     * @param statSn      StatSN of the final Login Response
     * @param expCmdSn    ExpCmdSN of the final Login Response
     * @param maxCmdSn    MaxCmdSN of the final Login Response
     * @param targetAlias TargetAlias, or null
     * @param tpgt        TargetPortalGroupTag, or -1 when the target did not send it
     */
    record Result(NegotiatedParameters parameters, int tsih, int statSn, int expCmdSn, int maxCmdSn,
                  String targetAlias, int tpgt) {
    }

    /** Progress through the stages (RFC 7143 6.3); the transitions only move forward. */
    enum Phase {
        /** First request sent, AuthMethod offered. */
        AUTH_METHOD,
        /** CHAP agreed, CHAP_A sent, awaiting CHAP_A/CHAP_I/CHAP_C. */
        CHAP_CHALLENGE,
        /** CHAP_N/CHAP_R sent with T=1, awaiting the transit (and the target's CHAP_N/CHAP_R). */
        CHAP_RESPONSE,
        /** AuthMethod=None agreed, asking to leave the security stage. */
        SECURITY_TRANSIT,
        /** Operational offers sent with T=1 to the full feature phase. */
        OPERATIONAL,
        DONE,
        FAILED;

        private static final Map<Phase, Set<Phase>> NEXT = Map.of(
                AUTH_METHOD, EnumSet.of(CHAP_CHALLENGE, SECURITY_TRANSIT, OPERATIONAL, FAILED),
                CHAP_CHALLENGE, EnumSet.of(CHAP_RESPONSE, FAILED),
                CHAP_RESPONSE, EnumSet.of(OPERATIONAL, FAILED),
                SECURITY_TRANSIT, EnumSet.of(OPERATIONAL, FAILED),
                OPERATIONAL, EnumSet.of(DONE, FAILED),
                DONE, EnumSet.noneOf(Phase.class),
                FAILED, EnumSet.noneOf(Phase.class));
    }

    private final String initiatorName;
    private final String initiatorAlias;
    private final SessionType sessionType;
    private final String targetName;
    private final long isid;
    private final int itt;
    private final int cid;
    private final int cmdSn;
    private final Authentication auth;
    private final InitiatorNegotiator negotiator;
    private final ChapResponder chap;
    private final TextAccumulator incoming = new TextAccumulator();

    private Phase phase = Phase.AUTH_METHOD;
    private LoginStage stage = LoginStage.SECURITY_NEGOTIATION;
    private int expStatSn;
    private boolean statSnKnown;
    private int exchanges;

    /**
     * @param targetName the TargetName of a normal session; null for a discovery session
     * @param cmdSn      the session's initial CmdSN (a leading login)
     */
    InitiatorLogin(String initiatorName, String initiatorAlias, String targetName, long isid, int itt,
                   int cid, int cmdSn, Authentication auth, InitiatorNegotiator.Preferences preferences) {
        this.initiatorName = initiatorName;
        this.initiatorAlias = initiatorAlias;
        this.sessionType = targetName == null ? SessionType.DISCOVERY : SessionType.NORMAL;
        this.targetName = targetName;
        this.isid = isid;
        this.itt = itt;
        this.cid = cid;
        this.cmdSn = cmdSn;
        this.auth = auth == null ? Authentication.NONE : auth;
        this.negotiator = new InitiatorNegotiator(preferences, sessionType);
        // SHA3-256, else MD5 (which every target has). SHA-256 (CHAP_A=7) is not offered: tgt
        // reads 7 as SHA-1 and fails the login instead of choosing another algorithm.
        this.chap = this.auth.usesChap()
                ? new ChapResponder(this.auth.initiator(), this.auth.target(),
                List.of(ChapAlgorithm.SHA3_256, ChapAlgorithm.MD5))
                : null;
    }

    Phase phase() {
        return phase;
    }

    /** The first Login Request: the identity keys and the AuthMethod offer. */
    LoginRequest first() {
        List<KeyValue> keys = new ArrayList<>();
        keys.add(new KeyValue("InitiatorName", initiatorName));
        if (initiatorAlias != null && !initiatorAlias.isEmpty()) {
            keys.add(new KeyValue("InitiatorAlias", initiatorAlias));
        }
        keys.add(new KeyValue("SessionType", sessionType.wireName()));
        if (targetName != null) {
            keys.add(new KeyValue("TargetName", targetName));
        }
        if (chap == null) {
            keys.add(new KeyValue("AuthMethod", "None"));
            // Nothing to authenticate: ask for the operational stage at once.
            return request(true, LoginStage.OPERATIONAL_NEGOTIATION, keys);
        }
        keys.add(new KeyValue("AuthMethod", auth.mutual() ? "CHAP" : "CHAP,None"));
        return request(false, null, keys);
    }

    /**
     * Takes one Login Response; the caller still owns (and releases) it.
     */
    Step onResponse(LoginResponse r) {
        if (phase == Phase.DONE || phase == Phase.FAILED) {
            throw new IllegalStateException("login already " + phase);
        }
        try {
            return handle(r);
        } catch (LoginException e) {
            return fail(e.status(), e.getMessage(), null);
        } catch (TextFormatException e) {
            return fail(LoginStatus.TARGET_ERROR, "target's login text: " + e.getMessage(), null);
        }
    }

    private Step handle(LoginResponse r) {
        if (++exchanges > MAX_EXCHANGES) {
            throw targetError("login did not complete within " + MAX_EXCHANGES + " exchanges");
        }
        if (r.itt() != itt) {
            throw targetError(String.format("Login Response ITT 0x%08x; expected 0x%08x", r.itt(), itt));
        }
        // tgt leaves the ISID at 0 in the responses of a CHAP exchange; any other value is wrong.
        if (r.isid() != isid && r.isid() != 0) {
            throw targetError(String.format("Login Response ISID 0x%012x; expected 0x%012x", r.isid(), isid));
        }
        expStatSn = r.statSn() + 1;
        statSnKnown = true;
        if (r.statusClass() != 0) {
            LoginStatus status = LoginStatus.of(r.statusClass(), r.statusDetail());
            String shown = status != null ? status.toString()
                    : String.format("0x%02x%02x", r.statusClass(), r.statusDetail());
            if (r.statusClass() == 1) {
                Map<String, String> keys = TextKeys.parse(r.data());
                String address = keys.get("TargetAddress");
                return fail(status, "target redirected the login (" + shown + ")"
                        + (address == null ? " without a TargetAddress" : " to " + address), address);
            }
            return fail(status, "target refused the login: " + shown, null);
        }
        if (r.versionActive() != 0) {
            throw targetError("Version-active " + r.versionActive() + "; only version 0 exists");
        }
        if (r.transit() && r.cont()) {
            throw targetError("Login Response with both T and C set (RFC 7143 11.13.2)");
        }
        if (r.csg() != stage.code()) {
            throw targetError("Login Response CSG " + r.csg() + " while the login is in " + stage);
        }
        if (!incoming.append(r.data(), r.cont())) {
            // RFC 7143 11.13.2: collect the rest of a split response with empty requests.
            return send(request(false, null, List.of()));
        }
        Map<String, String> keys = TextKeys.parse(incoming.take());
        LoginStage next = r.transit() ? LoginStage.of(r.nsg()) : null;
        if (r.transit() && (next == null || !stage.canTransitTo(next))) {
            throw targetError("Login Response NSG " + r.nsg() + " is not a later stage than " + stage);
        }
        return switch (phase) {
            case AUTH_METHOD -> onAuthMethod(r, keys, next);
            case CHAP_CHALLENGE -> {
                declarations(keys);
                List<KeyValue> answer = chap.respond(keys);
                moveTo(Phase.CHAP_RESPONSE);
                yield send(request(true, LoginStage.OPERATIONAL_NEGOTIATION, answer));
            }
            case CHAP_RESPONSE -> {
                if (next == null) {
                    throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                            "target did not end the security stage after the CHAP response");
                }
                if (chap.mutual()) {
                    chap.verifyTarget(keys);
                }
                declarations(keys);
                yield enter(next, r);
            }
            case SECURITY_TRANSIT -> {
                declarations(keys);
                yield next == null ? send(request(true, LoginStage.OPERATIONAL_NEGOTIATION, List.of())) : enter(next, r);
            }
            case OPERATIONAL -> onOperational(r, keys, next);
            case DONE, FAILED -> throw new IllegalStateException("login already " + phase);
        };
    }

    private Step onAuthMethod(LoginResponse r, Map<String, String> keys, LoginStage next) {
        String method = keys.get("AuthMethod");
        declarations(keys);
        if (chap == null) {
            if (method != null && !method.equals("None")) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "target chose AuthMethod="
                        + method + " but no CHAP credentials are configured for this initiator");
            }
            if (next != null) {
                return enter(next, r);
            }
            moveTo(Phase.SECURITY_TRANSIT);
            return send(request(true, LoginStage.OPERATIONAL_NEGOTIATION, List.of()));
        }
        if ("CHAP".equals(method)) {
            moveTo(Phase.CHAP_CHALLENGE);
            return send(request(false, null, List.of(chap.algorithmOffer())));
        }
        if ("None".equals(method) && !auth.mutual()) {
            // One-way CHAP offered CHAP,None: a target that does not ask for credentials may pick None.
            log.debug("login: target {} chose AuthMethod=None", targetName);
            if (next != null) {
                return enter(next, r);
            }
            moveTo(Phase.SECURITY_TRANSIT);
            return send(request(true, LoginStage.OPERATIONAL_NEGOTIATION, List.of()));
        }
        throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "target answered AuthMethod="
                + method + " to the offer " + (auth.mutual() ? "CHAP (mutual CHAP is required)" : "CHAP,None"));
    }

    /** Enters the stage the target granted. */
    private Step enter(LoginStage next, LoginResponse r) {
        stage = next;
        if (next == LoginStage.FULL_FEATURE_PHASE) {
            // The target went straight from security to full feature: every key keeps its default.
            moveTo(Phase.OPERATIONAL);
            return complete(r);
        }
        moveTo(Phase.OPERATIONAL);
        return send(request(true, LoginStage.FULL_FEATURE_PHASE, negotiator.offers()));
    }

    private Step onOperational(LoginResponse r, Map<String, String> keys, LoginStage next) {
        List<KeyValue> answers = negotiator.accept(keys);
        if (next == LoginStage.FULL_FEATURE_PHASE) {
            return complete(r);
        }
        return send(request(true, LoginStage.FULL_FEATURE_PHASE, answers));
    }

    private Step complete(LoginResponse r) {
        NegotiatedParameters parameters = negotiator.result();
        moveTo(Phase.DONE);
        Integer tpgt = negotiator.targetPortalGroupTag();
        return new Complete(new Result(parameters, r.tsih(), r.statSn(), r.expCmdSn(),
                r.maxCmdSn(), negotiator.targetAlias(), tpgt == null ? -1 : tpgt));
    }

    /** TargetAlias and TargetPortalGroupTag may come in any response; other keys belong to their stage. */
    private void declarations(Map<String, String> keys) {
        Map<String, String> d = new LinkedHashMap<>();
        for (String k : List.of("TargetAlias", "TargetPortalGroupTag")) {
            if (keys.containsKey(k)) {
                d.put(k, keys.get(k));
            }
        }
        if (!d.isEmpty()) {
            negotiator.accept(d);
        }
    }

    private Step send(LoginRequest request) {
        return new Send(request);
    }

    private LoginRequest request(boolean transit, LoginStage nextStage, List<KeyValue> keys) {
        byte[] text = TextKeys.encode(keys);
        if (text.length > TextKeys.LOGIN_SEGMENT_BYTES) {
            throw new IllegalStateException("login text of " + text.length + " bytes exceeds one PDU");
        }
        return new LoginRequest(transit, false, stage.code(), transit ? nextStage.code() : 0, 0, 0, isid, 0,
                itt, cid, cmdSn, statSnKnown ? expStatSn : 0,
                text.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(text));
    }

    private Step fail(LoginStatus status, String message, String redirect) {
        if (phase != Phase.FAILED) {
            moveTo(Phase.FAILED);
        }
        return new Failed(new LoginFailedException(status, message), redirect);
    }

    private void moveTo(Phase next) {
        if (!Phase.NEXT.get(phase).contains(next)) {
            throw new IllegalStateException("initiator login: " + phase + " -> " + next + " is not allowed");
        }
        log.debug("initiator login: {} -> {}", phase, next);
        phase = next;
    }

    private static LoginException targetError(String message) {
        return new LoginException(LoginStatus.TARGET_ERROR, message);
    }
}
