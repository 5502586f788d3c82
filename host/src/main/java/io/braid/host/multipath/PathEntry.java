package io.braid.host.multipath;

import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathPriority;
import io.braid.host.discovery.PathState;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.scsi.AluaState;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One path of a multipath device as the driver runs it: the session its I/O goes to, the
 * driver's state, and counters. The state and the discovery snapshot change under the device's
 * lock; counters are updated without it.
 */
final class PathEntry implements PathView {
    final PathId id;
    final String deviceId;
    final IscsiSession session;
    final AtomicInteger queueDepth = new AtomicInteger();
    /** Data the commands in {@link #queueDepth} transfer, in bytes. */
    final AtomicLong bytesInFlight = new AtomicLong();
    final AtomicLong latency = new AtomicLong();
    final LongAdder ios = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder failures = new LongAdder();
    /** A TEST UNIT READY from the checker is under way. */
    final AtomicBoolean checking = new AtomicBoolean();
    private volatile Path path;
    private volatile MultipathPathState state;
    private volatile Instant since = Instant.now();
    private volatile String lastError;
    private volatile int order;

    PathEntry(Path path, IscsiSession session, MultipathPathState initial) {
        this.id = path.id();
        this.deviceId = path.deviceId();
        this.session = session;
        this.path = path;
        this.state = initial;
    }

    Path path() {
        return path;
    }

    void path(Path p) {
        path = p;
    }

    /** Moves to {@code to}; false when the state table does not allow it (already there). */
    boolean moveTo(MultipathPathState to, String reason) {
        if (!state.canMoveTo(to)) {
            return false;
        }
        state = to;
        since = Instant.now();
        if (to == MultipathPathState.FAILED) {
            failures.increment();
            lastError = reason;
        }
        return true;
    }

    void lastError(String e) {
        lastError = e;
    }

    void order(int o) {
        order = o;
    }

    /** Adds a latency sample to the mean (weight 1/8; the first sample is taken as is). */
    void sample(long nanos) {
        long old;
        long next;
        do {
            old = latency.get();
            next = old == 0 ? Math.max(1, nanos) : old + (nanos - old) / 8;
        } while (!latency.compareAndSet(old, Math.max(1, next)));
    }

    /** Whether I/O sent now would reach the target: ACTIVE and the session logged in. */
    boolean usable() {
        return state == MultipathPathState.ACTIVE;
    }

    @Override
    public PathId id() {
        return id;
    }

    @Override
    public String deviceId() {
        return deviceId;
    }

    @Override
    public MultipathPathState state() {
        return state;
    }

    @Override
    public AluaState aluaState() {
        return path.aluaState();
    }

    @Override
    public PathPriority priority() {
        return path.priority();
    }

    @Override
    public boolean preferred() {
        return path.preferred();
    }

    @Override
    public int targetPortGroup() {
        return path.targetPortGroup();
    }

    @Override
    public int order() {
        return order;
    }

    @Override
    public int queueDepth() {
        return queueDepth.get();
    }

    @Override
    public long bytesInFlight() {
        return bytesInFlight.get();
    }

    @Override
    public long latencyNanos() {
        return latency.get();
    }

    @Override
    public long ios() {
        return ios.sum();
    }

    /** ALUA group rank: active/optimized first, then non-optimized, transitioning, the rest. */
    int rank() {
        return switch (path.aluaState()) {
            case ACTIVE_OPTIMIZED, NOT_REPORTED -> 0;
            case ACTIVE_NON_OPTIMIZED, LBA_DEPENDENT -> 1;
            case TRANSITIONING -> 2;
            case STANDBY, UNAVAILABLE, OFFLINE -> 3;
        };
    }

    PathStatus status() {
        return new PathStatus(id, deviceId, state, session.isLoggedIn() ? PathState.CONNECTED : PathState.DISCONNECTED,
                session.state(), path.aluaState(), path.priority(), path.preferred(), path.targetPortGroup(),
                queueDepth.get(), Duration.ofNanos(latency.get()), ios.sum(), errors.sum(), failures.sum(), lastError,
                since);
    }

    @Override
    public String toString() {
        return id + " " + state.label();
    }
}
