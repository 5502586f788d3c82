package io.braid.host.module;

import io.braid.host.discovery.Device;
import io.braid.host.multipath.DevicePolicy;
import io.braid.host.multipath.Multipath;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathEvent;
import io.braid.host.multipath.MultipathListener;
import io.braid.host.multipath.PathSelectors;
import io.braid.host.multipath.PolicyResolver;
import io.braid.host.multipath.PolicyRule;
import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PolicyModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * The device policy modules of a running agent (seed claims 1–7): loads a module jar into memory
 * on request (the CLI and API, or discovery when a new device matches a jar in the module
 * directory), registers it with the multipath driver so the devices it claims move to it, tells
 * whether a module is in memory, unloads it (its devices move to their built-in policy without
 * failing I/O), replaces a loaded module by a new version once no I/O is inside the old one, and
 * quarantines a module that misbehaves (see {@link LoadedModule} for how a stalling module
 * cannot stall I/O).
 *
 * <p>Thread-safe. Management (load, unload, replace, quarantine moves, discovery's probes) is
 * serialized on this object; moves caused by I/O threads run on the registry's own thread
 * ({@code braid-modules}).
 */
public final class ModuleRegistry implements PolicyResolver, MultipathListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModuleRegistry.class);
    private static final String SERVICE = "META-INF/services/" + PolicyModule.class.getName();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Jars larger than this are refused (a module is small; this bounds what a bad file costs). */
    static final long MAX_JAR_BYTES = 64L << 20;
    /** Jars looked at in the module directory per new device. */
    static final int MAX_DIRECTORY_JARS = 64;
    /** The longest a retiring module is waited for before its class loader is closed anyway. */
    static final long RETIRE_BOUND_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The longest {@link #unload} waits for the module to leave memory before it answers. */
    static final long UNLOAD_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Multipath driver;
    private final ModuleConfig config;
    private final Path directory;
    private final long budgetNanos;
    private final Map<String, LoadedModule> builtins = new LinkedHashMap<>();
    /** External modules in memory (active or quarantined), by name. Guarded by this. */
    private final Map<String, LoadedModule> loaded = new LinkedHashMap<>();
    /** Old versions and unloaded modules waiting for the I/O inside them to end. */
    private final List<LoadedModule> retiring = new CopyOnWriteArrayList<>();
    /** The policy each device runs, by device id. */
    private final Map<String, ModulePolicy> assigned = new ConcurrentHashMap<>();
    /** Jars of the module directory that failed to load or claim, with the time they were seen. */
    private final Map<Path, FileTime> skipped = new HashMap<>();
    private final ExecutorService manager;
    private long loadOrder;
    private volatile boolean closed;
    /** Set once the devices there at start have their policies; discovery's look waits for it. */
    private volatile boolean started;

    private ModuleRegistry(Multipath driver, ModuleConfig config, Path dataDir) {
        this.driver = driver;
        this.config = config;
        this.directory = config.directoryIn(dataDir);
        this.budgetNanos = config.decisionBudget().toNanos();
        for (BuiltInModules.BuiltIn b : BuiltInModules.all()) {
            builtins.put(b.name(), new LoadedModule(b, b.name(), b.version(), true, null, 0, null, budgetNanos,
                    (m, why) -> { }));
        }
        this.manager = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "braid-modules");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the registry over a running driver: devices added from now on get their policy from
     * it, and every device already there moves to its built-in module.
     */
    public static ModuleRegistry start(Multipath driver, ModuleConfig config, Path dataDir) {
        ModuleRegistry r = new ModuleRegistry(driver, config, dataDir);
        driver.policyResolver(r);
        driver.addListener(r);
        for (MultipathDevice d : driver.devices()) {
            DevicePolicy p = r.policyFor(d.device(), driver.config().ruleFor(d.device()));
            r.bind(d);
            d.policy(p, "the module registry started");
        }
        r.started = true;
        if (config.autoLoad()) {
            driver.devices().forEach(d -> r.lookForModule(d.id()));
        }
        log.info("modules: directory {}, decision budget {} µs, discovery loads modules: {}", r.directory,
                r.budgetNanos / 1000, config.autoLoad());
        return r;
    }

    /** Where discovery looks for module jars. */
    public Path directory() {
        return directory;
    }

    // ------------------------------------------------------------------ driver hooks

    /** The policy of a new device: a loaded module that claims it, else its built-in (and a look in the directory). */
    @Override
    public DevicePolicy policyFor(Device device, PolicyRule rule) {
        ModulePolicy mp;
        synchronized (this) {
            mp = claimFor(device, rule, null);
        }
        boolean look = false;
        if (mp == null) {
            mp = builtIn(device, rule);
            look = config.autoLoad();
        }
        ModulePolicy before = assigned.put(device.id(), mp);
        if (before != null && before != mp) {
            closePolicy(before);
        }
        if (look && started) {
            lookForModule(device.id());
        }
        return mp.devicePolicy();
    }

    @Override
    public void deviceAdded(MultipathDevice device) {
        bind(device);
    }

    @Override
    public void deviceRemoved(MultipathDevice device) {
        ModulePolicy mp = assigned.get(device.id());
        if (mp != null && device.policy() == mp.devicePolicy() && assigned.remove(device.id(), mp)) {
            closePolicy(mp);
        }
    }

    private void bind(MultipathDevice device) {
        ModulePolicy mp = assigned.get(device.id());
        if (mp != null) {
            mp.bind(device);
        }
    }

    // ------------------------------------------------------------------ management

    /**
     * Loads the module in {@code jar} into its own class loader and registers it: the devices it
     * claims (and no other module does) move to it. A module of the same name already loaded is
     * replaced: its devices move to the new version at once, and the old version is unloaded once
     * no I/O is inside it.
     *
     * @throws ModuleException for a jar that cannot be a module (clear message; nothing changes)
     */
    public synchronized ModuleInfo load(Path jar) throws ModuleException {
        if (closed) {
            throw new ModuleException("the agent is stopping");
        }
        Candidate c = open(jar);
        return register(c);
    }

    /**
     * Unloads the module: its devices move to their built-in policies (no I/O fails), and once
     * no I/O is inside it its class loader is closed. Returns once that happened, or after
     * {@link #UNLOAD_WAIT_NANOS} with the module still {@code retiring} (it goes on in the
     * background, bounded by {@link #RETIRE_BOUND_NANOS}).
     *
     * @throws ModuleException when no module of that name is loaded, or it is built in
     */
    public ModuleInfo unload(String name) throws ModuleException {
        LoadedModule m;
        synchronized (this) {
            if (builtins.containsKey(name)) {
                throw new ModuleException(name + " is a built-in policy and cannot be unloaded");
            }
            m = loaded.remove(name);
            if (m == null) {
                throw new ModuleException("no module " + name + " is loaded (see braid host module list)");
            }
            m.moveTo(ModuleState.RETIRING, "unloaded");
            retiring.add(m);
            moveDevices(m, null, "module " + name + " unloaded");
        }
        driver.report(MultipathEvent.Type.MODULE_UNLOADED, null, name + " " + m.version + " unloaded; its devices"
                + " run their built-in policies");
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> retire(m, "unloaded"), manager);
        try {
            done.get(UNLOAD_WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.info("modules: {} {} still has I/O inside; it leaves memory when that ends", name, m.version);
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("modules: retiring {} failed: {}", name, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return info(m);
    }

    /** Every module: built-ins, loaded ones, and old versions still retiring. */
    public List<ModuleInfo> list() {
        List<ModuleInfo> out = new ArrayList<>();
        builtins.values().forEach(m -> out.add(info(m)));
        List<LoadedModule> ext;
        synchronized (this) {
            ext = new ArrayList<>(loaded.values());
        }
        ext.addAll(retiring);
        ext.sort(Comparator.comparing((LoadedModule m) -> m.name).thenComparingLong(m -> m.loadOrder));
        ext.forEach(m -> out.add(info(m)));
        return out;
    }

    /** The module of this name if it is in memory (built-in, loaded, quarantined or retiring). */
    public Optional<ModuleInfo> module(String name) {
        return list().stream().filter(m -> m.name().equals(name) && !m.state().equals("unloaded")).reduce((a, b) -> b);
    }

    /** Whether a module of this name is in memory (seed claim 5). */
    public boolean present(String name) {
        return module(name).isPresent();
    }

    /** The name of the module running the device, or empty. */
    public Optional<String> moduleOf(String deviceId) {
        ModulePolicy mp = assigned.get(deviceId);
        return mp == null ? Optional.empty() : Optional.of(mp.module.name);
    }

    /**
     * How the device's policy wants persistent reservations kept across its paths (the
     * {@link io.braid.policy.spi.ReservationHandling} capability), for the host's reservation
     * keeper. Every answer goes through the module's guard; a policy without the capability, a
     * module that fails to answer, and an unknown device give the defaults (register on every
     * path including new ones, reserve through the first, re-establish after failover).
     */
    public io.braid.policy.spi.ReservationHandling reservations(String deviceId) {
        ModulePolicy mp = assigned.get(deviceId);
        PathPolicy p = mp == null ? null : mp.spiPolicy();
        if (!(p instanceof io.braid.policy.spi.ReservationHandling r)) {
            return new io.braid.policy.spi.ReservationHandling() { };
        }
        LoadedModule m = mp.module;
        io.braid.policy.spi.ReservationHandling defaults = new io.braid.policy.spi.ReservationHandling() { };
        return new io.braid.policy.spi.ReservationHandling() {
            @Override
            public boolean registerOnNewPaths() {
                try {
                    return m.decide("registerOnNewPaths", r::registerOnNewPaths);
                } catch (LoadedModule.NoDecision e) {
                    return defaults.registerOnNewPaths();
                }
            }

            @Override
            public io.braid.policy.spi.PathRef reservePath(List<io.braid.policy.spi.PathRef> paths) {
                List<io.braid.policy.spi.PathRef> offered = List.copyOf(paths);
                try {
                    io.braid.policy.spi.PathRef chosen = m.decide("reservePath", () -> r.reservePath(offered));
                    if (offered.contains(chosen)) {
                        return chosen;
                    }
                    m.errors.increment();
                    m.fault("reservePath returned " + chosen + ", which is not one of the " + offered.size()
                            + " paths offered");
                } catch (LoadedModule.NoDecision e) {
                    // The default.
                }
                return defaults.reservePath(offered);
            }

            @Override
            public boolean reestablishAfterFailover() {
                try {
                    return m.decide("reestablishAfterFailover", r::reestablishAfterFailover);
                } catch (LoadedModule.NoDecision e) {
                    return defaults.reestablishAfterFailover();
                }
            }
        };
    }

    @Override
    public void close() {
        List<LoadedModule> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(loaded.values());
            loaded.clear();
        }
        manager.shutdownNow();
        all.addAll(retiring);
        retiring.clear();
        for (LoadedModule m : all) {
            m.close();
        }
    }

    // ------------------------------------------------------------------ internals

    private ModuleInfo info(LoadedModule m) {
        int devices = 0;
        for (ModulePolicy mp : assigned.values()) {
            if (mp.module == m) {
                devices++;
            }
        }
        return new ModuleInfo(m.name, m.version, m.builtin, m.state().label(),
                m.jar == null ? null : m.jar.toString(), devices, m.decisions.sum(), m.errors.sum(),
                m.meanDecisionMicros(), m.ioInside(), m.reason());
    }

    /** A module class found in a jar, not registered yet. */
    private record Candidate(Path jar, URLClassLoader loader, PolicyModule module, String name, String version) {
    }

    /** Opens the jar in its own class loader and finds its one module; the loader is closed on failure. */
    private Candidate open(Path jar) throws ModuleException {
        Path file = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new ModuleException(file + " is not a file");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_JAR_BYTES) {
                throw new ModuleException(file + " is " + size + " bytes; a module jar may have at most "
                        + MAX_JAR_BYTES);
            }
        } catch (IOException e) {
            throw new ModuleException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (JarFile j = new JarFile(file.toFile())) {
            if (j.getEntry(SERVICE) == null) {
                throw new ModuleException(file + " is not a device policy module: it has no " + SERVICE);
            }
        } catch (IOException e) {
            throw new ModuleException(file + " is not a jar: " + e.getMessage(), e);
        }
        URLClassLoader loader;
        try {
            URL url = file.toUri().toURL();
            loader = new URLClassLoader("module:" + file.getFileName(), new URL[] {url}, SpiOnlyClassLoader.INSTANCE);
        } catch (IOException e) {
            throw new ModuleException("cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            List<PolicyModule> found = new ArrayList<>();
            Iterator<PolicyModule> it = ServiceLoader.load(PolicyModule.class, loader).iterator();
            while (it.hasNext() && found.size() < 2) {
                PolicyModule m = it.next();
                if (m.getClass().getClassLoader() == loader) {
                    found.add(m);
                }
            }
            if (found.isEmpty()) {
                throw new ModuleException(file + " names no module class in " + SERVICE);
            }
            if (found.size() > 1) {
                throw new ModuleException(file + " names more than one module in " + SERVICE
                        + "; put each module in a jar of its own");
            }
            PolicyModule m = found.get(0);
            String[] nv = bounded(file, () -> new String[] {m.name(), m.version()});
            String name = nv[0];
            String version = nv[1];
            if (name == null || !NAME.matcher(name).matches()) {
                throw new ModuleException(file + ": module name \"" + name + "\" is not 1-64 letters, digits, '.',"
                        + " '_' or '-'");
            }
            if (version == null || version.isBlank() || version.length() > 64) {
                throw new ModuleException(file + ": module " + name + " has no usable version");
            }
            if (builtins.containsKey(name)) {
                throw new ModuleException(file + ": module name " + name + " is taken by a built-in policy");
            }
            return new Candidate(file, loader, m, name, version);
        } catch (ModuleException e) {
            closeQuietly(loader);
            throw e;
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            closeQuietly(loader);
            throw new ModuleException("cannot load a module from " + file + ": " + e, e);
        }
    }

    /** Calls the module's name and version on a thread of its own, at most a second. */
    private static String[] bounded(Path file, java.util.function.Supplier<String[]> call) throws ModuleException {
        CompletableFuture<String[]> f = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name("braid-module-probe").start(() -> {
            try {
                f.complete(call.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            t.interrupt();
            throw new ModuleException(file + ": the module's name() or version() did not return within 1 s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ModuleException(file + ": the module's name() or version() threw " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModuleException("interrupted");
        }
    }

    /** Registers an opened module (replacing one of the same name) and moves the devices it claims. Under this. */
    private ModuleInfo register(Candidate c) {
        LoadedModule m = new LoadedModule(c.module(), c.name(), c.version(), false, c.jar(), ++loadOrder, c.loader(),
                budgetNanos, this::quarantine);
        LoadedModule old = loaded.put(m.name, m);
        log.info("modules: loaded {} {} from {}{}", m.name, m.version, c.jar(),
                old == null ? "" : " (replacing version " + old.version + ")");
        driver.report(MultipathEvent.Type.MODULE_LOADED, null, m.name + " " + m.version + " loaded from " + c.jar()
                + (old == null ? "" : "; replaces version " + old.version + " once no I/O is inside it"));
        if (old != null) {
            old.moveTo(ModuleState.RETIRING, "replaced");
            retiring.add(old);
            // The old version's devices go to whichever module claims them now (normally the new version).
            moveDevices(old, m, "module " + m.name + " " + old.version + " replaced by " + m.version);
        }
        // Devices on a built-in policy that the new module claims; a device another module runs
        // that it claims too is a conflict.
        for (MultipathDevice d : driver.devices()) {
            ModulePolicy current = assigned.get(d.id());
            if (current == null || current.module == m || !m.active()) {
                continue;
            }
            if (current.module.builtin) {
                ModulePolicy mp = claimFor(d.device(), driver.config().ruleFor(d.device()), m);
                if (mp != null) {
                    switchTo(d, mp, "claimed by module " + m.name + " " + m.version);
                }
                continue;
            }
            DeviceAttributes attrs = SpiViews.attributes(d.device());
            try {
                if (Boolean.TRUE.equals(m.decide("claims", () -> m.module.claims(attrs), LoadedModule.SETUP_BUDGET_NANOS))) {
                    quarantine(m, "claims device " + d.id() + ", which module " + current.module.name
                            + " (loaded earlier) claims too");
                }
            } catch (LoadedModule.NoDecision e) {
                // Quarantined by the guard.
            }
        }
        if (old != null) {
            LoadedModule retired = old;
            manager.execute(() -> retire(retired, "replaced by version " + m.version));
        }
        return info(m);
    }

    /**
     * A loaded module that claims the device, as its policy; null when none does. When
     * {@code only} is given, only that module may claim (others are still asked, for conflicts).
     * Under this.
     */
    private ModulePolicy claimFor(Device device, PolicyRule rule, LoadedModule only) {
        List<LoadedModule> active = new ArrayList<>();
        for (LoadedModule m : loaded.values()) {
            if (m.active()) {
                active.add(m);
            }
        }
        if (active.isEmpty()) {
            return null;
        }
        active.sort(Comparator.comparingLong(m -> m.loadOrder));
        DeviceAttributes attrs = SpiViews.attributes(device);
        List<LoadedModule> claimers = new ArrayList<>();
        for (LoadedModule m : active) {
            try {
                if (Boolean.TRUE.equals(m.decide("claims", () -> m.module.claims(attrs), LoadedModule.SETUP_BUDGET_NANOS))) {
                    claimers.add(m);
                }
            } catch (LoadedModule.NoDecision e) {
                // Quarantined by the guard.
            }
        }
        if (claimers.isEmpty()) {
            return null;
        }
        LoadedModule owner = claimers.get(0);
        for (LoadedModule later : claimers.subList(1, claimers.size())) {
            quarantine(later, "claims device " + device.id() + ", which module " + owner.name
                    + " (loaded earlier) claims too");
        }
        if (only != null && owner != only) {
            return null;
        }
        return newPolicy(owner, device, rule);
    }

    /** The module's policy of the device, or null when the module failed to give one (then quarantined). */
    private ModulePolicy newPolicy(LoadedModule m, Device device, PolicyRule rule) {
        DevicePolicy native_ = DevicePolicy.builtIn(rule);
        ModulePolicy mp = new ModulePolicy(m, device.id(), device.blockSize(), native_, driver, m.name + " " + m.version);
        DeviceAttributes attrs = SpiViews.attributes(device);
        try {
            PathPolicy p = m.decide("newPolicy", () -> m.module.newPolicy(attrs, mp), LoadedModule.SETUP_BUDGET_NANOS);
            if (p == null) {
                m.errors.increment();
                quarantine(m, "newPolicy returned null for device " + device.id());
                return null;
            }
            mp.open(p);
            return mp;
        } catch (LoadedModule.NoDecision e) {
            return null;
        }
    }

    /** The device's built-in module policy (its host.yaml rule's). */
    private ModulePolicy builtIn(Device device, PolicyRule rule) {
        LoadedModule b = builtins.get(rule.policy());
        if (b == null) {
            b = builtins.get(PathSelectors.DEFAULT);
        }
        DevicePolicy native_ = DevicePolicy.builtIn(rule);
        ModulePolicy mp = new ModulePolicy(b, device.id(), device.blockSize(), native_, driver, native_.name());
        mp.open(((BuiltInModules.BuiltIn) b.module).newPolicy(rule.failback()));
        return mp;
    }

    /** Moves the device to {@code mp}; no I/O fails (see {@link MultipathDevice#policy(DevicePolicy, String)}). */
    private void switchTo(MultipathDevice d, ModulePolicy mp, String reason) {
        mp.bind(d);
        ModulePolicy before = assigned.put(d.id(), mp);
        d.policy(mp.devicePolicy(), reason);
        if (before != null && before != mp) {
            closePolicy(before);
        }
    }

    /**
     * Moves every device of {@code from} to {@code to} when it claims the device, else to the
     * device's built-in policy. Under this.
     */
    private void moveDevices(LoadedModule from, LoadedModule to, String reason) {
        for (MultipathDevice d : driver.devices()) {
            ModulePolicy current = assigned.get(d.id());
            if (current == null || current.module != from) {
                continue;
            }
            PolicyRule rule = driver.config().ruleFor(d.device());
            ModulePolicy next = to == null ? null : claimFor(d.device(), rule, to);
            switchTo(d, next != null ? next : builtIn(d.device(), rule), reason);
        }
    }

    /** Tells the module its device left it (asynchronously, on its thread). */
    private static void closePolicy(ModulePolicy mp) {
        PathPolicy p = mp.spiPolicy();
        if (p != null && !mp.module.builtin) {
            mp.module.notify("close", p::close);
        }
    }

    /** Quarantines a misbehaving module: it decides nothing more, its devices move to their built-in policies. */
    void quarantine(LoadedModule m, String reason) {
        if (!m.moveTo(ModuleState.QUARANTINED, reason)) {
            return;
        }
        log.warn("modules: {} {} quarantined: {}", m.name, m.version, reason);
        driver.report(MultipathEvent.Type.MODULE_QUARANTINED, null, m.name + " " + m.version + " quarantined: "
                + reason + "; its devices run their built-in policies");
        if (closed) {
            return;
        }
        // Possibly on an I/O thread holding a device's lock: the devices move on the registry's thread.
        manager.execute(() -> {
            synchronized (this) {
                moveDevices(m, null, "module " + m.name + " quarantined: " + reason);
            }
        });
    }

    /**
     * Waits until no I/O is inside the retiring module (bounded), then closes it: its
     * {@link PolicyModule#close()}, its decision thread, its class loader.
     */
    private void retire(LoadedModule m, String why) {
        long deadline = System.nanoTime() + RETIRE_BOUND_NANOS;
        while (m.ioInside() > 0 && System.nanoTime() - deadline < 0 && !closed) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = m.ioInside();
        if (m.state() == ModuleState.RETIRING) {
            try {
                m.decide("close", () -> {
                    m.module.close();
                    return null;
                }, LoadedModule.SETUP_BUDGET_NANOS);
            } catch (LoadedModule.NoDecision e) {
                log.warn("modules: {} {}: close failed: {}", m.name, m.version, e.getMessage());
            }
        }
        m.moveTo(ModuleState.UNLOADED, why);
        m.close();
        retiring.remove(m);
        String message = m.name + " " + m.version + " out of memory (" + why + ")"
                + (left > 0 ? "; " + left + " I/O(s) still inside it after " + RETIRE_BOUND_NANOS / 1_000_000_000
                + " s go on under the built-in error analysis" : "; no I/O was inside it");
        log.info("modules: {}", message);
        driver.report(MultipathEvent.Type.MODULE_UNLOADED, null, message);
    }

    /** Looks for a module of the device in the module directory, on the registry's thread. */
    private void lookForModule(String deviceId) {
        if (closed) {
            return;
        }
        manager.execute(() -> {
            try {
                autoLoad(deviceId);
            } catch (RuntimeException | LinkageError e) {
                log.warn("modules: looking for a module of device {} failed: {}", deviceId, e.toString(), e);
            }
        });
    }

    /** Discovery found a device no loaded module claims: look for a jar in the module directory that does. */
    private void autoLoad(String deviceId) {
        if (closed || !Files.isDirectory(directory)) {
            return;
        }
        Optional<MultipathDevice> device = awaitDevice(deviceId);
        if (device.isEmpty()) {
            return;
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path p : ds) {
                if (jars.size() >= MAX_DIRECTORY_JARS) {
                    log.warn("modules: more than {} jars in {}; the rest are not looked at", MAX_DIRECTORY_JARS,
                            directory);
                    break;
                }
                jars.add(p.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            log.warn("modules: cannot list {}: {}", directory, e.toString());
            return;
        }
        jars.sort(Comparator.naturalOrder());
        synchronized (this) {
            ModulePolicy current = assigned.get(deviceId);
            if (closed || current == null || !current.module.builtin) {
                return;
            }
            DeviceAttributes attrs = SpiViews.attributes(device.get().device());
            for (Path jar : jars) {
                if (loaded.values().stream().anyMatch(m -> jar.equals(m.jar))) {
                    continue;
                }
                FileTime seen;
                try {
                    seen = Files.getLastModifiedTime(jar);
                } catch (IOException e) {
                    continue;
                }
                Candidate c;
                try {
                    c = open(jar);
                } catch (ModuleException e) {
                    if (!seen.equals(skipped.put(jar, seen))) {
                        log.warn("modules: {}", e.getMessage());
                        driver.report(MultipathEvent.Type.MODULE_ERROR, deviceId, e.getMessage());
                    }
                    continue;
                }
                if (loaded.containsKey(c.name()) || !claims(c, attrs)) {
                    closeQuietly(c.loader());
                    continue;
                }
                log.info("modules: device {} matches {} in {}: loading it", deviceId, c.name(), jar);
                register(c);
                return;
            }
        }
    }

    /** Whether a not yet registered module claims the device (a second at most). */
    private static boolean claims(Candidate c, DeviceAttributes attrs) {
        try {
            return bounded(c.jar(), () -> new String[] {String.valueOf(c.module().claims(attrs))})[0].equals("true");
        } catch (ModuleException e) {
            log.warn("modules: {}", e.getMessage());
            return false;
        }
    }

    /** The driver adds the device right after asking for its policy: wait for it briefly. */
    private Optional<MultipathDevice> awaitDevice(String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!closed) {
            Optional<MultipathDevice> d = driver.device(id);
            if (d.isPresent() || System.nanoTime() - deadline > 0) {
                return d;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static void closeQuietly(URLClassLoader l) {
        try {
            l.close();
        } catch (IOException e) {
            log.debug("modules: closing a class loader: {}", e.toString());
        }
    }
}
