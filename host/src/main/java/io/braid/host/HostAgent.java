package io.braid.host;

import io.braid.host.discovery.Device;
import io.braid.host.discovery.LunInfo;
import io.braid.host.discovery.LunProber;
import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathListener;
import io.braid.host.discovery.PathPriority;
import io.braid.host.discovery.PathState;
import io.braid.host.iscsi.DiscoveredTarget;
import io.braid.host.iscsi.IscsiInitiator;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.SessionListener;
import io.braid.host.iscsi.SessionSpec;
import io.braid.host.iscsi.SessionState;
import io.braid.host.scsi.AluaState;
import io.braid.host.scsi.TargetPortGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The host agent's discovery side (architecture.md "Host side"): from every host port to every
 * configured portal it runs SendTargets, opens one iSCSI session per host port × storage port ×
 * target (one I_T nexus), probes the LUNs behind each session, and groups the paths into
 * multipath {@link Device}s by their VPD 83h identifier. Sessions reconnect on their own; each new
 * login probes again, and discovery runs again every {@link HostConfig#rescanInterval()}.
 *
 * <p>This is the facade the multipath driver, the NBD export and {@code braid host} build on:
 * {@link #devices()} and {@link #paths()} are snapshots; {@link #session(PathId)} gives the live
 * session a path's I/O goes to; {@link PathListener}s hear about changes.
 *
 * <p>Thread-safe. Snapshots may be taken from any thread.
 */
public final class HostAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostAgent.class);

    private final HostConfig config;
    private final IscsiInitiator initiator;
    private final Map<String, Nexus> nexuses = new ConcurrentHashMap<>();
    private final List<PathListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService rescanner;
    private volatile boolean closed;

    private HostAgent(HostConfig config, io.netty.channel.EventLoopGroup loops) {
        this.config = config;
        this.initiator = new IscsiInitiator(config.initiatorConfig(), loops);
        this.rescanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "braid-host-rescan");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the agent and runs the first discovery, waiting until every session found has
     * logged in and been probed or failed its first attempt (bounded by twice the login timeout
     * plus twice the command timeout). Paths that are not up by then keep trying in the
     * background.
     */
    public static HostAgent start(HostConfig config) throws InterruptedException {
        return start(config, null);
    }

    /**
     * {@link #start(HostConfig)} with the sessions on {@code loops} (shared with the NBD server,
     * see {@link AgentEventLoops}), which the caller stops after closing the agent; null for the
     * initiator's own loops.
     */
    public static HostAgent start(HostConfig config, io.netty.channel.EventLoopGroup loops) throws InterruptedException {
        HostAgent agent = new HostAgent(config, loops);
        Duration bound = config.loginTimeout().multipliedBy(2).plus(config.commandTimeout().multipliedBy(2));
        try {
            agent.rescan().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("host agent: first discovery not finished within {} ms; going on in the background",
                    bound.toMillis());
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("host agent: first discovery failed: {}", e.getCause().toString());
        }
        if (!config.rescanInterval().isZero()) {
            long every = config.rescanInterval().toMillis();
            agent.rescanner.scheduleWithFixedDelay(() -> {
                try {
                    agent.rescan().get(bound.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    log.debug("host agent: rescan: {}", e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
        log.info("host agent {}: {} session(s), {} device(s)", config.initiatorName(), agent.nexuses.size(),
                agent.devices().size());
        return agent;
    }

    public HostConfig config() {
        return config;
    }

    /** The initiator all sessions run on. */
    public IscsiInitiator initiator() {
        return initiator;
    }

    public void addListener(PathListener listener) {
        listeners.add(listener);
    }

    public void removeListener(PathListener listener) {
        listeners.remove(listener);
    }

    /**
     * Discovery again: SendTargets from every host port to every portal, sessions for nexuses not
     * seen before, and a new probe of every logged-in session. Completes when the new sessions
     * logged in and every probe ended (successfully or not); never completes exceptionally.
     */
    public CompletableFuture<Void> rescan() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> asks = new ArrayList<>();
        Map<String, NexusKey> found = new ConcurrentHashMap<>();
        for (InetAddress hostPort : config.hostPorts()) {
            for (Endpoint portal : config.portals()) {
                InetSocketAddress address = portal.toSocketAddress();
                if (address.isUnresolved()) {
                    log.warn("host agent: portal {} cannot be resolved", portal);
                    continue;
                }
                if (!sameFamily(hostPort, address.getAddress())) {
                    continue;
                }
                asks.add(initiator.sendTargets(bindable(hostPort), address, config.discoveryAuth())
                        .thenAccept(targets -> {
                            for (DiscoveredTarget t : targets) {
                                if (!config.targets().isEmpty() && !config.targets().contains(t.name())) {
                                    continue;
                                }
                                List<InetSocketAddress> storagePorts = new ArrayList<>();
                                if (config.followDiscoveredPortals()) {
                                    for (DiscoveredTarget.TargetPortal p : t.portals()) {
                                        InetSocketAddress a = new InetSocketAddress(p.host(), p.port());
                                        if (!a.isUnresolved()) {
                                            storagePorts.add(a);
                                        }
                                    }
                                } else {
                                    storagePorts.add(address);
                                }
                                for (InetSocketAddress sp : storagePorts) {
                                    if (sameFamily(hostPort, sp.getAddress())) {
                                        NexusKey k = new NexusKey(hostPort, sp, t.name());
                                        found.putIfAbsent(k.text(), k);
                                    }
                                }
                            }
                        })
                        .exceptionally(e -> {
                            log.warn("host agent: SendTargets from {} to {} failed: {}", hostText(hostPort), portal,
                                    rootMessage(e));
                            return null;
                        }));
            }
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            for (NexusKey k : found.values()) {
                Nexus n = nexuses.get(k.text());
                if (n == null && !closed) {
                    n = open(k);
                    waits.add(n.firstProbe);
                } else if (n != null && n.session.isLoggedIn()) {
                    waits.add(n.probe());
                }
            }
            return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        }).exceptionally(e -> null);
    }

    private Nexus open(NexusKey k) {
        IscsiSession session = initiator.open(new SessionSpec(k.target(), bindable(k.hostPort()), k.storagePort(),
                config.auth()));
        Nexus n = new Nexus(k, session);
        nexuses.put(k.text(), n);
        session.addListener(n);
        session.firstLogin().whenComplete((v, e) -> {
            if (e != null) {
                log.warn("host agent: path {} not up yet: {}", k.text(), rootMessage(e));
                n.firstProbe.complete(null);
            }
        });
        // The login may have completed before the listener was added.
        if (session.isLoggedIn()) {
            n.probe();
        }
        return n;
    }

    /** Every multipath device, by id. */
    public List<Device> devices() {
        Map<String, List<Path>> paths = new LinkedHashMap<>();
        Map<String, LunInfo> attributes = new LinkedHashMap<>();
        Map<String, Boolean> aluaOf = new LinkedHashMap<>();
        Set<String> fromConnected = new java.util.HashSet<>();
        for (Nexus n : sortedNexuses()) {
            boolean up = n.session.isLoggedIn();
            for (LunInfo info : n.luns) {
                String id = info.deviceId(n.key.target());
                paths.computeIfAbsent(id, x -> new ArrayList<>()).add(n.path(info));
                // The attributes seen through a connected path are the freshest; a capacity is
                // better than none (a standby port does not report one).
                LunInfo had = attributes.get(id);
                if (had == null || (had.capacity() == null && info.capacity() != null)
                        || (up && info.capacity() != null && fromConnected.add(id))) {
                    attributes.put(id, info);
                    if (up && info.capacity() != null) {
                        fromConnected.add(id);
                    }
                }
                aluaOf.merge(id, info.portGroups() != null && info.inquiry().alua(), Boolean::logicalOr);
            }
        }
        List<Device> out = new ArrayList<>();
        paths.forEach((id, ps) -> {
            LunInfo a = attributes.get(id);
            out.add(new Device(id, a.inquiry().vendor(), a.inquiry().product(), a.inquiry().revision(),
                    a.unitSerial(), a.enclosureSerial(), a.arrayType(), a.capacity() == null ? 0 : a.capacity().bytes(),
                    a.capacity() == null ? 0 : a.capacity().blockSize(), aluaOf.get(id), ps));
        });
        out.sort(Comparator.comparing(Device::id));
        return out;
    }

    public Optional<Device> device(String id) {
        return devices().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /** Every path: one per LUN of each probed session, one with LUN -1 for a session never probed. */
    public List<Path> paths() {
        List<Path> out = new ArrayList<>();
        for (Nexus n : sortedNexuses()) {
            List<LunInfo> luns = n.luns;
            if (luns.isEmpty()) {
                out.add(n.path(null));
            } else {
                for (LunInfo info : luns) {
                    out.add(n.path(info));
                }
            }
        }
        return out;
    }

    /** The live session a path's I/O goes to (the LUN of {@code id} is ignored). */
    public Optional<IscsiSession> session(PathId id) {
        for (Nexus n : nexuses.values()) {
            if (n.key.hostText().equals(id.hostPort()) && n.key.storageText().equals(id.storagePort())
                    && n.key.target().equals(id.targetName())) {
                return Optional.of(n.session);
            }
        }
        return Optional.empty();
    }

    /** Every session, one per I_T nexus. */
    public List<IscsiSession> sessions() {
        return sortedNexuses().stream().map(n -> n.session).toList();
    }

    private List<Nexus> sortedNexuses() {
        List<Nexus> all = new ArrayList<>(nexuses.values());
        all.sort(Comparator.comparing(n -> n.key.text()));
        return all;
    }

    /** Logs out of every session (bounded by the logout timeouts) and stops. Safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        rescanner.shutdownNow();
        initiator.close();
        log.info("host agent {}: stopped", config.initiatorName());
    }

    private void devicesChanged() {
        if (listeners.isEmpty()) {
            return;
        }
        List<Device> snapshot = devices();
        for (PathListener l : listeners) {
            try {
                l.devicesChanged(snapshot);
            } catch (RuntimeException e) {
                log.warn("host agent: listener failed: {}", e.toString(), e);
            }
        }
    }

    private static boolean sameFamily(InetAddress hostPort, InetAddress portal) {
        return hostPort.isAnyLocalAddress() || (hostPort instanceof Inet4Address) == (portal instanceof Inet4Address);
    }

    private static InetAddress bindable(InetAddress hostPort) {
        return hostPort.isAnyLocalAddress() ? null : hostPort;
    }

    static String hostText(InetAddress hostPort) {
        return hostPort.isAnyLocalAddress() ? "*" : hostPort.getHostAddress();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Host port × storage port × target. */
    record NexusKey(InetAddress hostPort, InetSocketAddress storagePort, String target) {
        String hostText() {
            return HostAgent.hostText(hostPort);
        }

        String storageText() {
            return new Endpoint(storagePort.getAddress().getHostAddress(), storagePort.getPort()).toString();
        }

        String text() {
            return hostText() + "->" + storageText() + " " + target;
        }
    }

    /** One session and what its last probe found. */
    private final class Nexus implements SessionListener {
        final NexusKey key;
        final IscsiSession session;
        final CompletableFuture<Void> firstProbe = new CompletableFuture<>();
        volatile List<LunInfo> luns = List.of();
        private CompletableFuture<Void> probing;
        /** Set by a (re)login: the next probe announces every path as connected. */
        private volatile boolean announce;

        Nexus(NexusKey key, IscsiSession session) {
            this.key = key;
            this.session = session;
        }

        /** Probes the LUNs again unless a probe is running; completes when it ends. */
        synchronized CompletableFuture<Void> probe() {
            if (probing != null && !probing.isDone()) {
                return probing;
            }
            Set<Integer> known = new java.util.HashSet<>();
            luns.forEach(i -> known.add(i.lun()));
            probing = LunProber.probe(session).handle((found, e) -> {
                if (e != null) {
                    log.warn("host agent: probe of {} failed: {}", key.text(), rootMessage(e));
                } else {
                    luns = found;
                    log.info("host agent: {}: {} LUN(s)", key.text(), found.size());
                    boolean all = announce;
                    announce = false;
                    notifyAll(all ? found : found.stream().filter(i -> !known.contains(i.lun())).toList(),
                            PathState.DISCONNECTED, PathState.CONNECTED, "logged in and probed");
                }
                firstProbe.complete(null);
                devicesChanged();
                return null;
            });
            return probing;
        }

        @Override
        public void stateChanged(IscsiSession s, SessionState from, SessionState to, String reason) {
            if (to == SessionState.LOGGED_IN) {
                announce = true;
                probe();
            } else if (from == SessionState.LOGGED_IN) {
                notifyAll(luns, PathState.CONNECTED, PathState.DISCONNECTED, reason);
            }
        }

        private void notifyAll(List<LunInfo> which, PathState from, PathState to, String reason) {
            if (listeners.isEmpty() || which.isEmpty()) {
                return;
            }
            for (LunInfo info : which) {
                Path p = path(info);
                for (PathListener l : listeners) {
                    try {
                        l.pathStateChanged(p, from, to, reason);
                    } catch (RuntimeException e) {
                        log.warn("host agent: listener failed: {}", e.toString(), e);
                    }
                }
            }
        }

        Path path(LunInfo info) {
            PathId id = new PathId(key.hostText(), key.storageText(), key.target(), info == null ? -1 : info.lun());
            boolean up = session.isLoggedIn();
            TargetPortGroups.Group g = info == null ? null : info.portGroup();
            return new Path(id, info == null ? null : info.deviceId(key.target()),
                    up ? PathState.CONNECTED : PathState.DISCONNECTED, session.state(), session.stateReason(),
                    session.targetPortalGroupTag(),
                    info == null ? -1 : info.identification().targetPortGroup(),
                    info == null ? -1 : info.identification().relativeTargetPort(),
                    info == null ? AluaState.NOT_REPORTED : info.aluaState(), g != null && g.preferred(),
                    info == null ? PathPriority.PRIMARY : info.priority(), session.outstanding(),
                    session.stats().averageLatency());
        }
    }
}
