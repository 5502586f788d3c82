package io.braid.host.module;

import io.braid.host.AgentConfig;
import io.braid.host.Endpoint;
import io.braid.host.HostConfig;
import io.braid.host.HostRuntime;
import io.braid.host.TestTarget;
import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.Backoff;
import io.braid.host.module.testmodules.TestModules;
import io.braid.host.multipath.MultipathConfig;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.pr.PrCommands;
import io.braid.host.pr.PrOutAction;
import io.braid.host.pr.PrType;
import io.braid.host.pr.ReservationKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A module's {@code Verdict.reservationAction} against a real node: the host's reservation keeper
 * registers the key again on the path that lost it and the write goes once more; the same
 * conflict under a module that says FAIL_IO reaches the caller, so the module's verdict decides.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ModuleReservationActionTest {
    static final long K = 0x5EC0DE5EC0DEL;

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

    private MultipathDevice start() throws Exception {
        target = TestTarget.in(dir.resolve("node")).volume("v0", 8 << 20).portals("127.0.17.1", "127.0.17.2").start();
        HostConfig host = HostConfig.of("iqn.2026-11.io.braid.test:resv-module",
                        List.of(InetAddress.getByName("127.0.17.21"), InetAddress.getByName("127.0.17.22")),
                        target.portals().stream().map(a -> new Endpoint(a.getHostString(), a.getPort())).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        runtime = HostRuntime.start(AgentConfig.of(host, dir.resolve("agent"))
                .withMultipath(MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200)))
                .withModules(ModuleConfig.defaults()));
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.multipath().devices().size() == 1
                && runtime.multipath().devices().get(0).paths().stream().filter(p -> p.state().label().equals("active"))
                .count() == 4);
        return runtime.multipath().devices().get(0);
    }

    /** Unregisters this host's key on {@code path} behind the keeper's back (the unit lost it there). */
    private void unregister(PathId path) throws Exception {
        new PrCommands(path, runtime.agent().session(path).orElseThrow(), Duration.ofSeconds(10))
                .out(PrOutAction.REGISTER, null, K, 0);
    }

    @Test
    void aReservationActionVerdictRestoresTheRegistrationAndRetries() throws Exception {
        MultipathDevice d = start();
        ReservationKeeper k = runtime.reservations().keeper(d.name()).orElseThrow();
        k.register(K);
        k.reserve(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
        PathId last = d.paths().getLast().id();
        assertThat(k.holder()).isNotEqualTo(last);

        runtime.modules().load(ModuleJars.jar(dir.resolve("conflict-fails.jar"), TestModules.ConflictFails.class, "1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> d.policy().name().startsWith("conflict-fails "));
        unregister(last);
        assertThatThrownBy(() -> d.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().hasMessageContaining("conflict-fails: conflict, not retried");
        runtime.modules().unload("conflict-fails");

        runtime.modules().load(ModuleJars.jar(dir.resolve("reservation-aware.jar"), TestModules.ReservationAware.class,
                "1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> d.policy().name().startsWith("reservation-aware "));
        long retries = d.stats().retries();
        for (int i = 0; i < 8; i++) {
            d.write(i * 4096L, ByteBuffer.allocate(4096), false).get(20, TimeUnit.SECONDS);
        }
        assertThat(d.stats().retries()).isEqualTo(retries + 1);
        assertThat(k.status().paths()).allSatisfy(p -> assertThat(p.key()).isEqualTo("0x00005ec0de5ec0de"));
    }
}
