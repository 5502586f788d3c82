package io.braid.host.pr;

import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathPathState;
import io.braid.host.multipath.PathStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A multipath device's persistent reservation across its paths, the way {@code mpathpersist}
 * and multipathd keep one for dm-multipath (SPC-5 "Persistent reservations"). Each path is its
 * own I_T nexus, so:
 * <ul>
 * <li>{@link #register} registers the key through every path whose session is logged in, and
 *     a path that appears or is reinstated later gets it too ({@link #pathUp}) — unless the key
 *     is no longer registered anywhere, because then another host preempted it and registering
 *     again would undo that host's fencing;</li>
 * <li>{@link #reserve}, {@link #release}, {@link #clear} and {@link #preempt} go through one
 *     path, the one {@link ReservationStrategy#reservePath} picks;</li>
 * <li>when the path holding a Write Exclusive or Exclusive Access reservation fails, the
 *     reservation moves to a surviving path ({@link #pathFailed}): PREEMPT with the own key as
 *     SERVICE ACTION RESERVATION KEY makes the issuing nexus the holder with the same type and
 *     removes the other nexuses' registrations of that key (SPC-5 "Preempting persistent
 *     reservations and registration handling"), so the key is registered again on the other
 *     paths right after. For registrants only types the registered paths keep their access
 *     when the holder's path fails, so the move waits until a holder is needed (release,
 *     preempt) instead of unregistering the surviving paths for a moment under running I/O.
 *     All registrants types have no single holder and never move.</li>
 * </ul>
 *
 * <p>Threads: every method blocks its caller for the commands it sends (each bounded); calls
 * are serialised on the keeper. Never call it on a session's event loop.
 */
public final class ReservationKeeper {
    private static final Logger log = LoggerFactory.getLogger(ReservationKeeper.class);

    private final MultipathDevice device;
    private final Function<PathId, Optional<IscsiSession>> sessions;
    private final String initiatorName;
    private final Duration bound;
    private final Supplier<ReservationStrategy> strategy;

    // Guarded by this; key and preempted volatile for keeps(), which must not wait for the lock.
    private volatile long key;
    private PrType type;
    private PathId holder;
    private volatile boolean preempted;
    private String lastError;

    /**
     * @param sessions      the live session of a path (the agent's, {@code HostAgent::session})
     * @param initiatorName this host's iSCSI name, to tell our registrations from others'
     * @param bound         how long one command may take
     * @param strategy      the strategy, asked on each decision (a policy module may provide one)
     */
    public ReservationKeeper(MultipathDevice device, Function<PathId, Optional<IscsiSession>> sessions,
                             String initiatorName, Duration bound, Supplier<ReservationStrategy> strategy) {
        this.device = device;
        this.sessions = sessions;
        this.initiatorName = initiatorName;
        this.bound = bound;
        this.strategy = strategy;
    }

    public MultipathDevice device() {
        return device;
    }

    /** The key registered through this keeper, 0 when none. */
    public synchronized long key() {
        return key;
    }

    /** The type of the reservation this keeper made, or null. */
    public synchronized PrType type() {
        return type;
    }

    /** The path holding the reservation this keeper made, or null (none, or all registrants). */
    public synchronized PathId holder() {
        return holder;
    }

    /**
     * Whether this keeper holds a registration of this host that no other host is known to have
     * preempted. Never blocks (the driver asks on a session's event loop).
     */
    public boolean keeps() {
        return key != 0 && !preempted;
    }

    private ReservationStrategy strategy() {
        ReservationStrategy s = strategy.get();
        return s == null ? ReservationStrategy.DEFAULT : s;
    }

    // ------------------------------------------------------------------ requests

    /**
     * Registers {@code newKey} through every path whose session is logged in (REGISTER AND IGNORE
     * EXISTING KEY, so a path registered before, with this key or an old one, ends with this
     * one); key 0 unregisters every path, which also releases a reservation they hold.
     *
     * @throws PrException when no path registered it; per-path failures are in the result
     */
    public synchronized PrResult register(long newKey) throws PrException {
        List<PrResult.Step> steps = new ArrayList<>();
        List<PathStatus> usable = usable();
        if (usable.isEmpty()) {
            throw noPath("register");
        }
        int done = 0;
        PrException first = null;
        for (PathStatus p : usable) {
            try {
                commands(p.id()).out(PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY, null, 0, newKey);
                steps.add(step(p.id(), "REGISTER AND IGNORE EXISTING KEY", null));
                done++;
            } catch (PrException e) {
                steps.add(step(p.id(), "REGISTER AND IGNORE EXISTING KEY", e.getMessage()));
                first = first == null ? e : first;
            }
        }
        if (done == 0) {
            lastError = first.getMessage();
            throw first;
        }
        key = newKey;
        preempted = false;
        if (newKey == 0) {
            type = null;
            holder = null;
        }
        lastError = first == null ? null : first.getMessage();
        log.info("pr {}: key {} registered through {} of {} path(s)", device.name(), PrCdbs.keyText(newKey), done,
                usable.size());
        return new PrResult((newKey == 0 ? "unregister" : "register " + PrCdbs.keyText(newKey)), steps);
    }

    /** RESERVE with the registered key through the strategy's path. */
    public synchronized PrResult reserve(PrType t) throws PrException {
        requireKey("reserve");
        PathStatus p = strategy().reservePath(usableOrFail("reserve"));
        commands(p.id()).out(PrOutAction.RESERVE, t, key, 0);
        type = t;
        holder = t.allRegistrants() ? null : p.id();
        lastError = null;
        log.info("pr {}: reserved {} through {}", device.name(), t.label(), p.id());
        return new PrResult("reserve " + t.label(), List.of(step(p.id(), "RESERVE", null)));
    }

    /**
     * RELEASE through the holder's path. When that path is gone the reservation first moves to
     * a usable path (PREEMPT with the own key), because a RELEASE from a nexus that does not hold
     * the reservation does nothing (SPC-5 "Releasing persistent reservations").
     */
    public synchronized PrResult release() throws PrException {
        requireKey("release");
        List<PrResult.Step> steps = new ArrayList<>();
        PrReservation r = commands(strategy().reservePath(usableOrFail("release")).id()).readReservation();
        if (!r.reserved()) {
            type = null;
            holder = null;
            return new PrResult("release (nothing reserved)", steps);
        }
        if (r.key() != key && !r.type().allRegistrants()) {
            throw new PrException(PrException.Kind.INVALID_REQUEST, "device " + device.name()
                    + ": the reservation is held by key " + PrCdbs.keyText(r.key()) + ", not this host's "
                    + PrCdbs.keyText(key));
        }
        PathId through;
        if (r.type().allRegistrants()) {
            through = strategy().reservePath(usableOrFail("release")).id();
        } else if (holder != null && isUsable(holder)) {
            through = holder;
        } else {
            type = r.type();
            through = moveReservation(steps);
        }
        commands(through).out(PrOutAction.RELEASE, r.type(), key, 0);
        steps.add(step(through, "RELEASE", null));
        type = null;
        holder = null;
        lastError = null;
        log.info("pr {}: released {} through {}", device.name(), r.type().label(), through);
        return new PrResult("release " + r.type().label(), steps);
    }

    /** CLEAR: every registration (ours on every path, and other hosts') and the reservation go. */
    public synchronized PrResult clear() throws PrException {
        requireKey("clear");
        PathStatus p = strategy().reservePath(usableOrFail("clear"));
        commands(p.id()).out(PrOutAction.CLEAR, null, key, 0);
        key = 0;
        type = null;
        holder = null;
        lastError = null;
        log.info("pr {}: cleared through {}", device.name(), p.id());
        return new PrResult("clear", List.of(step(p.id(), "CLEAR", null)));
    }

    /**
     * PREEMPT (or PREEMPT AND ABORT) {@code victimKey}: removes its registrations and, when it
     * held the reservation (or for all registrants types with victim 0), takes the reservation
     * with {@code t}. Preempting the own key moves the reservation here and the key is then
     * registered again on the other paths.
     */
    public synchronized PrResult preempt(long victimKey, PrType t, boolean abort) throws PrException {
        requireKey("preempt");
        List<PrResult.Step> steps = new ArrayList<>();
        PathStatus p = strategy().reservePath(usableOrFail("preempt"));
        PrOutAction action = abort ? PrOutAction.PREEMPT_AND_ABORT : PrOutAction.PREEMPT;
        PrCommands c = commands(p.id());
        c.out(action, t, key, victimKey);
        steps.add(step(p.id(), action.name().replace('_', ' '), null));
        PrReservation r = c.readReservation();
        if (r.reserved() && (r.key() == key || r.type().allRegistrants())) {
            type = r.type();
            holder = r.type().allRegistrants() ? null : p.id();
        } else if (!r.reserved() || r.key() != key) {
            type = null;
            holder = null;
        }
        if (victimKey == key) {
            reRegister(p.id(), steps);
        }
        lastError = null;
        log.info("pr {}: preempted {} through {}", device.name(), PrCdbs.keyText(victimKey), p.id());
        return new PrResult((abort ? "preempt-and-abort " : "preempt ") + PrCdbs.keyText(victimKey), steps);
    }

    /**
     * The registrations and the reservation as the unit reports them (READ FULL STATUS, and READ
     * RESERVATION), with ours mapped to our paths by initiator name and ISID.
     */
    public synchronized PrStatus status() throws PrException {
        List<PathStatus> all = device.paths();
        PathStatus through = strategy().reservePath(usableOrFail("show"));
        PrCommands c = commands(through.id());
        PrFullStatus full = c.readFullStatus();
        PrReservation res = c.readReservation();
        List<PrStatus.PathRegistration> paths = new ArrayList<>();
        List<PrFullStatus.Registration> ours = new ArrayList<>();
        String holderPath = null;
        String holderPort = null;
        for (PathStatus p : all) {
            Optional<IscsiSession> s = sessions.apply(p.id());
            long isid = s.map(IscsiSession::isid).orElse(-1L);
            PrFullStatus.Registration mine = full.registrations().stream()
                    .filter(r -> r.isNexusOf(initiatorName, isid)).findFirst().orElse(null);
            if (mine != null) {
                ours.add(mine);
                if (mine.holder() && !mine.type().allRegistrants()) {
                    holderPath = pathText(p.id());
                }
            }
            paths.add(new PrStatus.PathRegistration(p.id().hostPort(), p.id().storagePort(), p.state().label(),
                    isid < 0 ? null : String.format("%012x", isid), mine == null ? null : PrCdbs.keyText(mine.key()),
                    mine != null && mine.holder()));
        }
        List<PrStatus.Registrant> others = new ArrayList<>();
        for (PrFullStatus.Registration r : full.registrations()) {
            if (r.holder() && !r.type().allRegistrants()) {
                holderPort = r.initiatorPort();
            }
            if (!ours.contains(r)) {
                others.add(new PrStatus.Registrant(r.initiatorPort(), PrCdbs.keyText(r.key()), r.holder(),
                        r.relativeTargetPortId()));
            }
        }
        PrStatus.Reservation reservation = res.reserved() ? new PrStatus.Reservation(PrCdbs.keyText(res.key()),
                res.type().label(), holderPath, holderPort) : null;
        return new PrStatus(device.name(), device.id(), key == 0 ? null : PrCdbs.keyText(key), full.generation(),
                reservation, paths, others, preempted, lastError);
    }

    // ------------------------------------------------------------------ path events

    /**
     * A path appeared or was reinstated: it gets the key when the strategy says so and the key is
     * still registered on the unit; then a single holder whose path is gone moves here (Write
     * Exclusive, Exclusive Access), as does one the strategy now prefers elsewhere.
     */
    public synchronized void pathUp(PathId path) {
        if (key == 0 || preempted || !isUsable(path)) {
            return;
        }
        try {
            PrCommands c = commands(path);
            if (strategy().registerNewPaths()) {
                PrKeys keys = c.readKeys();
                if (!keys.contains(key)) {
                    preempted = true;
                    type = null;
                    holder = null;
                    lastError = "key " + PrCdbs.keyText(key) + " is no longer registered (preempted or cleared by"
                            + " another initiator); not registering it on " + path;
                    log.warn("pr {}: {}", device.name(), lastError);
                    return;
                }
                c.out(PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY, null, 0, key);
                log.info("pr {}: key {} registered on path {}", device.name(), PrCdbs.keyText(key), path);
            }
            if (type != null && !type.registrantsHaveAccess() && strategy().reestablishAfterFailover(type)) {
                PathId wanted = strategy().reservePath(usable()).id();
                if (holder == null || !isUsable(holder) || !holder.equals(wanted)) {
                    moveReservation(new ArrayList<>());
                }
            }
        } catch (PrException e) {
            lastError = e.getMessage();
            log.warn("pr {}: path {} up: {}", device.name(), path, e.getMessage());
        }
    }

    /** A path failed or went: when it held a single-holder exclusive reservation, that moves to a surviving path. */
    public synchronized void pathFailed(PathId path) {
        if (key == 0 || type == null || !path.equals(holder) || type.registrantsHaveAccess()
                || !strategy().reestablishAfterFailover(type)) {
            return;
        }
        try {
            moveReservation(new ArrayList<>());
        } catch (PrException e) {
            lastError = e.getMessage();
            log.warn("pr {}: the reservation held through {} could not move: {}", device.name(), path, e.getMessage());
        }
    }

    /**
     * A command through {@code path} met RESERVATION CONFLICT (or a policy module asked for a
     * reservation action): brings back what this host lost there. Registers the key on the path
     * again when READ FULL STATUS shows the path's I_T nexus without it while it is still
     * registered through another; moves a Write Exclusive or Exclusive Access reservation of this
     * host whose holder's path is no longer usable to a usable one, as {@link #pathFailed} does
     * (a move under way finishes first: calls are serialised), or to {@code path} when that is the
     * path the strategy now prefers (failback sent I/O there first). Does nothing when the key is
     * registered nowhere any more (another host preempted it, or cleared): that is recorded, and
     * later conflicts go to the caller at once.
     *
     * @return whether the command may pass when sent again: something was restored, or this host
     *         holds the single-holder reservation through a usable path ({@code path} or the one
     *         the policy sends commands to once the reservation has moved)
     */
    public synchronized boolean restore(PathId path) {
        if (key == 0 || preempted) {
            return false;
        }
        try {
            boolean restored = false;
            if (isUsable(path)) {
                PrCommands c = commands(path);
                PrFullStatus full = c.readFullStatus();
                if (full.registrations().stream().noneMatch(r -> r.key() == key)) {
                    preempted = true;
                    type = null;
                    holder = null;
                    lastError = "key " + PrCdbs.keyText(key) + " is no longer registered (preempted or cleared by"
                            + " another initiator); not restoring it on " + path;
                    log.warn("pr {}: {}", device.name(), lastError);
                    return false;
                }
                long isid = sessions.apply(path).map(IscsiSession::isid).orElse(-1L);
                boolean registered = full.registrations().stream()
                        .anyMatch(r -> r.key() == key && r.isNexusOf(initiatorName, isid));
                if (!registered && strategy().registerNewPaths()) {
                    c.out(PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY, null, 0, key);
                    restored = true;
                    log.info("pr {}: key {} registered again on path {} after a reservation conflict", device.name(),
                            PrCdbs.keyText(key), path);
                }
            }
            if (type != null && !type.registrantsHaveAccess()) {
                // As pathUp: a holder whose path is gone moves, as does one the strategy now prefers
                // on this path (failback sent the I/O here before the path's event reached us).
                boolean gone = holder == null || !isUsable(holder);
                boolean wanted = !gone && !holder.equals(path) && isUsable(path)
                        && strategy().reservePath(usable()).id().equals(path);
                if ((gone || wanted) && strategy().reestablishAfterFailover(type)) {
                    moveReservation(new ArrayList<>());
                    restored = true;
                }
                // A command that went down another path while the reservation moved (in flight on
                // the old holder's path, or sent there before failback's event moved it back) passes
                // when sent again: the policy sends it to the usable holder's path.
                return restored || !gone;
            }
            return restored;
        } catch (PrException e) {
            lastError = e.getMessage();
            log.warn("pr {}: restoring after a reservation conflict on {}: {}", device.name(), path, e.getMessage());
            return false;
        }
    }

    /**
     * Moves our reservation to the strategy's usable path: checks that the unit still has it
     * under our key, PREEMPTs the own key there, and registers the key again on the other paths.
     */
    private PathId moveReservation(List<PrResult.Step> steps) throws PrException {
        PathStatus to = strategy().reservePath(usableOrFail("move the reservation"));
        PrCommands c = commands(to.id());
        PrReservation r = c.readReservation();
        if (!r.reserved() || r.key() != key) {
            type = null;
            holder = null;
            throw new PrException(PrException.Kind.INVALID_REQUEST, to.id(), null, "device " + device.name()
                    + ": the reservation is no longer held by key " + PrCdbs.keyText(key)
                    + (r.reserved() ? " but by " + PrCdbs.keyText(r.key()) : " (none)") + "; not taking it back");
        }
        c.out(PrOutAction.PREEMPT, r.type(), key, key);
        steps.add(step(to.id(), "PREEMPT (own key)", null));
        PathId old = holder;
        type = r.type();
        holder = to.id();
        reRegister(to.id(), steps);
        log.info("pr {}: reservation {} moved from {} to {}", device.name(), r.type().label(), old, to.id());
        return to.id();
    }

    /** The key again on every usable path but {@code except} (after a PREEMPT of the own key). */
    private void reRegister(PathId except, List<PrResult.Step> steps) {
        for (PathStatus p : usable()) {
            if (p.id().equals(except)) {
                continue;
            }
            try {
                commands(p.id()).out(PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY, null, 0, key);
                steps.add(step(p.id(), "REGISTER AND IGNORE EXISTING KEY", null));
            } catch (PrException e) {
                steps.add(step(p.id(), "REGISTER AND IGNORE EXISTING KEY", e.getMessage()));
                lastError = e.getMessage();
            }
        }
    }

    // ------------------------------------------------------------------ paths

    /** The device's ACTIVE paths whose sessions are logged in, in the device's order. */
    private List<PathStatus> usable() {
        List<PathStatus> out = new ArrayList<>();
        for (PathStatus p : device.paths()) {
            if (p.state() == MultipathPathState.ACTIVE
                    && sessions.apply(p.id()).map(IscsiSession::isLoggedIn).orElse(false)) {
                out.add(p);
            }
        }
        return out;
    }

    private boolean isUsable(PathId id) {
        return usable().stream().anyMatch(p -> p.id().equals(id));
    }

    private List<PathStatus> usableOrFail(String what) throws PrException {
        List<PathStatus> u = usable();
        if (u.isEmpty()) {
            throw noPath(what);
        }
        return u;
    }

    private PrException noPath(String what) {
        return new PrException(PrException.Kind.NO_PATH, "device " + device.name() + ": cannot " + what
                + ": no active path with a logged-in session");
    }

    private void requireKey(String what) throws PrException {
        if (key == 0) {
            throw new PrException(PrException.Kind.INVALID_REQUEST, "device " + device.name() + ": cannot " + what
                    + ": no key registered by this host (braid host pr register " + device.name() + " --key KEY)");
        }
    }

    private PrCommands commands(PathId id) throws PrException {
        IscsiSession s = sessions.apply(id).orElseThrow(() -> new PrException(PrException.Kind.NO_PATH, id, null,
                "path " + id + " has no session"));
        return new PrCommands(id, s, bound);
    }

    static String pathText(PathId id) {
        return id.hostPort() + "->" + id.storagePort();
    }

    private static PrResult.Step step(PathId id, String command, String error) {
        return new PrResult.Step(pathText(id), command, error);
    }
}
