package io.braid.host.module;

import io.braid.host.AgentConfig;
import io.braid.host.Endpoint;
import io.braid.host.HostConfig;
import io.braid.host.HostRuntime;
import io.braid.host.TestTarget;
import io.braid.host.iscsi.Backoff;
import io.braid.host.module.testmodules.TestModules;
import io.braid.host.multipath.MultipathConfig;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathEvent;
import io.braid.host.multipath.PathStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The module registry inside a whole agent against a real node on 127.0.11.x: loading,
 * replacing, unloading and quarantining modules under a verified read/write load.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ModuleRegistryTest {
    @TempDir
    Path dir;
    TestTarget target;
    HostRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        if (target != null) {
            target.close();
        }
    }

    private MultipathDevice start(ModuleConfig modules) throws Exception {
        target = TestTarget.in(dir.resolve("node")).volume("v0", 8 << 20).portals("127.0.11.1", "127.0.11.2").start();
        HostConfig host = HostConfig.of("iqn.2026-11.io.braid.test:modules",
                        List.of(InetAddress.getByName("127.0.11.21"), InetAddress.getByName("127.0.11.22")),
                        target.portals().stream().map(a -> new Endpoint(a.getHostString(), a.getPort())).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        runtime = HostRuntime.start(AgentConfig.of(host, dir.resolve("agent"))
                .withMultipath(MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200)))
                .withModules(modules));
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.multipath().devices().size() == 1
                && runtime.multipath().devices().get(0).paths().stream().filter(p -> p.state().label().equals("active"))
                .count() == 4);
        return runtime.multipath().devices().get(0);
    }

    private ModuleInfo info(String name) {
        return runtime.modules().module(name).orElseThrow();
    }

    private List<String> events(MultipathEvent.Type type) {
        return runtime.multipath().events(0).stream().filter(e -> e.type() == type).map(MultipathEvent::message).toList();
    }

    @Test
    void builtInsAreListedAndRunEveryDevice() throws Exception {
        MultipathDevice d = start(ModuleConfig.defaults());
        assertThat(runtime.modules().list()).extracting(ModuleInfo::name)
                .containsExactly("failover-only", "round-robin", "least-queue-depth", "service-time");
        assertThat(runtime.modules().list()).allMatch(ModuleInfo::builtin);
        try (Load load = new Load(d, 2).start()) {
            load.awaitOps(200);
        }
        ModuleInfo st = info("service-time");
        assertThat(st.devices()).isEqualTo(1);
        assertThat(st.decisions()).isGreaterThan(200);
        assertThat(st.errors()).isZero();
        assertThat(d.policy().name()).isEqualTo("service-time");
        assertThatThrownBy(() -> runtime.modules().unload("service-time")).isInstanceOf(ModuleException.class)
                .hasMessageContaining("built-in");
    }

    @Test
    void loadReplaceAndUnloadUnderVerifiedLoadWithoutAnError() throws Exception {
        MultipathDevice d = start(ModuleConfig.defaults());
        Path v1 = ModuleJars.jar(dir.resolve("good-1.jar"), TestModules.Good.class, "1.0");
        Path v2 = ModuleJars.jar(dir.resolve("good-2.jar"), TestModules.Good.class, "2.0");
        try (Load load = new Load(d, 4).start()) {
            load.awaitOps(100);
            ModuleInfo m = runtime.modules().load(v1);
            assertThat(m.name()).isEqualTo("good");
            assertThat(m.builtin()).isFalse();
            assertThat(m.devices()).isEqualTo(1);
            assertThat(d.policy().name()).isEqualTo("good 1.0");
            long before = info("good").decisions();
            load.awaitOps(300);
            assertThat(info("good").decisions()).isGreaterThan(before);
            // The per-path limit is honoured: never more than 2 commands in flight through a path.
            for (int i = 0; i < 50; i++) {
                for (PathStatus p : d.paths()) {
                    assertThat(p.queueDepth()).isLessThanOrEqualTo(2);
                }
                Thread.sleep(2);
            }

            // The reservation capability answers through the guard; a built-in gives the defaults.
            var pr = runtime.modules().reservations(d.id());
            List<io.braid.policy.spi.PathRef> refs = d.paths().stream().map(p -> new io.braid.policy.spi.PathRef(
                    p.id().hostPort(), p.id().storagePort(), p.id().targetName(), p.id().lun())).toList();
            assertThat(pr.reservePath(refs)).isEqualTo(refs.getLast());
            assertThat(pr.reestablishAfterFailover()).isFalse();
            assertThat(pr.registerOnNewPaths()).isTrue();

            ModuleInfo replaced = runtime.modules().load(v2);
            assertThat(replaced.version()).isEqualTo("2.0");
            assertThat(d.policy().name()).isEqualTo("good 2.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.modules().list().stream()
                    .noneMatch(x -> x.name().equals("good") && x.version().equals("1.0")));
            assertThat(events(MultipathEvent.Type.MODULE_UNLOADED)).anyMatch(e -> e.contains("good 1.0")
                    && e.contains("no I/O was inside it"));
            load.awaitOps(300);

            runtime.modules().unload("good");
            assertThat(d.policy().name()).isEqualTo("service-time");
            assertThat(runtime.modules().reservations(d.id()).reservePath(refs)).isEqualTo(refs.getFirst());
            assertThat(runtime.modules().present("good")).isFalse();
            load.awaitOps(300);
        }
        assertThat(d.stats().errors()).isZero();
    }

    @Test
    void throwingStallingAndWrongPathModulesAreQuarantinedWhileIoContinues() throws Exception {
        MultipathDevice d = start(ModuleConfig.defaults().withDecisionBudget(Duration.ofMillis(20)));
        List<Class<? extends io.braid.policy.spi.PolicyModule>> faulty = List.of(TestModules.Throwing.class,
                TestModules.Stalling.class, TestModules.WrongPath.class);
        for (int i = 0; i < faulty.size(); i++) {
            Class<? extends io.braid.policy.spi.PolicyModule> c = faulty.get(i);
            // Each round verifies regions of its own (3 workers × 512 KiB from 1.5 MiB × round).
            try (Load load = new Load(d, 3, i * 3).start()) {
                ModuleInfo m = runtime.modules().load(ModuleJars.jar(dir.resolve(c.getSimpleName() + ".jar"), c, "1"));
                // It ran the device (and may be quarantined already: its first decisions are quick).
                assertThat(events(MultipathEvent.Type.POLICY_CHANGED)).anyMatch(e -> e.contains("-> " + m.name() + " 1"));
                await().atMost(Duration.ofSeconds(20)).until(() -> info(m.name()).state().equals("quarantined"));
                await().atMost(Duration.ofSeconds(5)).until(() -> d.policy().name().equals("service-time"));
                long done = load.ops.get();
                load.awaitOps(done + 200);
                ModuleInfo q = info(m.name());
                assertThat(q.errors()).isPositive();
                assertThat(q.reason()).isNotBlank();
                assertThat(events(MultipathEvent.Type.MODULE_QUARANTINED)).anyMatch(e -> e.startsWith(m.name()));
                runtime.modules().unload(m.name());
            }
        }
        assertThat(d.stats().errors()).isZero();
        assertThat(runtime.modules().present("throwing")).isFalse();
    }

    @Test
    void aModuleSwitchesADeviceToAPathDeliberately() throws Exception {
        MultipathDevice d = start(ModuleConfig.defaults());
        runtime.modules().load(ModuleJars.jar(dir.resolve("switching.jar"), TestModules.Switching.class, "1"));
        try (Load load = new Load(d, 2).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !events(MultipathEvent.Type.PATH_SWITCHED).isEmpty());
            assertThat(events(MultipathEvent.Type.PATH_SWITCHED).getFirst()).contains("switching switched the device to")
                    .contains("test switch");
            List<PathStatus> before = d.paths();
            load.awaitOps(200);
            List<PathStatus> after = d.paths();
            PathStatus last = after.getLast();
            for (int i = 0; i < after.size(); i++) {
                long grew = after.get(i).ios() - before.get(i).ios();
                if (after.get(i).id().equals(last.id())) {
                    assertThat(grew).as("the path switched to").isGreaterThanOrEqualTo(200);
                } else {
                    assertThat(grew).as("I/O through " + after.get(i).id()).isLessThanOrEqualTo(8);
                }
            }
        }
        assertThat(d.stats().errors()).isZero();
    }

    @Test
    void badJarsGiveClearErrorsAndAModuleSeesOnlyTheSpi() throws Exception {
        start(ModuleConfig.defaults());
        Path notJar = Files.writeString(dir.resolve("junk.jar"), "not a zip");
        assertThatThrownBy(() -> runtime.modules().load(notJar)).isInstanceOf(ModuleException.class)
                .hasMessageContaining("is not a jar");
        assertThatThrownBy(() -> runtime.modules().load(dir.resolve("missing.jar")))
                .isInstanceOf(ModuleException.class).hasMessageContaining("is not a file");
        assertThat(runtime.modules().list()).hasSize(4);

        // A module sees the SPI and the JDK, not the agent or its libraries.
        ModuleInfo peeking = runtime.modules().load(ModuleJars.jar(dir.resolve("peeking.jar"),
                TestModules.Peeking.class, "1"));
        assertThat(peeking.devices()).isEqualTo(1);
        runtime.modules().unload("peeking");

        // Conflicting claims: the module loaded later is quarantined, the earlier one keeps the device.
        runtime.modules().load(ModuleJars.jar(dir.resolve("good.jar"), TestModules.Good.class, "1"));
        ModuleInfo late = runtime.modules().load(ModuleJars.jar(dir.resolve("peeking2.jar"), TestModules.Peeking.class,
                "2"));
        assertThat(late.state()).isEqualTo("quarantined");
        assertThat(late.reason()).contains("which module good (loaded earlier) claims too");
        assertThat(info("good").devices()).isEqualTo(1);
        assertThat(runtime.multipath().devices().get(0).policy().name()).isEqualTo("good 1");
    }

    @Test
    void discoveryLoadsAClaimingModuleFromTheModuleDirectory() throws Exception {
        Path modules = dir.resolve("modules");
        ModuleJars.jar(modules.resolve("good.jar"), TestModules.Good.class, "3.1");
        Files.writeString(modules.resolve("broken.jar"), "not a zip");
        MultipathDevice d = start(ModuleConfig.defaults().withDirectory(modules));
        await().atMost(Duration.ofSeconds(10)).until(() -> d.policy().name().equals("good 3.1"));
        assertThat(info("good").devices()).isEqualTo(1);
        assertThat(runtime.modules().present("good")).isTrue();
        assertThat(events(MultipathEvent.Type.MODULE_ERROR)).anyMatch(e -> e.contains("broken.jar"));
    }

    /** A small verified load: each worker writes its own region and reads every write back. */
    static final class Load implements AutoCloseable {
        final MultipathDevice device;
        final int workers;
        final AtomicLong ops = new AtomicLong();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final Thread[] threads;
        volatile boolean stop;

        Load(MultipathDevice device, int workers) {
            this(device, workers, 0);
        }

        /** Workers {@code first}, {@code first + 1}, ...: worker w owns the 512 KiB at w × 512 KiB. */
        Load(MultipathDevice device, int workers, int first) {
            this.device = device;
            this.workers = workers;
            this.threads = new Thread[workers];
            this.first = first;
        }

        final int first;

        Load start() {
            AtomicInteger id = new AtomicInteger(first);
            for (int w = 0; w < workers; w++) {
                int worker = id.getAndIncrement();
                threads[w] = Thread.ofPlatform().daemon().name("load-" + worker).start(() -> run(worker));
            }
            return this;
        }

        private void run(int w) {
            Random r = new Random(w);
            int region = 512 << 10;
            long base = (long) w * region;
            byte[] image = new byte[region];
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!stop && System.nanoTime() < deadline) {
                int len = (1 + r.nextInt(16)) * 4096;
                int at = r.nextInt((region - len) / 4096 + 1) * 4096;
                byte[] data = new byte[len];
                r.nextBytes(data);
                try {
                    device.write(base + at, ByteBuffer.wrap(data), false).get(30, TimeUnit.SECONDS);
                    System.arraycopy(data, 0, image, at, len);
                    ByteBuffer back = ByteBuffer.allocate(len);
                    device.read(base + at, back).get(30, TimeUnit.SECONDS);
                    if (!Arrays.equals(back.array(), data)) {
                        errors.add("worker " + w + ": read back differs at " + (base + at));
                    }
                    ops.addAndGet(2);
                } catch (Exception e) {
                    errors.add("worker " + w + ": " + e);
                    return;
                }
            }
            try {
                ByteBuffer all = ByteBuffer.allocate(region);
                device.read(base, all).get(30, TimeUnit.SECONDS);
                if (!Arrays.equals(all.array(), image)) {
                    errors.add("worker " + w + ": region differs at the end");
                }
            } catch (Exception e) {
                errors.add("worker " + w + ": final read: " + e);
            }
        }

        void awaitOps(long n) {
            long target = ops.get() + n;
            await().atMost(Duration.ofSeconds(30)).until(() -> ops.get() >= target || !errors.isEmpty());
            assertThat(errors).isEmpty();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertThat(errors).isEmpty();
        }
    }
}
