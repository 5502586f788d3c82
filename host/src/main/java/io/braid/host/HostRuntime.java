package io.braid.host;

import io.braid.host.api.DevicePathView;
import io.braid.host.api.DeviceView;
import io.braid.host.api.EventView;
import io.braid.host.api.ExportView;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.host.api.HostView;
import io.braid.host.discovery.Path;
import io.braid.host.module.ModuleException;
import io.braid.host.module.ModuleInfo;
import io.braid.host.module.ModuleRegistry;
import io.braid.host.multipath.DeviceNaming;
import io.braid.host.multipath.Multipath;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathListener;
import io.braid.host.multipath.PathStatus;
import io.braid.host.nbd.NbdServer;
import io.braid.host.nbd.NbdServerConfig;
import io.braid.host.pr.HostReservations;
import io.braid.host.pr.ReservationStrategies;
import io.braid.host.pr.ReservationKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * The host agent as one running thing (architecture.md "Host side"): discovery and sessions
 * ({@link HostAgent}), the multipath driver ({@link Multipath}), the NBD server exporting every
 * multipath device on {@code nbd.sock} in the data directory (and optionally loopback TCP), and
 * the local control API for {@code braid host ...}. Devices that appear later are exported when
 * they are ready; devices that vanish are unexported.
 *
 * <p>Export names: the device id (VPD 83h, e.g. {@code naa.3a1b2c3d4e5f6071}) unless
 * {@link AgentConfig#exportNames()} names the device by id or LUN serial (for a Braid volume the
 * serial is the volume UUID as 32 hex digits).
 *
 * <p>Thread-safe. {@link #close()} stops everything in order: control API, NBD (clients finish
 * what is in flight), the driver, then the sessions (logout).
 */
public final class HostRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostRuntime.class);

    private final AgentConfig config;
    private final AgentEventLoops loops;
    private final NbdServer nbd;
    private final HostAgent agent;
    private final Multipath multipath;
    private final HostReservations reservations;
    private final Map<String, ExportView> exports = new LinkedHashMap<>();
    private final List<ExportListener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile HostControlApi api;
    private volatile ModuleRegistry modules;
    private volatile boolean closed;

    /** Hears about exports coming and going. Called from I/O threads: return quickly. */
    public interface ExportListener {
        void exportAdded(ExportView export);

        default void exportRemoved(ExportView export) {
        }
    }

    private HostRuntime(AgentConfig config, AgentEventLoops loops, NbdServer nbd, HostAgent agent, Multipath multipath) {
        this.config = config;
        this.loops = loops;
        this.nbd = nbd;
        this.agent = agent;
        this.multipath = multipath;
        // A device's reservation handling comes from its policy module (the built-in defaults
        // when the module has none), asked within the module's decision budget.
        this.reservations = HostReservations.start(multipath, d -> {
            ModuleRegistry m = modules;
            return m == null ? null : ReservationStrategies.of(m.reservations(d.id()));
        });
    }

    /**
     * Starts the agent: the NBD server first (so a socket in use fails before any session
     * opens), then discovery, the multipath driver, the exports of the devices ready by then,
     * and the control API with its files in the data directory.
     *
     * @throws IOException when the data directory, the NBD socket or the API address cannot be used
     */
    public static HostRuntime start(AgentConfig config) throws IOException, InterruptedException {
        Files.createDirectories(config.dataDir());
        NbdServerConfig nc = NbdServerConfig.inDirectory(config.dataDir());
        if (config.nbdTcp() != null) {
            nc = nc.withTcp(config.nbdTcp());
        }
        // Sessions and NBD connections on the same loops: an I/O need not change threads.
        AgentEventLoops loops = AgentEventLoops.start(config.host().initiatorConfig().ioThreads());
        NbdServer nbd;
        try {
            nbd = NbdServer.start(nc, loops.group());
        } catch (IOException | RuntimeException e) {
            loops.close();
            throw e;
        }
        HostAgent agent = null;
        Multipath multipath = null;
        try {
            agent = HostAgent.start(config.host(), loops.group());
            multipath = Multipath.start(agent, config.multipath(), DeviceNaming.of(config.exportNames()));
            HostRuntime r = new HostRuntime(config, loops, nbd, agent, multipath);
            r.modules = ModuleRegistry.start(multipath, config.modules(), config.dataDir());
            multipath.addListener(r.new Exporter());
            for (MultipathDevice d : multipath.devices()) {
                r.export(d);
            }
            if (config.api() != null) {
                r.startApi();
            }
            return r;
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (multipath != null) {
                multipath.close();
            }
            nbd.close();
            if (agent != null) {
                agent.close();
            }
            loops.close();
            throw e;
        }
    }

    private void startApi() throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        api = HostControlApi.start(config.api(), token, new View());
        new HostControlFile(api.uri().toString(), ProcessHandle.current().pid(), config.host().initiatorName(),
                nbd.unixSocket().map(Object::toString).orElse(null), Instant.now().toString())
                .write(config.dataDir(), token);
    }

    public AgentConfig config() {
        return config;
    }

    public HostAgent agent() {
        return agent;
    }

    public Multipath multipath() {
        return multipath;
    }

    /** The device policy modules. */
    public ModuleRegistry modules() {
        return modules;
    }

    public NbdServer nbd() {
        return nbd;
    }

    /** The persistent reservation keepers of the devices ({@code braid host pr ...}). */
    public HostReservations reservations() {
        return reservations;
    }

    /** The control API's base URI, if it runs. */
    public Optional<URI> controlApi() {
        HostControlApi a = api;
        return a == null ? Optional.empty() : Optional.of(a.uri());
    }

    /** Every export, in the order they were added. */
    public synchronized List<ExportView> exports() {
        return List.copyOf(exports.values());
    }

    /** The export of a device by export name, device id or LUN serial. */
    public synchronized Optional<ExportView> export(String key) {
        for (ExportView e : exports.values()) {
            if (e.name().equals(key) || e.deviceId().equals(key) || e.lunSerial().equalsIgnoreCase(key)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Adds a listener; exports already there are not replayed (see {@link #exports()}). */
    public void addExportListener(ExportListener l) {
        listeners.add(l);
    }

    public void removeExportListener(ExportListener l) {
        listeners.remove(l);
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void export(MultipathDevice d) {
        ExportView e;
        synchronized (this) {
            if (closed || exports.containsKey(d.name())) {
                return;
            }
            try {
                nbd.addExport(d);
            } catch (IllegalArgumentException x) {
                log.warn("host agent: device {} not exported: {}", d.id(), x.getMessage());
                return;
            }
            e = new ExportView(d.name(), d.id(), d.device().lunSerial(), d.size(), d.readOnly(), nbd.unixUri(d.name()),
                    nbd.tcpAddress().isPresent() ? nbd.tcpUri(d.name()) : null);
            exports.put(d.name(), e);
        }
        log.info("host agent: NBD {} {}", e.name(), e.unixUri());
        for (ExportListener l : listeners) {
            try {
                l.exportAdded(e);
            } catch (RuntimeException x) {
                log.warn("host agent: export listener failed: {}", x.toString(), x);
            }
        }
    }

    private void unexport(MultipathDevice d) {
        ExportView e;
        synchronized (this) {
            e = exports.get(d.name());
            if (e == null || !e.deviceId().equals(d.id())) {
                return;
            }
            exports.remove(d.name());
            nbd.removeExport(d.name());
        }
        log.info("host agent: NBD {} removed", e.name());
        for (ExportListener l : listeners) {
            try {
                l.exportRemoved(e);
            } catch (RuntimeException x) {
                log.warn("host agent: export listener failed: {}", x.toString(), x);
            }
        }
    }

    /** Stops everything (see the class comment). Safe to call twice. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            HostControlApi a = api;
            if (a != null) {
                a.close();
                try {
                    HostControlFile.remove(config.dataDir(), ProcessHandle.current().pid());
                } catch (IOException e) {
                    log.warn("host agent: cannot remove the control files: {}", e.toString());
                }
            }
            nbd.close();
            reservations.close();
            multipath.close();
            ModuleRegistry m = modules;
            if (m != null) {
                m.close();
            }
            agent.close();
            loops.close();
        } finally {
            stopped.countDown();
        }
    }

    /** Follows the driver's devices. */
    private final class Exporter implements MultipathListener {
        @Override
        public void deviceAdded(MultipathDevice device) {
            export(device);
        }

        @Override
        public void deviceRemoved(MultipathDevice device) {
            unexport(device);
        }
    }

    /** The control API's view of the running agent. */
    private final class View implements HostView {
        private double noPathSeconds() {
            return config.multipath().noPathTimeout().toMillis() / 1000.0;
        }

        private String uriOf(MultipathDevice d) {
            ExportView e;
            synchronized (HostRuntime.this) {
                e = exports.get(d.name());
            }
            return e == null || !e.deviceId().equals(d.id()) ? null : e.unixUri();
        }

        @Override
        public List<DeviceView> devices() {
            return multipath.devices().stream().map(d -> DeviceView.of(d, noPathSeconds(), uriOf(d))).toList();
        }

        @Override
        public Optional<DeviceView> device(String nameOrId) {
            return multipath.device(nameOrId).map(d -> DeviceView.of(d, noPathSeconds(), uriOf(d)));
        }

        @Override
        public List<DevicePathView> paths() {
            List<DevicePathView> out = new ArrayList<>();
            Set<String> held = new HashSet<>();
            for (MultipathDevice d : multipath.devices()) {
                for (PathStatus p : d.paths()) {
                    out.add(DevicePathView.of(d, p));
                    held.add(p.id().toString());
                }
            }
            for (Path p : agent.paths()) {
                if (!held.contains(p.id().toString())) {
                    out.add(DevicePathView.unprobed(p));
                }
            }
            return out;
        }

        @Override
        public List<EventView> events(long after) {
            return multipath.events(after).stream().map(EventView::of).toList();
        }

        @Override
        public List<ExportView> exports() {
            return HostRuntime.this.exports();
        }

        @Override
        public Optional<ReservationKeeper> reservations(String nameOrId) {
            return reservations.keeper(nameOrId);
        }

        @Override
        public List<ModuleInfo> modules() {
            return modules.list();
        }

        @Override
        public Optional<ModuleInfo> module(String name) {
            return modules.module(name);
        }

        @Override
        public ModuleInfo loadModule(String path) throws ModuleException {
            java.nio.file.Path p;
            try {
                p = java.nio.file.Path.of(path);
            } catch (java.nio.file.InvalidPathException e) {
                throw new ModuleException("\"" + path + "\" is not a path: " + e.getMessage());
            }
            if (!p.isAbsolute()) {
                throw new ModuleException(path + " is not an absolute path (the agent does not know the caller's"
                        + " directory)");
            }
            return modules.load(p);
        }

        @Override
        public ModuleInfo unloadModule(String name) throws ModuleException {
            return modules.unload(name);
        }
    }
}
