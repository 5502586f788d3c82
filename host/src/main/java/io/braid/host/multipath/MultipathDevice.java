package io.braid.host.multipath;

import io.braid.host.ExportedDevice;
import io.braid.host.ReadOnlyDeviceException;
import io.braid.host.discovery.Device;
import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.iscsi.SessionState;
import io.braid.host.scsi.Cdbs;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One logical unit reached over several paths (architecture.md "Multipath driver"), exported as
 * an {@link ExportedDevice}. Each request becomes SBC-4 commands — READ (16), WRITE (16) with
 * FUA, SYNCHRONIZE CACHE (16), UNMAP or WRITE SAME (16) — split at the unit's MAXIMUM TRANSFER
 * LENGTH, and each command goes through the path the device's {@link PathSelector} picks.
 *
 * <p>A command that ends badly is judged by the device's {@link ErrorAnalyzer}: a path-type error
 * fails the path (and what {@link FailureScope} adds) and the command goes through another path,
 * unseen by the caller; a target-class error fails the request. With no usable path, commands
 * wait up to {@link MultipathConfig#noPathTimeout()} and then fail with {@link NoPathException};
 * once the device has been without a path that long, new requests fail at once until a path is
 * reinstated.
 *
 * <p><b>Ordering after a lost path.</b> A write (or trim, or write-zeroes) whose command ended
 * with a transport failure after which it may still run on the target (connection lost, ping
 * timeout, unconfirmed command timeout) is sent again elsewhere at once; the same data landing
 * twice is harmless. But a <em>later</em> write to any of the same blocks, issued after that
 * failure, waits until the old command can no longer run: until the failed path's session has
 * logged in again (session reinstatement ends the old session's tasks on the target, RFC 7143
 * 6.3.5), or at most {@link MultipathConfig#writeFenceTimeout()}. See docs/host.md.
 *
 * <p><b>Threads.</b> The {@link ExportedDevice} methods never block; they may be called from
 * any thread. Futures complete on session event loops or the driver's timer thread.
 */
public final class MultipathDevice implements ExportedDevice {
    private static final Logger log = LoggerFactory.getLogger(MultipathDevice.class);

    private final Multipath driver;
    private final MultipathConfig config;
    private final String id;
    private final String name;
    /** Bytes; grows when the unit is resized on the node (see {@link CapacityRefresh}). */
    private volatile long size;
    private final int blockSize;
    private final DeviceLimits limits;
    private volatile DevicePolicy policy;
    private final int maxTransfer;
    private final ByteBuf zeroBlock;
    private volatile Device device;
    private volatile boolean writeSameWorks = true;
    private final CapacityRefresh capacityRefresh = new CapacityRefresh(this);
    private final StandbyActivation standbyActivation = new StandbyActivation(this);
    /** Requests completed at the checker's last idle probe; a device without new ones is probed. */
    private long iosAtLastIdleCheck = -1;
    private int idleCheckTurn;

    private final Object lock = new Object();
    // Guarded by lock.
    /** Written under lock; volatile so that {@link #paths()} reads it without the lock. */
    private volatile List<PathEntry> paths = List.of();
    private final ArrayDeque<Command> waiting = new ArrayDeque<>();
    private final List<Command> fencedWrites = new ArrayList<>();
    private final List<Fence> fences = new ArrayList<>();
    /** Commands held back by the policy's per-path limit, in its order (IoScheduler). */
    private final java.util.PriorityQueue<Command> held = new java.util.PriorityQueue<>(HELD_ORDER);
    /** {@code held.size()}, written under lock: a completion looks here before it takes the lock. */
    private volatile int heldCount;
    private long heldSequence;
    private long noPathSince = -1;
    private Instant noPathSinceWall;
    private String lastPathError;
    private String closedReason;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder ios = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder pathFailures = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final AtomicLong latency = new AtomicLong();

    MultipathDevice(Multipath driver, Device device, String name, DeviceLimits limits, DevicePolicy policy) {
        this.driver = driver;
        this.config = driver.config();
        this.id = device.id();
        this.name = ExportedDevice.checkName(name);
        this.size = device.capacityBytes();
        this.blockSize = device.blockSize();
        this.limits = limits;
        this.policy = policy;
        this.maxTransfer = limits.maxTransferBytes(blockSize);
        this.zeroBlock = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[blockSize]).asReadOnly());
        this.device = device;
    }

    // ------------------------------------------------------------------ identity and listings

    /** The device id: the VPD 83h logical unit designator, e.g. {@code naa.3a1b2c3d4e5f6071}. */
    public String id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        Device d = device;
        return (d.vendor().trim() + " " + d.product().trim()).trim() + " " + id;
    }

    /** The latest discovery snapshot of the device. */
    public Device device() {
        return device;
    }

    public DevicePolicy policy() {
        return policy;
    }

    /**
     * Moves the device to another policy (a module loaded, unloaded, replaced or quarantined). No
     * I/O fails: commands in flight finish under the policy that sent them (its error analysis
     * judges their outcome), new commands and retries go to {@code next}, and commands held back
     * by the old policy's per-path limit are dispatched again under the new one.
     */
    public void policy(DevicePolicy next, String reason) {
        java.util.Objects.requireNonNull(next, "next");
        DevicePolicy old;
        List<Command> release;
        synchronized (lock) {
            old = policy;
            policy = next;
            release = new ArrayList<>(held);
            held.clear();
            heldCount = 0;
        }
        if (old != next && !old.name().equals(next.name())) {
            log.info("multipath {}: policy {} -> {}: {}", name, old.name(), next.name(), reason);
            driver.emit(MultipathEvent.Type.POLICY_CHANGED, id, null, old.name() + " -> " + next.name() + ": "
                    + reason);
        }
        release.forEach(this::dispatch);
    }

    public DeviceLimits limits() {
        return limits;
    }

    /**
     * Every path in the device's order, with its state and counters. Takes no lock: a policy
     * module's {@code DeviceControl} may ask while an I/O thread holds the device's lock waiting
     * for that module's decision.
     */
    public List<PathStatus> paths() {
        return paths.stream().map(PathEntry::status).toList();
    }

    public DeviceStats stats() {
        int w;
        int f;
        Instant since;
        synchronized (lock) {
            w = waiting.size() + held.size();
            f = fencedWrites.size();
            since = noPathSinceWall;
        }
        return new DeviceStats(inFlight.get(), w, f, ios.sum(), errors.sum(), retries.sum(), pathFailures.sum(),
                Duration.ofNanos(latency.get()), bytesRead.sum(), bytesWritten.sum(), since);
    }

    @Override
    public String toString() {
        return "MultipathDevice[" + name + ", " + id + ", " + policy.name() + "]";
    }

    // ------------------------------------------------------------------ ExportedDevice

    @Override
    public long size() {
        return size;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public boolean readOnly() {
        return limits.writeProtected();
    }

    @Override
    public boolean canTrim() {
        return !readOnly() && limits.provisioning().canDeallocate();
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        IllegalArgumentException bad = check("read", offset, length);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        long started = System.nanoTime();
        int base = dst.position();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int done = 0; done < length; done += maxTransfer) {
            int n = Math.min(maxTransfer, length - done);
            ByteBuffer window = dst.duplicate();
            window.limit(base + done + n).position(base + done);
            long lba = (offset + done) / blockSize;
            Command c = new Command(IoOperation.READ, lba, n / blockSize, Cdbs.read16(lba, n / blockSize),
                    ScsiRequest.Direction.READ, n, null, window);
            dispatch(c);
            parts.add(c.done);
        }
        return all(parts, started, () -> {
            dst.position(dst.limit());
            bytesRead.add(length);
        });
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        int length = src.remaining();
        IllegalArgumentException bad = check("write", offset, length);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (readOnly()) {
            return CompletableFuture.failedFuture(new ReadOnlyDeviceException("device " + name + " is write protected"));
        }
        long started = System.nanoTime();
        int base = src.position();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int done = 0; done < length; done += maxTransfer) {
            int n = Math.min(maxTransfer, length - done);
            ByteBuffer window = src.duplicate();
            window.limit(base + done + n).position(base + done);
            long lba = (offset + done) / blockSize;
            // The caller's bytes, never copied; wrapping a buffer never frees it.
            ByteBuf data = Unpooled.wrappedBuffer(window);
            Command c = new Command(IoOperation.WRITE, lba, n / blockSize, Cdbs.write16(lba, n / blockSize, fua),
                    ScsiRequest.Direction.WRITE, n, data, null);
            dispatch(c);
            parts.add(c.done);
        }
        return all(parts, started, () -> bytesWritten.add(length));
    }

    @Override
    public CompletableFuture<Void> flush() {
        long started = System.nanoTime();
        Command c = new Command(IoOperation.FLUSH, 0, 0, Cdbs.synchronizeCache16(), ScsiRequest.Direction.NONE, 0,
                null, null);
        dispatch(c);
        return all(List.of(c.done), started, () -> { });
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        if (!canTrim()) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("device " + name
                    + " does not deallocate blocks (no UNMAP or WRITE SAME with UNMAP in VPD B2h)"));
        }
        IllegalArgumentException bad = check("trim", offset, length);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        long started = System.nanoTime();
        long lba = offset / blockSize;
        long blocks = length / blockSize;
        CompletableFuture<Void> f = limits.provisioning().unmap() ? unmap(lba, blocks)
                : writeSame(lba, blocks, true);
        return counted(fua ? f.thenCompose(v -> flush()) : f, started);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean noHole, boolean fua) {
        IllegalArgumentException bad = check("write zeroes", offset, length);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (readOnly()) {
            return CompletableFuture.failedFuture(new ReadOnlyDeviceException("device " + name + " is write protected"));
        }
        long started = System.nanoTime();
        long lba = offset / blockSize;
        long blocks = length / blockSize;
        if (!noHole && limits.provisioning().writeSameUnmap()) {
            // WRITE SAME with UNMAP reads back as the block written (zeroes), allocated or not.
            CompletableFuture<Void> f = writeSame(lba, blocks, true);
            return counted(fua ? f.thenCompose(v -> flush()) : f, started);
        }
        if (!writeSameWorks) {
            return ExportedDevice.super.writeZeroes(offset, length, noHole, fua);
        }
        CompletableFuture<Void> f = writeSame(lba, blocks, false);
        f = (fua ? f.thenCompose(v -> flush()) : f).exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            if (cause instanceof ScsiErrorException s && s.sense() != null
                    && s.sense().key() == SenseKey.ILLEGAL_REQUEST
                    && (s.sense().code() == 0x2000 || s.sense().code() == 0x2400)) {
                // WRITE SAME is optional (SBC-4); zeroes written block by block do the same.
                writeSameWorks = false;
                log.info("multipath {}: WRITE SAME (16) not supported ({}); writing zeroes instead", name, s.sense());
                return ExportedDevice.super.writeZeroes(offset, length, noHole, fua);
            }
            return CompletableFuture.failedFuture(cause);
        });
        return counted(f, started);
    }

    /** Counts a request that is done when {@code f} is. */
    private CompletableFuture<Void> counted(CompletableFuture<Void> f, long started) {
        return counted(f, started, () -> { });
    }

    /** Counts the request; the returned future fails with the cause itself, never a CompletionException. */
    private CompletableFuture<Void> counted(CompletableFuture<Void> f, long started, Runnable onSuccess) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> {
            completedRequest(started, e);
            if (e != null) {
                out.completeExceptionally(unwrap(e));
            } else {
                onSuccess.run();
                out.complete(null);
            }
        });
        return out;
    }

    /** WRITE SAME (16) of a zero block over the range, one command after the other. */
    private CompletableFuture<Void> writeSame(long lba, long blocks, boolean unmap) {
        long per = limits.maxWriteSameBlocks(blockSize);
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (long done = 0; done < blocks; done += per) {
            long at = lba + done;
            int n = (int) Math.min(per, blocks - done);
            chain = chain.thenCompose(v -> {
                Command c = new Command(IoOperation.WRITE_SAME, at, Integer.toUnsignedLong(n),
                        Cdbs.writeSame16(at, n, unmap), ScsiRequest.Direction.WRITE, blockSize,
                        zeroBlock.duplicate(), null);
                dispatch(c);
                return c.done;
            });
        }
        return chain;
    }

    /** UNMAP over the range, as many descriptors per command as the unit takes. */
    private CompletableFuture<Void> unmap(long lba, long blocks) {
        long per = limits.maxUnmapBlocks(blockSize);
        int descriptors = limits.maxUnmapDescriptors();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        long done = 0;
        while (done < blocks) {
            List<long[]> ranges = new ArrayList<>();
            long start = lba + done;
            while (done < blocks && ranges.size() < descriptors) {
                long n = Math.min(per, blocks - done);
                ranges.add(new long[] {lba + done, n});
                done += n;
            }
            long count = lba + done - start;
            byte[] parameters = Cdbs.unmapParameters(ranges.toArray(long[][]::new));
            chain = chain.thenCompose(v -> {
                Command c = new Command(IoOperation.UNMAP, start, count, Cdbs.unmap(parameters.length),
                        ScsiRequest.Direction.WRITE, parameters.length, Unpooled.wrappedBuffer(parameters), null);
                dispatch(c);
                return c.done;
            });
        }
        return chain;
    }

    private IllegalArgumentException check(String what, long offset, long length) {
        if (offset < 0 || length < 0 || length > size - offset) {
            return new IllegalArgumentException(what + " of " + length + " bytes at " + offset + " is outside the "
                    + size + " bytes of " + name);
        }
        if (offset % blockSize != 0 || length % blockSize != 0) {
            return new IllegalArgumentException(what + " of " + length + " bytes at " + offset
                    + " is not aligned to the " + blockSize + "-byte blocks of " + name);
        }
        return null;
    }

    /** Completes when every part has (so no part touches the caller's buffer afterwards). */
    private CompletableFuture<Void> all(List<CompletableFuture<Void>> parts, long started, Runnable onSuccess) {
        return counted(parts.size() == 1 ? parts.get(0) : CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)),
                started, onSuccess);
    }

    private void completedRequest(long started, Throwable e) {
        ios.increment();
        if (e != null) {
            errors.increment();
        }
        long nanos = System.nanoTime() - started;
        long old;
        long next;
        do {
            old = latency.get();
            next = old == 0 ? Math.max(1, nanos) : Math.max(1, old + (nanos - old) / 8);
        } while (!latency.compareAndSet(old, next));
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    // ------------------------------------------------------------------ commands and paths

    /** One SCSI command of a request and its retry state. */
    final class Command {
        final IoOperation op;
        final long lba;
        final long end;
        final byte[] cdb;
        final ScsiRequest.Direction direction;
        final int transferLength;
        final ByteBuf dataOut;
        final ByteBuffer readInto;
        final IoInfo info;
        final long created = System.nanoTime();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** The policy that chose the last path; its error analysis judges the outcome. */
        DevicePolicy policy;
        /** Place among held commands (IoScheduler): rank, then arrival. */
        long rank;
        long heldSequence;
        int attempts;
        int sameRetries;
        int otherRetries;
        /** Whether a {@link ErrorDecision.ReservationAction} retried it already (once only). */
        boolean reservationRetried;
        PathEntry avoid;
        String lastError;

        Command(IoOperation op, long lba, long blocks, byte[] cdb, ScsiRequest.Direction direction,
                int transferLength, ByteBuf dataOut, ByteBuffer readInto) {
            this.op = op;
            this.lba = lba;
            this.end = lba + blocks;
            this.cdb = cdb;
            this.direction = direction;
            this.transferLength = transferLength;
            this.dataOut = dataOut;
            this.readInto = readInto;
            this.info = new IoInfo(name, op, lba, blocks, transferLength);
        }

        ScsiRequest request(int lun) {
            return new ScsiRequest(lun, cdb, direction, transferLength, dataOut, null, null);
        }

        /** Ends the command; the data-out reference is dropped, the caller's buffer never touched again. */
        void finish(Throwable error) {
            if (dataOut != null && dataOut.refCnt() > 0) {
                dataOut.release();
            }
            DevicePolicy p = policy;
            policy = null;
            if (p != null) {
                releaseFrom(p, this);
            }
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        }
    }

    /** A write whose outcome on a dropped nexus is unknown; later overlapping writes wait. */
    private record Fence(PathEntry path, IscsiSession session, long logins, long lba, long end, long created,
                         long deadline) {
        boolean lifted(long now) {
            return now - deadline >= 0 || session.state() == SessionState.CLOSED
                    || (session.isLoggedIn() && session.stats().logins() > logins);
        }

        boolean blocks(Command c) {
            return c.op.modifies() && c.created - created > 0 && c.lba < end && lba < c.end;
        }
    }

    /** Sends {@code c} through the path the policy picks, or lets it wait. Never blocks. */
    void dispatch(Command c) {
        PathEntry chosen = null;
        IOException fail = null;
        List<Runnable> after = new ArrayList<>(0);
        synchronized (lock) {
            if (closedReason != null) {
                fail = new NoPathException("device " + name + " (" + id + "): " + closedReason);
            } else if (fencedBy(c, System.nanoTime()) != null) {
                fencedWrites.add(c);
                return;
            } else {
                List<PathEntry> candidates = candidates(c.avoid);
                if (candidates.isEmpty()) {
                    long now = System.nanoTime();
                    if (noPathSince < 0) {
                        enterNoPath(now, after);
                    }
                    if (now - noPathSince >= config.noPathTimeout().toNanos()) {
                        fail = noPathError();
                    } else {
                        waiting.add(c);
                    }
                } else {
                    DevicePolicy pol = policy;
                    IoScheduler scheduler = pol.scheduler();
                    int max = scheduler == null ? 0 : scheduler.maxOutstandingPerPath();
                    if (max > 0) {
                        candidates.removeIf(p -> p.queueDepth.get() >= max);
                        if (candidates.isEmpty()) {
                            hold(scheduler, c);
                            return;
                        }
                    }
                    chosen = select(pol, candidates, c.info);
                    if (c.policy != pol) {
                        DevicePolicy before = c.policy;
                        c.policy = pol;
                        if (before != null) {
                            after.add(() -> releaseFrom(before, c));
                        }
                        acquire(pol, c);
                    }
                    chosen.queueDepth.incrementAndGet();
                    chosen.bytesInFlight.addAndGet(c.transferLength);
                    inFlight.incrementAndGet();
                }
            }
        }
        after.forEach(Runnable::run);
        if (fail != null) {
            c.finish(fail);
        } else if (chosen != null) {
            send(c, chosen);
        }
    }

    /** Holds {@code c} back until a path has room under the policy's limit. Under lock. */
    private void hold(IoScheduler scheduler, Command c) {
        if (c.heldSequence == 0) {
            c.heldSequence = ++heldSequence;
            try {
                c.rank = scheduler.rank(c.info);
            } catch (RuntimeException e) {
                c.rank = 0;
            }
        }
        held.add(c);
        heldCount = held.size();
    }

    /** A path has room again: the first held command goes. */
    private void releaseHeld() {
        if (heldCount == 0) {
            return; // the usual case: no per-path limit, or nothing waiting for one
        }
        Command next;
        synchronized (lock) {
            next = held.poll();
            heldCount = held.size();
        }
        if (next != null) {
            dispatch(next);
        }
    }

    private void acquire(DevicePolicy pol, Command c) {
        try {
            pol.selector().acquire(c.info);
        } catch (RuntimeException e) {
            log.debug("multipath {}: selector acquire hook failed: {}", name, e.toString());
        }
    }

    private void releaseFrom(DevicePolicy pol, Command c) {
        try {
            pol.selector().release(c.info);
        } catch (RuntimeException e) {
            log.debug("multipath {}: selector release hook failed: {}", name, e.toString());
        }
    }

    private PathEntry select(DevicePolicy pol, List<PathEntry> candidates, IoInfo info) {
        PathView v;
        try {
            v = pol.selector().select(candidates, info);
        } catch (RuntimeException e) {
            log.warn("multipath {}: path selector {} failed: {}", name, pol.name(), e.toString());
            v = null;
        }
        for (PathEntry p : candidates) {
            if (p == v) {
                return p;
            }
        }
        return candidates.get(0);
    }

    /** ACTIVE paths of the best ALUA rank, in order; {@code avoid} left out unless it is the only one. */
    private List<PathEntry> candidates(PathEntry avoid) {
        int best = Integer.MAX_VALUE;
        for (PathEntry p : paths) {
            if (p.usable()) {
                best = Math.min(best, p.rank());
            }
        }
        if (best == Integer.MAX_VALUE) {
            return List.of();
        }
        List<PathEntry> out = new ArrayList<>(paths.size());
        for (PathEntry p : paths) {
            if (p.usable() && p.rank() == best) {
                out.add(p);
            }
        }
        if (avoid != null && out.size() > 1) {
            out.remove(avoid);
        }
        return out;
    }

    private void send(Command c, PathEntry p) {
        long start = System.nanoTime();
        CompletableFuture<ScsiOutcome> f;
        try {
            f = p.session.submit(c.request(p.id.lun()));
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(new ScsiOutcome.TransportFailure(
                    io.braid.host.iscsi.FailureKind.SESSION_CLOSED, e.toString()));
        }
        f.whenComplete((outcome, error) -> {
            ScsiOutcome o = outcome != null ? outcome : new ScsiOutcome.TransportFailure(
                    io.braid.host.iscsi.FailureKind.CONNECTION_LOST, String.valueOf(error));
            try {
                completed(c, p, o, System.nanoTime() - start);
            } catch (RuntimeException e) {
                log.error("multipath {}: completing {} failed", name, c.info, e);
                o.release();
                c.finish(new IOException(c.info + ": internal error: " + e, e));
            }
        });
    }

    private void completed(Command c, PathEntry p, ScsiOutcome o, long nanos) {
        p.queueDepth.decrementAndGet();
        p.bytesInFlight.addAndGet(-c.transferLength);
        inFlight.decrementAndGet();
        releaseHeld();
        DevicePolicy policy = c.policy != null ? c.policy : this.policy;
        p.ios.increment();
        if (!(o instanceof ScsiOutcome.TransportFailure)) {
            p.sample(nanos);
        }
        if (CapacityRefresh.capacityChanged(o)) {
            capacityRefresh.request(p.session, p.id.lun());
        }
        ErrorDecision d;
        if (o instanceof ScsiOutcome.Good g) {
            d = good(c, g);
        } else {
            try {
                d = policy.analyzer().analyze(c.info, o, p);
            } catch (RuntimeException e) {
                log.warn("multipath {}: error analysis {} failed: {}", name, policy.name(), e.toString());
                d = new ErrorDecision.FailPath(PathFault.PATH, "error analysis failed on " + o);
            }
        }
        boolean ok = d instanceof ErrorDecision.Complete;
        try {
            policy.selector().completed(p, c.info, nanos, ok);
        } catch (RuntimeException e) {
            log.debug("multipath {}: selector completion hook failed: {}", name, e.toString());
        }
        if (!ok) {
            p.errors.increment();
        }
        boolean uncertain = c.op.modifies() && ScsiErrorAnalyzer.mayStillRun(o);
        o.release();
        if (d instanceof ErrorDecision.RetrySamePath r && ++c.sameRetries > config.samePathRetries()) {
            d = new ErrorDecision.FailPath(PathFault.PATH, r.reason() + " (" + config.samePathRetries()
                    + " retries on the path)");
        }
        switch (d) {
            case ErrorDecision.Complete x -> c.finish(null);
            case ErrorDecision.FailIo f -> c.finish(f.error());
            case ErrorDecision.ReservationAction r -> reservationAction(c, p, r);
            case ErrorDecision.RetrySamePath r -> {
                retries.increment();
                if (r.rescan()) {
                    driver.requestRescan();
                }
                log.debug("multipath {}: {} again through {}: {}", name, c.info, p.id, r.reason());
                driver.schedule(r.delay(), () -> resend(c, p));
            }
            case ErrorDecision.RetryOtherPath r -> {
                if (++c.otherRetries > config.busyRetries()) {
                    c.finish(new IOException(c.info + ": " + r.reason() + ", still after " + config.busyRetries()
                            + " retries"));
                } else {
                    retries.increment();
                    c.avoid = p;
                    driver.schedule(r.delay().multipliedBy(c.otherRetries), () -> dispatch(c));
                }
            }
            case ErrorDecision.FailPath f -> {
                c.lastError = f.reason();
                if (uncertain) {
                    addFence(c, p);
                }
                driver.failPaths(this, p, f.fault(), f.reason());
                if (++c.attempts >= config.maxAttempts()) {
                    c.finish(new IOException(c.info + ": failed on " + c.attempts + " paths, the last time with "
                            + f.reason()));
                } else {
                    retries.increment();
                    c.avoid = p;
                    // Off the session's thread: the next path's submit may complete at once.
                    driver.execute(() -> dispatch(c));
                }
            }
        }
    }

    /**
     * Asks the host's reservation keeper to restore what this host lost on the path (SPC-5
     * "Persistent reservations"), then sends {@code c} once more; the conflict goes to the caller
     * when nothing of this host's is kept, nothing was restored, the keeper took longer than
     * {@link #RESERVATION_RECOVERY_BOUND}, or {@code c} was retried this way already.
     */
    private void reservationAction(Command c, PathEntry p, ErrorDecision.ReservationAction r) {
        ReservationRecovery recovery = driver.reservationRecovery();
        if (c.reservationRetried || recovery == null || !keeps(recovery)) {
            c.finish(r.conflict());
            return;
        }
        c.reservationRetried = true;
        c.lastError = r.reason();
        CompletableFuture<Boolean> f;
        try {
            f = recovery.restore(this, p.id);
        } catch (RuntimeException e) {
            log.warn("multipath {}: reservation recovery failed: {}", name, e.toString());
            c.finish(r.conflict());
            return;
        }
        log.debug("multipath {}: {} met {}; restoring this host's reservation for {}", name, c.info, r.reason(), p.id);
        f.completeOnTimeout(false, RESERVATION_RECOVERY_BOUND.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((restored, error) -> {
                    if (Boolean.TRUE.equals(restored)) {
                        retries.increment();
                        // Off the keeper's thread; the no-path bound applies to the retry as to any command.
                        driver.execute(() -> dispatch(c));
                    } else {
                        c.finish(r.conflict());
                    }
                });
    }

    private boolean keeps(ReservationRecovery recovery) {
        try {
            return recovery.keeps(this);
        } catch (RuntimeException e) {
            log.warn("multipath {}: reservation recovery failed: {}", name, e.toString());
            return false;
        }
    }

    /** How long a command waits for the keeper's restore before its conflict goes to the caller. */
    static final Duration RESERVATION_RECOVERY_BOUND = Duration.ofSeconds(10);

    /** GOOD: for a read, its data into the caller's buffer. */
    private ErrorDecision good(Command c, ScsiOutcome.Good g) {
        if (c.readInto == null) {
            return new ErrorDecision.Complete();
        }
        ByteBuf data = g.data();
        int n = data.readableBytes();
        if (n != c.transferLength) {
            return new ErrorDecision.FailIo(new IOException(c.info + ": the target returned " + n + " of "
                    + c.transferLength + " bytes"));
        }
        data.getBytes(data.readerIndex(), c.readInto.duplicate());
        return new ErrorDecision.Complete();
    }

    /** Same path again when it is still usable; otherwise wherever the policy says. */
    private void resend(Command c, PathEntry p) {
        boolean same;
        synchronized (lock) {
            same = closedReason == null && p.usable() && paths.contains(p);
            if (same) {
                p.queueDepth.incrementAndGet();
                p.bytesInFlight.addAndGet(c.transferLength);
                inFlight.incrementAndGet();
            }
        }
        if (same) {
            send(c, p);
        } else {
            dispatch(c);
        }
    }

    private void addFence(Command c, PathEntry p) {
        if (config.writeFenceTimeout().isZero()) {
            return;
        }
        long now = System.nanoTime();
        // Read on the session's thread before it can reconnect: a later login count proves reinstatement.
        Fence f = new Fence(p, p.session, p.session.stats().logins(), c.lba, c.end, now,
                now + config.writeFenceTimeout().toNanos());
        synchronized (lock) {
            fences.add(f);
        }
        log.info("multipath {}: blocks {}..{} fenced until {} logs in again (at most {} ms): {} may still run there",
                name, c.lba, c.end - 1, p.id, config.writeFenceTimeout().toMillis(), c.info);
        driver.schedule(config.writeFenceTimeout(), this::recheckFences);
    }

    /** The fence holding {@code c} back, dropping fences that no longer hold; null when free. Under lock. */
    private Fence fencedBy(Command c, long now) {
        if (fences.isEmpty() || !c.op.modifies()) {
            return null;
        }
        Fence hit = null;
        for (Iterator<Fence> it = fences.iterator(); it.hasNext(); ) {
            Fence f = it.next();
            if (f.lifted(now)) {
                it.remove();
            } else if (hit == null && f.blocks(c)) {
                hit = f;
            }
        }
        return hit;
    }

    /** Lets writes go whose fences lifted (a session logged in again, or the time ran out). */
    void recheckFences() {
        List<Command> free = new ArrayList<>();
        synchronized (lock) {
            if (fencedWrites.isEmpty() && fences.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            for (Iterator<Command> it = fencedWrites.iterator(); it.hasNext(); ) {
                Command c = it.next();
                if (fencedBy(c, now) == null) {
                    it.remove();
                    free.add(c);
                }
            }
            if (fencedWrites.isEmpty()) {
                fences.removeIf(f -> f.lifted(now));
            }
        }
        free.forEach(this::dispatch);
    }

    private void enterNoPath(long now, List<Runnable> after) {
        noPathSince = now;
        noPathSinceWall = Instant.now();
        String last = lastPathError;
        after.add(() -> {
            log.warn("multipath {}: no usable path; I/O waits up to {} ms", name, config.noPathTimeout().toMillis());
            driver.emit(MultipathEvent.Type.NO_PATH, id, null, "no usable path" + (last == null ? "" : ": " + last));
            driver.schedule(config.noPathTimeout(), this::expireNoPath);
            activateStandby();
        });
    }

    private NoPathException noPathError() {
        Duration t = config.noPathTimeout();
        String span = t.toMillis() % 1000 == 0 ? t.toSeconds() + " s" : t.toMillis() + " ms";
        return new NoPathException("no path to device " + name + (name.equals(id) ? "" : " (" + id + ")")
                + " for " + span + (lastPathError == null ? "" : "; last path error: " + lastPathError));
    }

    /** The wait without a path ran out: everything waiting fails. */
    private void expireNoPath() {
        List<Command> expired;
        NoPathException error;
        synchronized (lock) {
            if (noPathSince < 0 || System.nanoTime() - noPathSince < config.noPathTimeout().toNanos() - 1_000_000) {
                return;
            }
            expired = new ArrayList<>(waiting);
            waiting.clear();
            error = noPathError();
        }
        if (!expired.isEmpty()) {
            log.warn("multipath {}: {} I/O(s) failed: {}", name, expired.size(), error.getMessage());
        }
        driver.emit(MultipathEvent.Type.NO_PATH_TIMEOUT, id, null, error.getMessage());
        for (Command c : expired) {
            c.finish(error);
        }
    }

    /** Fails the paths in {@code ids} that are ACTIVE. Called by the driver. */
    void failPaths(Set<PathId> ids, String reason) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            for (PathEntry p : paths) {
                if (ids.contains(p.id) && p.moveTo(MultipathPathState.FAILED, reason)) {
                    pathFailures.increment();
                    lastPathError = p.id + ": " + reason;
                    after.add(() -> {
                        log.warn("multipath {}: path {} failed: {}", name, p.id, reason);
                        driver.emit(MultipathEvent.Type.PATH_FAILED, id, p.id, reason);
                    });
                }
            }
            if (!after.isEmpty() && candidates(null).isEmpty() && noPathSince < 0) {
                enterNoPath(System.nanoTime(), after);
            }
        }
        after.forEach(Runnable::run);
    }

    /** Puts a FAILED path back into service. */
    void reinstate(PathEntry p, String reason) {
        List<Command> resume = List.of();
        boolean restored = false;
        boolean moved;
        synchronized (lock) {
            moved = closedReason == null && paths.contains(p) && p.moveTo(MultipathPathState.ACTIVE, reason);
            if (moved && noPathSince >= 0) {
                noPathSince = -1;
                noPathSinceWall = null;
                restored = true;
                resume = new ArrayList<>(waiting);
                waiting.clear();
            }
        }
        if (!moved) {
            return;
        }
        log.info("multipath {}: path {} reinstated: {}", name, p.id, reason);
        driver.emit(MultipathEvent.Type.PATH_REINSTATED, id, p.id, reason);
        if (restored) {
            driver.emit(MultipathEvent.Type.PATH_RESTORED, id, p.id, resume.size() + " waiting I/O(s) resumed");
        }
        resume.forEach(this::dispatch);
        releaseHeld();
        recheckFences();
    }

    /**
     * Without a usable path, asks the unit to activate a standby (or unavailable) target port
     * group one of the paths leads to ({@link StandbyActivation}). Off the caller's thread.
     */
    private void activateStandby() {
        List<PathEntry> ps;
        synchronized (lock) {
            if (noPathSince < 0 || closedReason != null) {
                return;
            }
            ps = paths;
        }
        if (ps.stream().anyMatch(StandbyActivation::activatable)) {
            driver.execute(() -> standbyActivation.maybeActivate(ps));
        }
    }

    /** The unit took SET TARGET PORT GROUPS for {@code group}: its paths are probed now. */
    void groupActivated(int group, PathEntry via) {
        List<PathEntry> ps;
        synchronized (lock) {
            ps = paths;
        }
        log.info("multipath {}: target port group {} is active/optimized at our request", name, group);
        driver.emit(MultipathEvent.Type.GROUP_ACTIVATED, id, via.id, "SET TARGET PORT GROUPS: group " + group
                + " active/optimized");
        driver.requestRescan();
        for (PathEntry p : ps) {
            if (p.targetPortGroup() == group) {
                check(p);
            }
        }
    }

    /** Probes every FAILED path whose session is logged in with TEST UNIT READY. */
    void checkFailedPaths() {
        List<PathEntry> ps;
        synchronized (lock) {
            ps = paths;
        }
        activateStandby(); // again, if the last attempt did not bring a path back
        for (PathEntry p : ps) {
            if (p.state() == MultipathPathState.FAILED) {
                check(p);
            }
        }
    }

    /** One TEST UNIT READY through {@code p} (unit attentions taken); GOOD reinstates it. */
    void check(PathEntry p) {
        if (!p.session.isLoggedIn() || p.state() != MultipathPathState.FAILED || !p.checking.compareAndSet(false, true)) {
            return;
        }
        testUnitReady(p, 0).whenComplete((o, e) -> {
            p.checking.set(false);
            if (o instanceof ScsiOutcome.Good) {
                if (!p.aluaState().active()) {
                    // The unit answers through a group last seen inactive: its states changed.
                    driver.requestRescan();
                }
                reinstate(p, "TEST UNIT READY answered GOOD");
            } else if (o != null) {
                p.lastError("checker: " + o);
                log.debug("multipath {}: checker: {} still failed: {}", name, p.id, o);
                o.release();
            }
        });
    }

    private CompletableFuture<ScsiOutcome> testUnitReady(PathEntry p, int attentions) {
        return p.session.submit(ScsiRequest.noData(p.id.lun(), Cdbs.testUnitReady())).thenCompose(o -> {
            if (o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.UNIT_ATTENTION && attentions < config.samePathRetries()) {
                if (c.sense().asc() == 0x2A || c.sense().asc() == 0x3F) {
                    driver.requestRescan(); // ALUA states, LUNs or capacity changed
                }
                if (CapacityRefresh.capacityChanged(c.sense())) {
                    capacityRefresh.request(p.session, p.id.lun());
                }
                return testUnitReady(p, attentions + 1);
            }
            return CompletableFuture.completedFuture(o);
        });
    }

    /**
     * The checker's probe of an idle device: when no request completed since the last tick, one
     * TEST UNIT READY through the next usable path in turn. A unit attention waiting there (such
     * as CAPACITY DATA HAS CHANGED after a resize on the node) is seen without any I/O; the
     * probe's outcome does not judge the path (the ping does).
     */
    void checkIdle() {
        long now = ios.sum();
        PathEntry pick = null;
        synchronized (lock) {
            boolean idle = now == iosAtLastIdleCheck;
            iosAtLastIdleCheck = now;
            if (!idle || closedReason != null) {
                return;
            }
            List<PathEntry> usable = paths.stream().filter(x -> x.usable() && x.session.isLoggedIn()).toList();
            if (usable.isEmpty()) {
                return;
            }
            pick = usable.get(Math.floorMod(idleCheckTurn++, usable.size()));
        }
        PathEntry p = pick;
        if (!p.checking.compareAndSet(false, true)) {
            return;
        }
        testUnitReady(p, 0).whenComplete((o, e) -> {
            p.checking.set(false);
            if (o != null) {
                o.release();
            }
        });
    }

    /** READ CAPACITY (16) through a usable path now; completes with the size in bytes afterwards. */
    public CompletableFuture<Long> refreshCapacity() {
        PathEntry p;
        synchronized (lock) {
            List<PathEntry> c = candidates(null);
            p = c.isEmpty() ? null : c.get(0);
        }
        if (p == null) {
            return CompletableFuture.failedFuture(noPathError());
        }
        return CapacityRefresh.read(p.session, p.id.lun(), 0).thenApply(c -> {
            capacityRead(c);
            return size;
        });
    }

    /** A READ CAPACITY (16) answer: the new size, when it changed. */
    void capacityRead(io.braid.host.scsi.Capacity c) {
        if (c.blockSize() != blockSize) {
            log.warn("multipath {}: the unit now reports {}-byte blocks instead of {}; size kept at {} bytes"
                    + " (a block size change needs the agent restarted)", name, c.blockSize(), blockSize, size);
            return;
        }
        resized(c.bytes(), "READ CAPACITY (16)");
    }

    void capacityReadFailed(Throwable e) {
        log.warn("multipath {}: capacity changed, but it could not be read again: {}", name, e.getMessage());
    }

    private void resized(long bytes, String source) {
        long old;
        synchronized (lock) {
            old = size;
            if (bytes == old || bytes <= 0) {
                return;
            }
            size = bytes;
        }
        log.info("multipath {}: capacity changed from {} to {} bytes ({}); new NBD connections see the new size",
                name, old, bytes, source);
        driver.emit(MultipathEvent.Type.DEVICE_RESIZED, id, null, "capacity " + old + " -> " + bytes + " bytes");
    }

    /**
     * Takes discovery's new view of the device: new paths join (ACTIVE when connected),
     * disconnected ones fail, vanished ones are removed, and the order is recomputed.
     */
    void update(Device d, Multipath.SessionLookup sessions) {
        device = d;
        if (d.blockSize() == blockSize && d.capacityBytes() > size) {
            // Only growth: one nexus's snapshot may predate the resize that another already read.
            resized(d.capacityBytes(), "discovery");
        }
        List<Runnable> after = new ArrayList<>();
        List<PathEntry> connectedFailed = new ArrayList<>();
        List<Command> resume = List.of();
        synchronized (lock) {
            if (closedReason != null) {
                return;
            }
            Map<PathId, PathEntry> old = new HashMap<>();
            for (PathEntry p : paths) {
                old.put(p.id, p);
            }
            List<PathEntry> next = new ArrayList<>();
            for (Path path : d.paths()) {
                PathEntry p = old.remove(path.id());
                if (p == null) {
                    IscsiSession s = sessions.session(path.id());
                    if (s == null) {
                        continue;
                    }
                    p = new PathEntry(path, s, path.connected() ? MultipathPathState.ACTIVE : MultipathPathState.FAILED);
                    if (!path.connected()) {
                        p.lastError(path.stateReason());
                    }
                    PathEntry added = p;
                    after.add(() -> driver.emit(MultipathEvent.Type.PATH_ADDED, id, added.id,
                            added.state().label() + (path.connected() ? "" : ": " + path.stateReason())));
                } else {
                    p.path(path);
                    if (!path.connected() && p.moveTo(MultipathPathState.FAILED, "session " + path.stateReason())) {
                        pathFailures.increment();
                        PathEntry failed = p;
                        after.add(() -> driver.emit(MultipathEvent.Type.PATH_FAILED, id, failed.id,
                                "session " + path.stateReason()));
                    } else if (path.connected() && p.state() == MultipathPathState.FAILED) {
                        connectedFailed.add(p);
                    }
                }
                next.add(p);
            }
            for (PathEntry gone : old.values()) {
                gone.moveTo(MultipathPathState.REMOVED, "no longer reported");
                after.add(() -> driver.emit(MultipathEvent.Type.PATH_REMOVED, id, gone.id, "no longer reported"));
            }
            next.sort(ORDER);
            for (int i = 0; i < next.size(); i++) {
                next.get(i).order(i);
            }
            paths = List.copyOf(next);
            if (noPathSince >= 0 && !candidates(null).isEmpty()) {
                noPathSince = -1;
                noPathSinceWall = null;
                resume = new ArrayList<>(waiting);
                waiting.clear();
                int n = resume.size();
                after.add(() -> driver.emit(MultipathEvent.Type.PATH_RESTORED, id, null, n + " waiting I/O(s) resumed"));
            } else if (noPathSince < 0 && candidates(null).isEmpty() && !paths.isEmpty()) {
                enterNoPath(System.nanoTime(), after);
            }
        }
        after.forEach(Runnable::run);
        resume.forEach(this::dispatch);
        releaseHeld();
        connectedFailed.forEach(this::check);
    }

    /** The session of a path that is logged in again: probe it now rather than at the next tick. */
    void connected(PathId path) {
        PathEntry hit = null;
        synchronized (lock) {
            for (PathEntry p : paths) {
                if (p.id.equals(path)) {
                    hit = p;
                }
            }
        }
        if (hit != null) {
            check(hit);
        }
        recheckFences();
    }

    /** Every ACTIVE path, for failure scopes. */
    Collection<PathEntry> activePaths() {
        List<PathEntry> ps;
        synchronized (lock) {
            ps = paths;
        }
        return ps.stream().filter(PathEntry::usable).toList();
    }

    /** Stops the device: commands waiting for a path or a fence fail with {@code reason}. */
    void shutdown(String reason) {
        List<Command> failed = new ArrayList<>();
        synchronized (lock) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            failed.addAll(waiting);
            failed.addAll(fencedWrites);
            failed.addAll(held);
            held.clear();
            heldCount = 0;
            waiting.clear();
            fencedWrites.clear();
            fences.clear();
        }
        NoPathException e = new NoPathException("device " + name + " (" + id + "): " + reason);
        failed.forEach(c -> c.finish(e));
    }

    /** Held commands: ascending rank, then first come first served. */
    private static final Comparator<Command> HELD_ORDER = Comparator.<Command>comparingLong(c -> c.rank)
            .thenComparingLong(c -> c.heldSequence);

    /** Preferred first, then primary, then by host port, storage port, target and LUN. */
    private static final Comparator<PathEntry> ORDER = Comparator
            .comparing((PathEntry p) -> !p.path().preferred())
            .thenComparing(p -> p.path().priority())
            .thenComparing(p -> p.id.hostPort())
            .thenComparing(p -> p.id.storagePort())
            .thenComparing(p -> p.id.targetName())
            .thenComparingInt(p -> p.id.lun());

    static long elapsedMillis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
