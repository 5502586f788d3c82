package io.braid.node;

import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.iscsi.target.IscsiTargetServer;
import io.braid.iscsi.target.Portal;
import io.braid.iscsi.target.PortalStatus;
import io.braid.iscsi.target.TargetDefinition;
import io.braid.iscsi.target.TargetServerConfig;
import io.braid.common.api.ApiException;
import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import io.braid.common.api.ApiException;
import io.braid.node.api.NodeView;
import io.braid.node.api.PortalStateView;
import io.braid.node.api.ScrubView;
import io.braid.node.api.StatusView;
import io.braid.node.api.VolumeView;
import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.scsi.UnitStateStore;
import io.braid.store.BlockDevice;
import io.braid.store.FileBlockDevice;
import io.braid.store.MemoryBlockDevice;
import io.braid.store.page.DriveEvent;
import io.braid.store.page.DriveStatus;
import io.braid.store.page.PageStore;
import io.braid.store.page.PageStoreConfig;
import io.braid.store.page.PageVolume;
import io.braid.store.page.TaskProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One storage node (one storage processor in architecture.md): opens its page store (the drives
 * of docs/storage.md) and the volumes on it, presents them as LUNs of one iSCSI target
 * ({@code iqn.2026-11.io.braid:<name>}), listens on its portals and serves the management API.
 * {@link #close()} ends sessions, flushes and closes the volumes and the page store and removes
 * the control file; it is safe to call twice and from a shutdown hook.
 *
 * <p>A volume whose image file {@code volumes/<name>.img} exists from an earlier Braid keeps being
 * served from that file; every other volume lives on the page store.
 */
public final class StorageNode implements AutoCloseable {
    /** INQUIRY vendor identification (SPC-4 6.6.2, 8 ASCII characters). */
    public static final String SCSI_VENDOR = "BRAID";
    /** INQUIRY product identification (16 ASCII characters). */
    public static final String SCSI_PRODUCT = "Braid volume";
    /** INQUIRY product revision level (4 ASCII characters). */
    public static final String SCSI_REVISION = "0001";

    private static final Logger log = LoggerFactory.getLogger(StorageNode.class);
    private static final int RECOMMENDED_SECRET_LENGTH = 12;

    /** Node lifecycle; every change is checked against this table and logged at debug. */
    public enum State {
        STARTING, RUNNING, STOPPING, STOPPED;

        private static final Map<State, Set<State>> ALLOWED = Map.of(
                STARTING, EnumSet.of(RUNNING, STOPPING),
                RUNNING, EnumSet.of(STOPPING),
                STOPPING, EnumSet.of(STOPPED),
                STOPPED, EnumSet.noneOf(State.class));

        boolean canMoveTo(State next) {
            return ALLOWED.get(this).contains(next);
        }
    }
    /** A volume being served; {@code page} is null for a memory volume or a file volume of an earlier Braid. */
    /** A volume being served; {@code page} is null for a file volume of an earlier Braid. */
    private static final class OpenVolume {
        volatile VolumeRecord record;
        final BlockDevice device;
        final PageVolume page;

        OpenVolume(VolumeRecord record, BlockDevice device, PageVolume page) {
            this.record = record;
            this.device = device;
            this.page = page;
        }

        VolumeRecord record() {
            return record;
        }

        BlockDevice device() {
            return device;
        }
    }

    /** The most drive events kept for the API. */
    private static final int MAX_EVENTS = 100;

    private final NodeConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<OpenVolume> volumes = new ArrayList<>();
    private final List<DriveEvent> driveEvents = new CopyOnWriteArrayList<>();
    private volatile State state = State.STARTING;
    private DataDirectory dataDir;
    private VolumeCatalog catalog;
    private PageStore store;
    private ScsiTarget scsi;
    private UUID nodeId;
    private IscsiTargetServer server;
    private List<HostPort> boundPortals = List.of();
    private ManagementApi api;
    private String apiToken;
    private Instant startedAt;

    private StorageNode(NodeConfig config) {
        this.config = config;
    }

    /**
     * Starts a node; on any failure everything opened so far is closed again.
     *
     * @throws PortInUseException                        when a portal or the API address is taken
     * @throws DataDirectory.DataDirectoryInUseException when another node holds the data directory
     * @throws VolumeCatalog.VolumeConflictException     when a volume on disk does not match
     */
    public static StorageNode start(NodeConfig config) throws IOException {
        StorageNode node = new StorageNode(config);
        try {
            node.open();
        } catch (IOException | RuntimeException | Error e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void open() throws IOException {
        startedAt = Instant.now();
        dataDir = DataDirectory.open(config.dataDir());
        nodeId = dataDir.nodeId();
        warnAboutShortSecrets(config.auth());

        store = PageStore.open(pageStoreConfig(config, dataDir.root()));
        store.addListener(this::driveEvent);
        catalog = new VolumeCatalog(dataDir.volumesDir());
        List<LogicalUnitSpec> units = new ArrayList<>();
        for (VolumeSpec spec : config.volumes()) {
            if (spec.backing() == VolumeSpec.Backing.MEMORY) {
                units.add(openMemoryVolume(catalog, spec));
                continue;
            }
            OpenVolume v = Files.exists(catalog.imagePath(spec.name())) ? openFileVolume(spec) : openPageVolume(spec);
            volumes.add(v);
            VolumeRecord rec = v.record();
            units.add(new LogicalUnitSpec(rec.lun(), rec.name(), rec.id(), v.device(),
                    rec.readOnly(), new FileUnitStateStore(catalog.directory(), rec.name()),
                    spec.features()));
        }
        volumes.sort(Comparator.comparingInt(v -> v.record().lun()));
        for (PageVolume pv : store.volumes()) {
            if (volumes.stream().noneMatch(v -> v.page == pv)) {
                log.info("page store volume {} ({}) is not in the configuration; keeping it, not serving it",
                        pv.name(), pv.id());
            }
        }

        // The array serial is the node id without dashes: 32 hex digits fit INQUIRY's limit.
        scsi = ScsiTargets.create(new ScsiTargetIdentity(SCSI_VENDOR, SCSI_PRODUCT,
                SCSI_REVISION, nodeId.toString().replace("-", "")), units, config.accessControl());
        // Each portal group is one SCSI target port (the transport uses the tag as both its
        // relative port identifier and its target port group), listed by REPORT TARGET PORT
        // GROUPS from the start rather than from the first login through it.
        config.portals().forEach(p -> scsi.targetPortGroups().addTargetPort(p.tpgt(), p.tpgt()));
        TargetDefinition target = new TargetDefinition(config.targetIqn(), config.name(), scsi,
                config.allowedInitiators());
        List<Portal> portals = config.portals().stream()
                .map(p -> new Portal(p.address().host(), p.address().port(), p.tpgt()))
                .toList();
        server = new IscsiTargetServer(TargetServerConfig.of(portals, List.of(target),
                config.auth()));
        try {
            server.start();
        } catch (BindException e) {
            throw new PortInUseException("iSCSI portal", takenPortal(e), e);
        }
        boundPortals = pairBound(server.boundAddresses());

        apiToken = newToken();
        api = ManagementApi.start(config.apiAddress(), apiToken, new View());
        new ControlFile(api.uri().toString(), ProcessHandle.current().pid(), config.name(),
                config.targetIqn(), startedAt.toString()).write(dataDir.root(), apiToken);
        moveTo(State.RUNNING);
        log.info("Braid node {} running: target {}, {} volume(s), portals {}, data {}",
                config.name(), config.targetIqn(), volumes.size(), boundPortals, dataDir.root());
    }

    /** The page store settings for a node: its drives, spares and metadata under the data directory. */
    static PageStoreConfig pageStoreConfig(NodeConfig config, Path root) {
        StorageConfig st = config.storage();
        return PageStoreConfig.of(root.resolve("pagestore"), st.drivePaths(root))
                .withSpares(st.spares())
                .withCreateDriveBytes(st.driveSizeBytes())
                .withPageSize(st.pageSize())
                .withOpenDegraded(st.startDegraded())
                .withMetadataMirror(st.metadataMirror())
                .withScrubInterval(st.scrubInterval())
                .withThrottles(PageStoreConfig.DEFAULT_THROTTLE, st.scrubRate());
    }

    /** A volume from before the page store: its blocks stay in {@code volumes/<name>.img}. */
    private OpenVolume openFileVolume(VolumeSpec spec) throws IOException {
        VolumeRecord rec = catalog.ensure(spec);
        // A read-only LUN opens its file read-only: the refusal does not rest on the core alone.
        BlockDevice device = FileBlockDevice.open(catalog.imagePath(rec.name()), rec.sizeBytes(), rec.readOnly());
        log.info("volume {} is a file volume ({}); it is not on the page store", rec.name(),
                catalog.imagePath(rec.name()));
        return new OpenVolume(rec, device, null);
    }

    private OpenVolume openPageVolume(VolumeSpec spec) throws IOException {
        VolumeRecord rec = catalog.ensureRecord(spec);
        PageVolume pv = store.volume(rec.id()).orElse(null);
        if (pv == null) {
            pv = store.createVolume(rec.id(), rec.name(), rec.sizeBytes());
        } else if (pv.sizeBytes() < rec.sizeBytes()) {
            store.resize(pv, rec.sizeBytes());
        } else if (pv.sizeBytes() > rec.sizeBytes()) {
            // Grown online, then stopped before the catalogue caught up: the page store is right.
            rec = catalog.resized(rec, pv.sizeBytes());
        }
        BlockDevice device = rec.readOnly() ? new ReadOnlyDevice(pv) : pv;
        return new OpenVolume(rec, device, pv);
    }

    /** Keeps the last events and tells the log; the support-bundle work will hang off this. */
    private void driveEvent(DriveEvent e) {
        driveEvents.add(e);
        while (driveEvents.size() > MAX_EVENTS) {
            driveEvents.remove(0);
        }
        log.warn("drive {} ({}): {} -> {} ({}); volumes with pages on it: {}", e.driveName(), e.path(),
                e.from(), e.to(), e.cause(), e.affectedVolumes());
    }

    /** The page store holding the node's volumes. */
    public PageStore pageStore() {
        return store;
    }

    /** Drive state changes since the node started, oldest first (at most the last 100). */
    public List<DriveEvent> driveEvents() {
        return List.copyOf(driveEvents);
    }

    /**
     * Grows a volume while it is served: the page store first, then the catalogue, then a
     * CAPACITY DATA HAS CHANGED unit attention to every initiator.
     *
     * @throws IllegalArgumentException for an unknown volume, a file volume or a smaller size
     */
    public VolumeRecord resizeVolume(String name, long sizeBytes) throws IOException {
        OpenVolume v = volumes.stream().filter(o -> o.record().name().equals(name)).findFirst()
                .orElseThrow(() -> new java.util.NoSuchElementException("no volume \"" + name + "\""));
        synchronized (v) {
            VolumeRecord rec = v.record();
            if (v.page == null) {
                throw new IllegalArgumentException("volume \"" + name + "\" is a file volume ("
                        + catalog.imagePath(name) + "); only page store volumes can grow");
            }
            VolumeSpec.checkSize(sizeBytes);
            if (sizeBytes < rec.sizeBytes()) {
                throw new IllegalArgumentException("volume \"" + name + "\" has " + Sizes.format(rec.sizeBytes())
                        + "; shrinking it to " + Sizes.format(sizeBytes) + " is not supported");
            }
            if (sizeBytes == rec.sizeBytes()) {
                return rec;
            }
            store.resize(v.page, sizeBytes);
            v.record = catalog.resized(rec, sizeBytes);
            scsi.capacityChanged(rec.lun());
            log.info("volume {} grown from {} to {}", name, Sizes.format(rec.sizeBytes()), Sizes.format(sizeBytes));
            return v.record;
        }
    }

    public NodeConfig config() {
        return config;
    }

    public State state() {
        return state;
    }

    public String targetIqn() {
        return config.targetIqn();
    }

    /** Portals as bound, with real ports where port 0 was asked, in config order. */
    public List<HostPort> portals() {
        return boundPortals;
    }

    /** Base URI of the management API. */
    public URI apiUri() {
        return api.uri();
    }

    /** The bearer token of the management API (also in {@code api-token} in the data dir). */
    public String apiToken() {
        return apiToken;
    }

    public Path dataDirectory() {
        return dataDir.root();
    }

    /**
     * A memory volume: not in the catalogue (nothing of it survives the process), a new identity
     * at every start so no initiator mistakes the empty disk for the one it saw before, and state
     * (reservations, mode pages) kept in memory too. Its name must not be a file volume's.
     */
    private LogicalUnitSpec openMemoryVolume(VolumeCatalog catalog, VolumeSpec spec) throws IOException {
        if (java.nio.file.Files.exists(catalog.metadataPath(spec.name()))
                || java.nio.file.Files.exists(catalog.imagePath(spec.name()))) {
            throw new VolumeCatalog.VolumeConflictException("volume " + spec.name() + " exists as a file volume in "
                    + catalog.directory() + "; a memory volume needs a name of its own");
        }
        VolumeRecord rec = new VolumeRecord(spec.name(), UUID.randomUUID(), spec.sizeBytes(), spec.lun(), false,
                Instant.now());
        BlockDevice device = MemoryBlockDevice.ofSize(spec.sizeBytes());
        volumes.add(new OpenVolume(rec, device, null));
        log.info("volume {}: memory ({}), thin provisioned, empty", spec.name(), Sizes.format(spec.sizeBytes()));
        return new LogicalUnitSpec(rec.lun(), rec.name(), rec.id(), device, false, UnitStateStore.inMemory(),
                spec.features());
    }

    /** The volumes being served, by LUN. */
    public List<VolumeRecord> volumes() {
        return volumes.stream().map(OpenVolume::record).toList();
    }

    /** {@code iscsi://HOST:PORT/<target-iqn>/<lun>} of a LUN at every portal. */
    public List<String> urls(int lun) {
        List<String> out = new ArrayList<>();
        for (HostPort p : boundPortals) {
            out.add("iscsi://" + connectable(p) + "/" + config.targetIqn() + "/" + lun);
        }
        return out;
    }

    /**
     * The lines {@code braid up} prints: {@code iSCSI <volume> iscsi://HOST:PORT/<iqn>/<lun>},
     * one per LUN and portal.
     */
    public List<String> announcements() {
        List<String> lines = new ArrayList<>();
        for (OpenVolume v : volumes) {
            for (String url : urls(v.record().lun())) {
                lines.add("iSCSI " + v.record().name() + " " + url);
            }
        }
        return lines;
    }

    /** Every portal: bound address, whether it is up, and its open connections. */
    public List<PortalStatus> portalStatus() {
        return server.portalStatus();
    }

    /**
     * Takes a portal down for a fault drill: its iSCSI connections are closed and new ones refused
     * (it stops listening) until {@link #portalUp}. Other portals are untouched.
     *
     * @param portal the portal as bound, e.g. {@code 127.0.0.1:3260}
     * @throws NoSuchElementException naming the portals when there is no such one
     */
    public PortalStatus portalDown(HostPort portal) {
        return server.portalDown(portal.toSocketAddress());
    }

    /**
     * Brings a portal taken down by {@link #portalDown} back up on the same address.
     *
     * @throws IOException when the address cannot be bound again
     */
    public PortalStatus portalUp(HostPort portal) throws IOException {
        return server.portalUp(portal.toSocketAddress());
    }

    /** Blocks until the node has stopped. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Blocks until the node has stopped or the timeout passes; true when stopped. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (state == State.STOPPING || state == State.STOPPED) {
                return;
            }
            moveTo(State.STOPPING);
        }
        try {
            // The control file goes first so that no CLI command finds a node that is leaving.
            if (dataDir != null) {
                quietly("remove control file", () -> ControlFile.remove(dataDir.root()));
            }
            if (api != null) {
                quietly("stop management API", api::close);
            }
            if (server != null) {
                quietly("stop iSCSI server", server::close);
            }
            for (OpenVolume v : volumes) {
                if (v.page == null) {
                    quietly("flush volume " + v.record().name(), v.device()::flush);
                    quietly("close volume " + v.record().name(), v.device()::close);
                }
            }
            if (store != null) {
                // Flushes every drive, marks all pages clean and writes a checkpoint.
                quietly("close page store", store::close);
            }
            if (dataDir != null) {
                quietly("unlock data directory", dataDir::close);
            }
        } finally {
            moveTo(State.STOPPED);
            stopped.countDown();
            log.info("Braid node {} stopped", config.name());
        }
    }

    private synchronized void moveTo(State next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("node " + config.name() + ": " + state + " -> "
                    + next + " is not allowed");
        }
        log.debug("node {}: {} -> {}", config.name(), state, next);
        state = next;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            log.warn("while stopping node {}: {} failed: {}", config.name(), what, e.toString());
        }
    }

    /** Which configured portal a bind failure is about, as HOST:PORT. */
    private String takenPortal(BindException e) {
        String message = String.valueOf(e.getMessage());
        for (PortalSpec p : config.portals()) {
            if (message.contains(p.address().toString())) {
                return p.address().toString();
            }
        }
        if (config.portals().size() == 1) {
            return config.portals().get(0).address().toString();
        }
        return message;
    }

    private List<HostPort> pairBound(List<InetSocketAddress> bound) {
        List<HostPort> out = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            InetSocketAddress a = bound.get(i);
            String host = i < config.portals().size() ? config.portals().get(i).address().host()
                    : a.getHostString();
            out.add(new HostPort(host, a.getPort()));
        }
        return List.copyOf(out);
    }

    /** A wildcard listener is reached on loopback from this machine; the URL must be usable. */
    private static HostPort connectable(HostPort p) {
        if (!p.isWildcard()) {
            return p;
        }
        return new HostPort(p.host().equals("::") ? "::1" : "127.0.0.1", p.port());
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void warnAboutShortSecrets(AuthConfig auth) {
        List<ChapCredentials> all = new ArrayList<>(auth.perInitiator().values());
        if (auth.nodeChap() != null) {
            all.add(auth.nodeChap());
        }
        if (auth.mutualChap() != null) {
            all.add(auth.mutualChap());
        }
        for (ChapCredentials c : all) {
            if (c.secret().length() < RECOMMENDED_SECRET_LENGTH) {
                log.warn("CHAP secret of user {} is shorter than {} characters; some initiators"
                        + " refuse such secrets", c.user(), RECOMMENDED_SECRET_LENGTH);
            }
        }
    }

    /** What the management API sees; called on API threads. */
    private final class View implements NodeView {
        @Override
        public StatusView status() {
            List<StatusView.PortalView> portals = new ArrayList<>();
            for (int i = 0; i < boundPortals.size(); i++) {
                int tpgt = i < config.portals().size() ? config.portals().get(i).tpgt()
                        : PortalSpec.DEFAULT_TPGT;
                portals.add(new StatusView.PortalView(boundPortals.get(i).toString(), tpgt));
            }
            long uptime = Duration.between(startedAt, Instant.now()).toSeconds();
            return new StatusView(config.name(), state.name(), nodeId.toString(),
                    config.targetIqn(), portals, volumes.size(), startedAt.toString(), uptime);
        }

        @Override
        public List<PortalStateView> portals() {
            return portalStatus().stream().map(View::portalView).toList();
        }

        @Override
        public PortalStateView portalDown(String address) {
            try {
                return portalView(StorageNode.this.portalDown(portalAddress(address)));
            } catch (NoSuchElementException e) {
                throw ApiException.notFound(e.getMessage());
            }
        }

        @Override
        public PortalStateView portalUp(String address) {
            try {
                return portalView(StorageNode.this.portalUp(portalAddress(address)));
            } catch (NoSuchElementException e) {
                throw ApiException.notFound(e.getMessage());
            } catch (IOException e) {
                throw new ApiException(409, "conflict", "portal " + address
                        + " cannot listen again: " + e.getMessage());
            }
        }

        private static HostPort portalAddress(String address) {
            try {
                return HostPort.parse(address, PortalSpec.DEFAULT_PORT);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("portal " + e.getMessage());
            }
        }

        private static PortalStateView portalView(PortalStatus s) {
            return new PortalStateView(new HostPort(s.portal().host(), s.portal().port()).toString(),
                    s.portal().tpgt(), s.up() ? PortalStateView.UP : PortalStateView.DOWN,
                    s.connections());
        }

        @Override
        public List<VolumeView> volumes() {
            return StorageNode.this.volumes.stream().map(this::view).toList();
        }

        private VolumeView view(OpenVolume v) {
            VolumeRecord r = v.record();
            return new VolumeView(r.name(), r.lun(), r.id().toString(), r.sizeBytes(), r.readOnly(),
                    r.created().toString(), urls(r.lun()),
                    v.page == null ? r.sizeBytes() : v.page.allocatedBytes());
        }

        @Override
        public List<DriveView> drives() {
            return store.drives().stream().map(View::view).toList();
        }

        private static DriveView view(DriveStatus d) {
            return new DriveView(d.name(), d.id().toString(), d.path().toString(), d.state().name(),
                    d.cause(), d.capacityBytes(), d.usedBytes(), d.rebuildProgress());
        }

        private int drive(String name) {
            int index;
            try {
                index = PageStore.parseDrive(name);
            } catch (IllegalArgumentException e) {
                throw ApiException.notFound(e.getMessage());
            }
            if (index >= store.drives().size()) {
                throw ApiException.notFound("no drive " + name + " (the node has d0..d"
                        + (store.drives().size() - 1) + ")");
            }
            return index;
        }

        @Override
        public DriveView failDrive(String name) {
            int d = drive(name);
            try {
                store.fail(d);
            } catch (IllegalStateException e) {
                throw new ApiException(409, "conflict", e.getMessage());
            } catch (IOException e) {
                throw new ApiException(500, "internal", "failing drive " + name + ": " + e.getMessage());
            }
            return view(store.drives().get(d));
        }

        @Override
        public DriveView replaceDrive(String name) {
            int d = drive(name);
            try {
                store.replace(d);
            } catch (IllegalStateException e) {
                throw new ApiException(409, "conflict", e.getMessage());
            } catch (IOException e) {
                throw new ApiException(500, "internal", "replacing drive " + name + ": " + e.getMessage());
            }
            return view(store.drives().get(d));
        }

        @Override
        public VolumeView resizeVolume(String name, long sizeBytes) {
            try {
                resizeVolumeAndView(name, sizeBytes);
            } catch (java.util.NoSuchElementException e) {
                throw ApiException.notFound(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "bad_request", e.getMessage());
            } catch (IOException e) {
                throw new ApiException(500, "internal", "resizing volume " + name + ": " + e.getMessage());
            }
            return StorageNode.this.volumes.stream().filter(v -> v.record().name().equals(name))
                    .map(this::view).findFirst().orElseThrow();
        }

        private void resizeVolumeAndView(String name, long sizeBytes) throws IOException {
            StorageNode.this.resizeVolume(name, sizeBytes);
        }

        @Override
        public ScrubView scrub() {
            return store.scrubProgress().map(View::view)
                    .orElse(new ScrubView("NEVER", 0, 0, 0, 0, 0, null, null));
        }

        @Override
        public ScrubView startScrub() {
            try {
                return view(store.startScrub());
            } catch (IOException e) {
                throw new ApiException(500, "internal", "starting a scrub: " + e.getMessage());
            }
        }

        private static ScrubView view(TaskProgress p) {
            return new ScrubView(p.state().name(), p.pagesDone(), p.pagesTotal(), p.unitsChecked(),
                    p.repaired(), p.unrecoverable(), p.started().toString(),
                    p.finished() == null ? null : p.finished().toString());
        }
    }
}
