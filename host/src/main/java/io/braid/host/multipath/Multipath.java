package io.braid.host.multipath;

import io.braid.host.ExportedDevice;
import io.braid.host.HostAgent;
import io.braid.host.discovery.Device;
import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathListener;
import io.braid.host.discovery.PathState;
import io.braid.host.iscsi.IscsiSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The multipath driver (architecture.md "Multipath driver"): turns the {@link HostAgent}'s
 * devices into {@link MultipathDevice}s, keeps their paths in step with discovery, fails paths
 * across devices when a session is lost, and re-probes failed paths with TEST UNIT READY every
 * {@link MultipathConfig#checkerInterval()}.
 *
 * <p>A device appears (and {@link MultipathListener#deviceAdded} is called) once its limits were
 * read through one of its paths; it goes when discovery no longer reports it.
 *
 * <p>Thread-safe. One timer thread ({@code braid-multipath}) runs the checker, retries after a
 * delay and the no-path and fence deadlines; everything else runs on the sessions' event loops.
 */
public final class Multipath implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Multipath.class);
    /** Events kept for {@link #events(long)}. */
    public static final int EVENTS_KEPT = 1024;
    /** Rescans asked for by error analysis are at most this frequent. */
    private static final long RESCAN_SPACING_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final HostAgent agent;
    private final MultipathConfig config;
    private final DeviceNaming naming;
    private final ScheduledExecutorService timer;
    private final Map<String, MultipathDevice> devices = new ConcurrentHashMap<>();
    /** Devices whose limits are being read, by id, with their latest snapshot. */
    private final Map<String, Device> probing = new LinkedHashMap<>();
    /** Completes when the probe of a device in {@link #probing} has ended (added or not). Guarded by this. */
    private final Map<String, CompletableFuture<Void>> probes = new HashMap<>();
    private final List<MultipathListener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<MultipathEvent> events = new ArrayDeque<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong lastRescan = new AtomicLong(System.nanoTime() - RESCAN_SPACING_NANOS);
    private final java.util.concurrent.atomic.AtomicBoolean rescanPending = new java.util.concurrent.atomic.AtomicBoolean();
    private final Listener listener = new Listener();
    private volatile PolicyResolver resolver = PolicyResolver.BUILT_IN;
    private volatile boolean closed;
    private volatile ReservationRecovery reservationRecovery;

    /** Finds the live session of a path. */
    @FunctionalInterface
    interface SessionLookup {
        IscsiSession session(PathId id);
    }

    private Multipath(HostAgent agent, MultipathConfig config, DeviceNaming naming) {
        this.agent = agent;
        this.config = config;
        this.naming = naming;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "braid-multipath");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the driver over a running agent: a device for each device the agent knows (waiting,
     * bounded by twice the command timeout, until their limits were read), then follows the
     * agent's changes.
     *
     * @param naming the export name of each device; see {@link DeviceNaming}
     */
    public static Multipath start(HostAgent agent, MultipathConfig config, DeviceNaming naming)
            throws InterruptedException {
        return start(agent, config, naming, m -> { });
    }

    /**
     * {@link #start(HostAgent, MultipathConfig, DeviceNaming)}, with {@code listening} run once the
     * driver listens to discovery and before it looks at discovery's devices itself (a test
     * delivers a discovery event there, as a session's listener may).
     */
    static Multipath start(HostAgent agent, MultipathConfig config, DeviceNaming naming,
                           java.util.function.Consumer<Multipath> listening) throws InterruptedException {
        Multipath m = new Multipath(agent, config, naming);
        agent.addListener(m.listener);
        listening.accept(m);
        // Waits for every device found, also those whose probe a discovery event started first.
        List<CompletableFuture<Void>> first = m.sync(agent.devices());
        Duration bound = agent.config().commandTimeout().multipliedBy(2);
        try {
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("multipath: devices not ready within {} ms; they are added when they are", bound.toMillis());
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("multipath: {}", e.getCause().toString());
        }
        long every = config.checkerInterval().toMillis();
        m.timer.scheduleWithFixedDelay(m::checkAll, every, every, TimeUnit.MILLISECONDS);
        log.info("multipath: {} device(s), checker every {} ms, no-path timeout {} ms", m.devices.size(), every,
                config.noPathTimeout().toMillis());
        return m;
    }

    /** {@link #start(HostAgent, MultipathConfig, DeviceNaming)} with devices named by their id. */
    public static Multipath start(HostAgent agent, MultipathConfig config) throws InterruptedException {
        return start(agent, config, DeviceNaming.byId());
    }

    public MultipathConfig config() {
        return config;
    }

    public HostAgent agent() {
        return agent;
    }

    /** Every device, sorted by name. */
    public List<MultipathDevice> devices() {
        List<MultipathDevice> out = new ArrayList<>(devices.values());
        out.sort(Comparator.comparing(MultipathDevice::name));
        return out;
    }

    /** The device with this id or name. */
    public Optional<MultipathDevice> device(String idOrName) {
        MultipathDevice d = devices.get(idOrName);
        if (d != null) {
            return Optional.of(d);
        }
        return devices.values().stream().filter(x -> x.name().equals(idOrName)).findFirst();
    }

    /** Sets who restores this host's reservations on RESERVATION CONFLICT; null: nobody, the I/O fails. */
    public void reservationRecovery(ReservationRecovery r) {
        reservationRecovery = r;
    }

    /** The recovery set by {@link #reservationRecovery(ReservationRecovery)}, or null. */
    public ReservationRecovery reservationRecovery() {
        return reservationRecovery;
    }

    public void addListener(MultipathListener l) {
        listeners.add(l);
    }

    public void removeListener(MultipathListener l) {
        listeners.remove(l);
    }

    /**
     * Chooses the policy of devices added from now on (the module registry); devices already
     * there keep theirs (move them with {@link MultipathDevice#policy(DevicePolicy, String)}).
     */
    public void policyResolver(PolicyResolver r) {
        resolver = java.util.Objects.requireNonNull(r, "r");
    }

    /** Adds an event of a component working with the driver (the module registry) to the recent events. */
    public void report(MultipathEvent.Type type, String deviceId, String message) {
        emit(type, deviceId, null, message);
    }

    /** The recent events (at most {@value #EVENTS_KEPT}) with a sequence number above {@code after}. */
    public List<MultipathEvent> events(long after) {
        synchronized (events) {
            return events.stream().filter(e -> e.sequence() > after).toList();
        }
    }

    /**
     * Stops the checker and the timers; I/O waiting for a path or a fence fails. I/O in flight ends
     * with its session (close the agent afterwards). Safe to call twice.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        agent.removeListener(listener);
        timer.shutdownNow();
        for (MultipathDevice d : devices.values()) {
            d.shutdown("the multipath driver is closed");
        }
        log.info("multipath: stopped");
    }

    // ------------------------------------------------------------------ used by devices

    void emit(MultipathEvent.Type type, String deviceId, PathId path, String message) {
        MultipathEvent e = new MultipathEvent(sequence.incrementAndGet(), Instant.now(), type, deviceId, path, message);
        synchronized (events) {
            events.addLast(e);
            while (events.size() > EVENTS_KEPT) {
                events.removeFirst();
            }
        }
        for (MultipathListener l : listeners) {
            try {
                l.event(e);
            } catch (RuntimeException x) {
                log.warn("multipath: listener failed: {}", x.toString(), x);
            }
        }
    }

    void schedule(Duration delay, Runnable task) {
        try {
            if (delay.isZero()) {
                timer.execute(task);
            } else {
                timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            // Closed: the device's shutdown failed what was waiting; run the task so it finds out.
            Thread.ofVirtual().start(task);
        }
    }

    void execute(Runnable task) {
        schedule(Duration.ZERO, task);
    }

    /**
     * Asks discovery to probe again (ALUA states, LUNs or capacity changed), at most once a second:
     * a request within a second of the last rescan is served by one more rescan at the end of that
     * second, so the last change is always seen.
     */
    void requestRescan() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long last = lastRescan.get();
        long wait = RESCAN_SPACING_NANOS - (now - last);
        if (wait <= 0) {
            if (lastRescan.compareAndSet(last, now)) {
                log.info("multipath: asking discovery to probe again");
                agent.rescan();
            }
        } else if (rescanPending.compareAndSet(false, true)) {
            schedule(Duration.ofNanos(wait), () -> {
                rescanPending.set(false);
                requestRescan();
            });
        }
    }

    /** Fails {@code failed} and whatever the device's failure scope adds, across every device. */
    void failPaths(MultipathDevice origin, PathEntry failed, PathFault fault, String reason) {
        List<PathEntry> known = new ArrayList<>();
        for (MultipathDevice d : devices.values()) {
            known.addAll(d.activePaths());
        }
        Set<PathId> ids;
        try {
            ids = new HashSet<>(origin.policy().scope().affected(failed, fault, known));
            ids.add(failed.id());
        } catch (RuntimeException e) {
            log.warn("multipath {}: failure scope failed: {}", origin.name(), e.toString());
            ids = Set.of(failed.id());
        }
        for (MultipathDevice d : devices.values()) {
            d.failPaths(ids, reason);
        }
        if (!devices.containsKey(origin.id())) {
            origin.failPaths(ids, reason);
        }
        if (fault == PathFault.PORT_GROUP) {
            requestRescan();
        }
    }

    // ------------------------------------------------------------------ discovery

    /**
     * Brings the device set in line with discovery; returns the probes under way for the devices
     * found, started now or by an earlier call.
     */
    private List<CompletableFuture<Void>> sync(List<Device> found) {
        if (closed) {
            return List.of();
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        List<MultipathDevice> removed = new ArrayList<>();
        List<Device> toCreate = new ArrayList<>();
        Map<MultipathDevice, Device> toUpdate = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        found.forEach(d -> ids.add(d.id()));
        boolean someGone = devices.keySet().stream().anyMatch(id -> !ids.contains(id));
        // Listeners on several sessions may deliver snapshots out of order: a removal is confirmed
        // against discovery's view now.
        Set<String> present = new HashSet<>(ids);
        if (someGone) {
            agent.devices().forEach(d -> present.add(d.id()));
        }
        synchronized (this) {
            for (Device d : found) {
                MultipathDevice existing = devices.get(d.id());
                if (existing != null) {
                    toUpdate.put(existing, d);
                } else if (probing.containsKey(d.id())) {
                    probing.put(d.id(), d);
                    started.add(probes.get(d.id()));
                } else if (d.capacityBytes() > 0 && d.blockSize() > 0) {
                    probing.put(d.id(), d);
                    CompletableFuture<Void> probed = new CompletableFuture<>();
                    probes.put(d.id(), probed);
                    started.add(probed);
                    toCreate.add(d);
                } else {
                    log.info("multipath: device {} waits: no path reported its capacity yet", d.id());
                }
            }
            for (MultipathDevice d : List.copyOf(devices.values())) {
                if (!present.contains(d.id())) {
                    devices.remove(d.id());
                    removed.add(d);
                }
            }
        }
        toUpdate.forEach((device, d) -> device.update(d, this::session));
        toCreate.forEach(this::create);
        for (MultipathDevice d : removed) {
            d.shutdown("discovery no longer reports the device");
            log.info("multipath: device {} ({}) removed", d.name(), d.id());
            emit(MultipathEvent.Type.DEVICE_REMOVED, d.id(), null, "discovery no longer reports it");
            for (MultipathListener l : listeners) {
                try {
                    l.deviceRemoved(d);
                } catch (RuntimeException x) {
                    log.warn("multipath: listener failed: {}", x.toString(), x);
                }
            }
        }
        return started;
    }

    private IscsiSession session(PathId id) {
        return agent.session(id).orElse(null);
    }

    /** Reads the device's limits through its connected paths in order, then adds it. */
    private CompletableFuture<Void> create(Device d) {
        List<Path> candidates = d.paths().stream().filter(Path::connected).toList();
        CompletableFuture<DeviceLimits> limits = CompletableFuture.failedFuture(
                new IllegalStateException("no connected path"));
        for (Path p : candidates) {
            limits = limits.exceptionallyCompose(e -> {
                IscsiSession s = session(p.id());
                return s == null ? CompletableFuture.failedFuture(e) : UnitProbe.probe(s, p.lun());
            });
        }
        return limits.handle((l, e) -> {
            Device latest;
            CompletableFuture<Void> probed;
            synchronized (this) {
                latest = probing.remove(d.id());
                probed = probes.remove(d.id());
            }
            try {
                if (latest == null || closed) {
                    return null;
                }
                if (e != null) {
                    log.warn("multipath: device {} not added yet, its limits could not be read: {}", d.id(),
                            e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                    ? e.getCause().getMessage() : e.getMessage());
                    return null;
                }
                add(latest, l);
                return null;
            } finally {
                if (probed != null) {
                    probed.complete(null);
                }
            }
        });
    }

    private void add(Device d, DeviceLimits limits) {
        PolicyRule rule = config.ruleFor(d);
        MultipathDevice device;
        synchronized (this) {
            String name = nameFor(d);
            DevicePolicy policy;
            try {
                policy = resolver.policyFor(d, rule);
            } catch (RuntimeException e) {
                log.warn("multipath: device {}: policy resolver failed ({}); using {}", d.id(), e.toString(),
                        rule.policy());
                policy = DevicePolicy.builtIn(rule);
            }
            device = new MultipathDevice(this, d, name, limits, policy);
            devices.put(d.id(), device);
        }
        device.update(d, this::session);
        log.info("multipath: device {} ({} {}, {} bytes, {} path(s), policy {}, max transfer {} bytes{}{})",
                device.name(), d.vendor().trim(), d.id(), d.capacityBytes(), d.pathCount(), device.policy().name(),
                limits.maxTransferBytes(d.blockSize()), device.canTrim() ? ", trim" : "",
                device.readOnly() ? ", read-only" : "");
        emit(MultipathEvent.Type.DEVICE_ADDED, d.id(), null, "exported as " + device.name() + ", policy "
                + device.policy().name());
        for (MultipathListener l : listeners) {
            try {
                l.deviceAdded(device);
            } catch (RuntimeException x) {
                log.warn("multipath: listener failed: {}", x.toString(), x);
            }
        }
    }

    /** The device's name, unless another device has it already (then its id). Under this. */
    private String nameFor(Device d) {
        String name;
        try {
            name = ExportedDevice.checkName(naming.name(d));
        } catch (RuntimeException e) {
            log.warn("multipath: device {}: no usable name ({}); using its id", d.id(), e.getMessage());
            return d.id();
        }
        for (MultipathDevice other : devices.values()) {
            if (other.name().equals(name) && !other.id().equals(d.id())) {
                log.warn("multipath: device {}: name {} is taken by {}; using the id", d.id(), name, other.id());
                return d.id();
            }
        }
        return name;
    }

    private void checkAll() {
        if (closed) {
            return;
        }
        for (MultipathDevice d : devices.values()) {
            try {
                d.checkFailedPaths();
                d.checkIdle();
                d.recheckFences();
            } catch (RuntimeException e) {
                log.warn("multipath {}: checker failed: {}", d.name(), e.toString(), e);
            }
        }
    }

    /** Discovery's events, on session event loops. */
    /** The driver's discovery listener (tests deliver events through it). */
    PathListener listenerForTest() {
        return listener;
    }

    private final class Listener implements PathListener {
        @Override
        public void pathStateChanged(Path path, PathState from, PathState to, String reason) {
            if (closed || path.deviceId() == null) {
                return;
            }
            MultipathDevice d = devices.get(path.deviceId());
            if (d == null) {
                return;
            }
            if (to == PathState.DISCONNECTED) {
                d.failPaths(Set.of(path.id()), "session " + reason);
            } else {
                d.connected(path.id());
            }
        }

        @Override
        public void devicesChanged(List<Device> all) {
            sync(all);
        }
    }

    /** Every ACTIVE path of every device (for tests and listings). */
    Collection<PathEntry> allActivePaths() {
        List<PathEntry> out = new ArrayList<>();
        devices.values().forEach(d -> out.addAll(d.activePaths()));
        return out;
    }
}
