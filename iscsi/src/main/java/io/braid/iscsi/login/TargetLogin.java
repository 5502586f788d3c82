package io.braid.iscsi.login;

import io.braid.iscsi.pdu.LoginRequest;
import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.iscsi.target.Portal;
import io.braid.iscsi.target.TargetDefinition;
import io.braid.iscsi.target.TargetServerConfig;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Target side of the login phase of one connection (RFC 7143 6.3, 11.12, 11.13): fed one Login
 * Request at a time, returns the Login Response to send and whether the login goes on,
 * completed or failed. No sockets and no Netty pipeline: the engine calls
 * {@link #onRequest(LoginRequest)} on the connection's thread.
 *
 * <p>The stages follow {@link LoginStage}: a request must carry the current stage as CSG; with
 * T = 1 it asks to move to NSG, which the target grants with T = 1 once the stage's work is done
 * (authentication finished, no offer of ours unanswered). A request with C = 1 is gathered and
 * answered with an empty response; a response longer than 8192 bytes goes out in pieces with
 * C = 1, each collected by an empty request.
 *
 * <p>The first complete request must name the initiator (InitiatorName), the session type
 * (SessionType, default Normal) and, for a normal session, a known target the initiator may use
 * (TargetName, checked with {@link TargetDefinition#allows}). The first response of a normal
 * session carries TargetPortalGroupTag and TargetAlias. CHAP is required when
 * {@link AuthConfig#required} names credentials for the initiator. A non-zero TSIH must name a
 * live session of the same initiator, ISID and target. ISID, TSIH, CID, Version-max/min (and
 * CmdSN on a leading login) must not change during the login; ExpCmdSN in every response is the
 * leading login's CmdSN.
 *
 * <p>Logs at debug only; the engine logs the outcome ({@link LoginStep.Failed#reason()} says why).
 *
 * <p>Status details used: 0x0200 protocol errors, 0x0201 authentication failure, 0x0202 ACL,
 * 0x0203 unknown target, 0x0205 Version-min above 0, 0x0206 too many connections, 0x0207
 * missing InitiatorName/TargetName, 0x0209 unknown SessionType, 0x020a no such session,
 * 0x0302 no TSIH left.
 */
public final class TargetLogin {
    private static final Logger log = LoggerFactory.getLogger(TargetLogin.class);

    /** The only iSCSI version (RFC 7143 11.12.4). */
    public static final int VERSION = 0x00;

    private final TargetLimits limits;
    private final AuthConfig auth;
    private final Portal portal;
    private final SessionDirectory sessions;
    private final Function<String, TargetDefinition> targets;
    private final RandomGenerator random;
    private final int cmdWindow;

    private final TextAccumulator incoming = new TextAccumulator();
    private final Deque<byte[]> outgoing = new ArrayDeque<>();
    private PendingReply pendingReply;

    private int statSn;
    private LoginStage stage;
    private boolean finished;
    private boolean headerSeen;
    private long isid;
    private int tsih;
    private int cid;
    private int versionMax;
    private int versionMin;
    private int cmdSn;

    private boolean identified;
    private final Map<String, String> identity = new LinkedHashMap<>();
    private String initiatorName;
    private SessionType sessionType;
    private TargetDefinition target;
    private SessionDirectory.SessionSnapshot joined;
    private Negotiator negotiator;

    private ChapCredentials requiredChap;
    private String authMethodOffer;
    private String authMethodAnswer;
    private ChapAuthenticator chap;

    /** The rest of a response sent in pieces, and what its last piece must say. */
    private record PendingReply(boolean transit, LoginStage next, int tsih, LoginResult result) {
    }

    /**
     * @param config        targets, auth and limits of the server
     * @param portal        the portal this connection came in on (its TargetPortalGroupTag)
     * @param sessions      the engine's session table
     * @param targets       finds a target by TargetName; null when there is no such target
     * @param initialStatSn the StatSN of the first Login Response (any value; RFC 7143 11.13.4)
     * @param random        source of CHAP identifiers and challenges
     */
    public TargetLogin(TargetServerConfig config, Portal portal, SessionDirectory sessions,
                       Function<String, TargetDefinition> targets, int initialStatSn,
                       RandomGenerator random) {
        this.limits = TargetLimits.from(config);
        this.auth = config.auth();
        this.portal = Objects.requireNonNull(portal, "portal");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.random = Objects.requireNonNull(random, "random");
        this.cmdWindow = Math.max(1, config.cmdWindow());
        this.statSn = initialStatSn;
    }

    /**
     * A login that looks targets up in {@code config}, starts StatSN at a random value and uses
     * a {@link SecureRandom} for CHAP.
     */
    public static TargetLogin create(TargetServerConfig config, Portal portal, SessionDirectory sessions) {
        SecureRandom random = new SecureRandom();
        return new TargetLogin(config, portal, sessions, byName(config), random.nextInt(), random);
    }

    /** Finds a target of {@code config} by name; iSCSI names compare case-insensitively (RFC 3722). */
    public static Function<String, TargetDefinition> byName(TargetServerConfig config) {
        return name -> config.targets().stream()
                .filter(t -> t.iqn().equalsIgnoreCase(name))
                .findFirst().orElse(null);
    }

    /** The current stage; null before the first request. */
    public LoginStage stage() {
        return stage;
    }

    /** Whether the login completed or failed; no more requests are accepted then. */
    public boolean finished() {
        return finished;
    }

    /**
     * Handles one Login Request. Reads (copies) the request's data and does not release it:
     * the caller still owns the request.
     *
     * @throws IllegalStateException when the login already completed or failed
     */
    public LoginStep onRequest(LoginRequest req) {
        if (finished) {
            throw new IllegalStateException("login already finished");
        }
        try {
            return handle(req);
        } catch (LoginException e) {
            return fail(req, e.status(), e.getMessage());
        } catch (TextFormatException e) {
            return fail(req, LoginStatus.INITIATOR_ERROR, e.getMessage());
        }
    }

    private LoginStep handle(LoginRequest req) {
        checkHeader(req);
        if (pendingReply != null) {
            if (req.cont() || req.data().isReadable()) {
                throw error("expected an empty Login Request to collect the rest of the response");
            }
            return sendPiece(req);
        }
        if (!incoming.append(req.data(), req.cont())) {
            // RFC 7143 11.12.2: acknowledge each piece of a long request with an empty response.
            return new LoginStep.Continue(response(req, false, false, null, tsih, LoginStatus.SUCCESS, new byte[0]));
        }
        Map<String, String> keys = TextKeys.parse(incoming.take());
        List<KeyValue> out = new ArrayList<>();
        if (!identified) {
            identify(keys, out);
        } else {
            checkIdentityRepeated(keys);
        }
        Map<String, String> security = new LinkedHashMap<>();
        Map<String, String> operational = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            OperationalKey k = OperationalKey.of(e.getKey());
            (k != null && k.isSecurity() ? security : operational).put(e.getKey(), e.getValue());
        }
        if (!security.isEmpty()) {
            if (stage != LoginStage.SECURITY_NEGOTIATION) {
                throw error(security.keySet().iterator().next() + " is only valid in the security negotiation stage");
            }
            out.addAll(authenticate(security));
        }
        boolean offersOutstanding = negotiator.awaitingAnswers();
        out.addAll(negotiator.respond(operational, stage));
        if (offersOutstanding && negotiator.awaitingAnswers()) {
            // RFC 7143 6.2: the responder answers every offer; a request that leaves ours open
            // would otherwise stall the login until a timeout.
            negotiator.result();
        }
        if (stage == LoginStage.OPERATIONAL_NEGOTIATION) {
            out.addAll(negotiator.declarations());
        }

        boolean transit = false;
        LoginStage next = req.transit() ? LoginStage.of(req.nsg()) : null;
        if (req.transit()) {
            transit = stage != LoginStage.SECURITY_NEGOTIATION || authenticationDone();
            if (next == LoginStage.FULL_FEATURE_PHASE && transit) {
                out.addAll(negotiator.declarations());
                // Offers only in the operational stage: operational keys are not allowed in the
                // security stage, so an initiator going 0 -> 3 gets the defaults.
                List<KeyValue> offers = stage == LoginStage.OPERATIONAL_NEGOTIATION ? negotiator.offers() : List.of();
                if (!offers.isEmpty()) {
                    // RFC 7143 11.13.3: a T=1 response must not carry keys needing an answer.
                    out.addAll(offers);
                    transit = false;
                }
            }
            if (negotiator.awaitingAnswers()) {
                transit = false;
            }
        }
        LoginResult result = null;
        int responseTsih = tsih;
        if (transit && next == LoginStage.FULL_FEATURE_PHASE) {
            NegotiatedParameters parameters = negotiator.result();
            if (tsih == 0) {
                responseTsih = allocateTsih();
            }
            result = new LoginResult(sessionType, initiatorName, negotiator.initiatorAlias(), target, isid,
                    responseTsih, cid, tsih == 0, parameters, chap == null ? null : chap.authenticatedUser(),
                    chap != null && chap.mutual(), expCmdSn(), 0);
        }
        return reply(req, out, transit, next, responseTsih, result);
    }

    private void checkHeader(LoginRequest req) {
        if (!headerSeen) {
            headerSeen = true;
            isid = req.isid();
            tsih = req.tsih();
            cid = req.cid();
            versionMax = req.versionMax();
            versionMin = req.versionMin();
            cmdSn = req.cmdSn();
            if (req.versionMin() > VERSION) {
                throw new LoginException(LoginStatus.UNSUPPORTED_VERSION,
                        "Version-min " + req.versionMin() + " is above the only version, " + VERSION);
            }
            LoginStage first = LoginStage.of(req.csg());
            if (first == null || first == LoginStage.FULL_FEATURE_PHASE) {
                throw error("CSG " + req.csg() + " is not a stage a login can start in");
            }
            moveTo(first);
        } else {
            if (req.isid() != isid || req.tsih() != tsih || req.cid() != cid) {
                throw error("ISID, TSIH or CID changed during the login (RFC 7143 11.12)");
            }
            if (req.versionMax() != versionMax || req.versionMin() != versionMin) {
                throw error("Version-max or Version-min changed during the login (RFC 7143 11.12.4)");
            }
            if (tsih == 0 && req.cmdSn() != cmdSn) {
                throw error("CmdSN changed from " + Integer.toUnsignedString(cmdSn) + " to "
                        + Integer.toUnsignedString(req.cmdSn()) + " during a leading login (RFC 7143 11.12.8)");
            }
            if (req.csg() != stage.code()) {
                throw error("CSG " + req.csg() + " but the login is in " + stage);
            }
        }
        if (req.transit() && req.cont()) {
            throw error("T and C both set (RFC 7143 11.12.2)");
        }
        if (req.transit()) {
            LoginStage next = LoginStage.of(req.nsg());
            if (next == null || !stage.canTransitTo(next)) {
                throw error("NSG " + req.nsg() + " is not a later stage than " + stage);
            }
        }
    }

    private void identify(Map<String, String> keys, List<KeyValue> out) {
        identified = true;
        initiatorName = keys.get("InitiatorName");
        if (initiatorName == null || initiatorName.isEmpty()) {
            throw new LoginException(LoginStatus.MISSING_PARAMETER, "InitiatorName is missing from the first Login Request");
        }
        if (!isIscsiName(initiatorName)) {
            throw error("InitiatorName " + initiatorName + " is not an iqn., eui. or naa. name");
        }
        String type = keys.getOrDefault("SessionType", SessionType.NORMAL.wireName());
        sessionType = SessionType.of(type);
        if (sessionType == null) {
            throw new LoginException(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "SessionType=" + type + " is not Discovery or Normal");
        }
        String targetName = keys.get("TargetName");
        if (sessionType == SessionType.NORMAL) {
            if (targetName == null || targetName.isEmpty()) {
                throw new LoginException(LoginStatus.MISSING_PARAMETER, "TargetName is missing from the first Login Request of a normal session");
            }
            target = targets.apply(targetName);
            if (target == null) {
                throw new LoginException(LoginStatus.NOT_FOUND, "no target named " + targetName);
            }
            if (!target.allows(initiatorName)) {
                throw new LoginException(LoginStatus.AUTHORIZATION_FAILURE,
                        initiatorName + " is not allowed to log in to " + target.iqn());
            }
        }
        if (tsih != 0) {
            joined = sessions.find(tsih);
            if (joined == null || !joined.initiatorName().equals(initiatorName) || joined.isid() != isid
                    || joined.sessionType() != sessionType
                    || (target != null && !target.iqn().equalsIgnoreCase(String.valueOf(joined.targetName())))) {
                throw new LoginException(LoginStatus.SESSION_DOES_NOT_EXIST,
                        "no session with TSIH " + tsih + " for this initiator, ISID and target");
            }
            if (!joined.connectionIds().contains(cid)
                    && joined.connectionIds().size() >= joined.parameters().maxConnections()) {
                throw new LoginException(LoginStatus.TOO_MANY_CONNECTIONS, "session " + tsih + " already has "
                        + joined.connectionIds().size() + " of MaxConnections=" + joined.parameters().maxConnections());
            }
        }
        identity.put("InitiatorName", initiatorName);
        identity.put("SessionType", keys.get("SessionType"));
        identity.put("TargetName", targetName);
        requiredChap = auth.required(initiatorName);
        if (requiredChap != null && stage != LoginStage.SECURITY_NEGOTIATION) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                    "CHAP is required for " + initiatorName + " but the login skipped security negotiation");
        }
        negotiator = new Negotiator(limits, sessionType, joined == null ? null : joined.parameters());
        if (sessionType == SessionType.NORMAL) {
            // RFC 7143 13.9: the response to the first complete request carries the tag.
            out.add(new KeyValue("TargetPortalGroupTag", Integer.toString(portal.tpgt())));
            if (target.alias() != null && !target.alias().isEmpty()) {
                out.add(new KeyValue("TargetAlias", target.alias()));
            }
        }
        log.debug("login: {} {} session, isid={} tsih={} cid={}", initiatorName, sessionType,
                Long.toHexString(isid), tsih, cid);
    }

    /** InitiatorName, TargetName and SessionType may be repeated with the same value only. */
    private void checkIdentityRepeated(Map<String, String> keys) {
        for (Map.Entry<String, String> e : identity.entrySet()) {
            String again = keys.get(e.getKey());
            if (again != null && e.getValue() == null) {
                throw error(e.getKey() + " may only be sent in the first Login Request");
            }
            if (again != null && !again.equals(e.getValue())) {
                throw error(e.getKey() + " declared again with a different value (RFC 7143 6.2)");
            }
        }
    }

    private List<KeyValue> authenticate(Map<String, String> keys) {
        List<KeyValue> out = new ArrayList<>();
        Map<String, String> chapKeys = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String key = e.getKey();
            if (key.equals("AuthMethod")) {
                out.add(new KeyValue(key, chooseAuthMethod(e.getValue())));
            } else if (key.startsWith("CHAP_")) {
                chapKeys.put(key, e.getValue());
            } else {
                out.add(new KeyValue(key, Values.IRRELEVANT)); // SRP/Kerberos keys: never selected
            }
        }
        if (!chapKeys.isEmpty()) {
            if (chap == null) {
                throw error(chapKeys.keySet().iterator().next() + " without AuthMethod=CHAP agreed");
            }
            out.addAll(chap.step(chapKeys));
        }
        return out;
    }

    /** RFC 7143 6.2.1: the first method in the initiator's list that we allow for it. */
    private String chooseAuthMethod(String offer) {
        if (authMethodOffer != null) {
            if (!authMethodOffer.equals(offer)) {
                throw error("AuthMethod offered again with a different value (RFC 7143 6.2)");
            }
            return authMethodAnswer;
        }
        authMethodOffer = offer;
        List<String> items = Values.list(offer);
        List<String> offered = items == null ? List.of() : items;
        if (requiredChap != null) {
            if (!offered.contains("CHAP")) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                        "CHAP is required for " + initiatorName + " but AuthMethod offered " + offer);
            }
            chap = new ChapAuthenticator(requiredChap, auth.mutualChap(), random);
            authMethodAnswer = "CHAP";
        } else {
            authMethodAnswer = offered.contains("None") ? "None" : Values.REJECT;
        }
        return authMethodAnswer;
    }

    private boolean authenticationDone() {
        if (requiredChap == null) {
            return true;
        }
        if (chap == null) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                    "CHAP is required for " + initiatorName + " but the initiator tried to leave security negotiation without it");
        }
        return chap.succeeded();
    }

    private int allocateTsih() {
        int t;
        try {
            t = sessions.allocateTsih();
        } catch (RuntimeException e) {
            throw new LoginException(LoginStatus.OUT_OF_RESOURCES, "no TSIH available: " + e.getMessage());
        }
        if (t <= 0 || t > 0xffff) {
            throw new LoginException(LoginStatus.TARGET_ERROR, "session directory gave TSIH " + t + ", not 1..65535");
        }
        return t;
    }

    /** Sends the answer, in pieces of at most 8192 bytes when longer (RFC 7143 11.13.2). */
    private LoginStep reply(LoginRequest req, List<KeyValue> out, boolean transit, LoginStage next,
                            int responseTsih, LoginResult result) {
        byte[] text = TextKeys.encode(out);
        if (text.length > TextKeys.LOGIN_SEGMENT_BYTES) {
            outgoing.addAll(TextKeys.split(text, TextKeys.LOGIN_SEGMENT_BYTES));
            pendingReply = new PendingReply(transit, next, responseTsih, result);
            return sendPiece(req);
        }
        return finish(req, transit, next, responseTsih, result, text);
    }

    private LoginStep sendPiece(LoginRequest req) {
        byte[] piece = outgoing.removeFirst();
        if (!outgoing.isEmpty()) {
            return new LoginStep.Continue(response(req, false, true, null, tsih, LoginStatus.SUCCESS, piece));
        }
        PendingReply p = pendingReply;
        pendingReply = null;
        return finish(req, p.transit(), p.next(), p.tsih(), p.result(), piece);
    }

    private LoginStep finish(LoginRequest req, boolean transit, LoginStage next, int responseTsih,
                             LoginResult result, byte[] text) {
        LoginResponse response = response(req, transit, false, transit ? next : null, responseTsih,
                LoginStatus.SUCCESS, text);
        if (transit) {
            moveTo(next);
        }
        if (result != null) {
            finished = true;
            LoginResult done = new LoginResult(result.sessionType(), result.initiatorName(), result.initiatorAlias(),
                    result.target(), result.isid(), result.tsih(), result.cid(), result.newSession(),
                    result.parameters(), result.authenticatedUser(), result.mutualChap(), result.expCmdSn(), statSn);
            log.debug("login: {} logged in to {} ({} session, tsih={}, cid={}{})", initiatorName,
                    target == null ? "discovery" : target.iqn(), sessionType, done.tsih(), cid,
                    done.authenticatedUser() == null ? "" : ", CHAP user " + done.authenticatedUser());
            return new LoginStep.Complete(response, done);
        }
        return new LoginStep.Continue(response);
    }

    private LoginStep fail(LoginRequest req, LoginStatus status, String reason) {
        finished = true;
        incoming.reset();
        outgoing.clear();
        pendingReply = null;
        log.debug("login: {} isid={} refused: {}: {}", initiatorName == null ? "initiator" : initiatorName,
                Long.toHexString(req.isid()), status, reason);
        LoginResponse response = response(req, false, false, null, req.tsih(), status, new byte[0]);
        return new LoginStep.Failed(response, status, reason);
    }

    private LoginResponse response(LoginRequest req, boolean transit, boolean cont, LoginStage next,
                                   int responseTsih, LoginStatus status, byte[] data) {
        int csg = stage != null ? stage.code() : (LoginStage.of(req.csg()) != null ? req.csg() : 0);
        int expCmdSn = headerSeen ? expCmdSn() : req.cmdSn();
        int maxCmdSn = joined != null ? joined.maxCmdSn() : expCmdSn + cmdWindow - 1;
        return new LoginResponse(transit, cont, csg, next == null ? 0 : next.code(), VERSION, VERSION,
                req.isid(), responseTsih, req.itt(), statSn++, expCmdSn, maxCmdSn, status.statusClass(),
                status.statusDetail(), data.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(data));
    }

    private int expCmdSn() {
        return joined != null ? joined.expCmdSn() : cmdSn;
    }

    private void moveTo(LoginStage next) {
        if (stage != null && !stage.canTransitTo(next)) {
            throw new IllegalStateException("login: " + stage + " -> " + next + " is not allowed");
        }
        log.debug("login: {} -> {}", stage == null ? "START" : stage, next);
        stage = next;
    }

    private static boolean isIscsiName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (!(lower.startsWith("iqn.") || lower.startsWith("eui.") || lower.startsWith("naa.")) || name.length() < 5) {
            return false;
        }
        return name.chars().allMatch(c -> c > 0x20 && c != 0x7f);
    }

    private static LoginException error(String message) {
        return new LoginException(LoginStatus.INITIATOR_ERROR, message);
    }
}
