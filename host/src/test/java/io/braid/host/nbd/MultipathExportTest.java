package io.braid.host.nbd;

import io.braid.host.AgentConfig;
import io.braid.host.Endpoint;
import io.braid.host.FaultProxy;
import io.braid.host.HostConfig;
import io.braid.host.HostRuntime;
import io.braid.host.TestTarget;
import io.braid.host.iscsi.Backoff;
import io.braid.host.multipath.MultipathConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** NBD clients of a multipath device's export: the protocol's view while paths fail underneath. */
class MultipathExportTest {
    @TempDir
    Path dir;
    TestTarget target;
    FaultProxy a;
    FaultProxy b;
    HostRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Test
    void readsAndWritesThroughTheExportWhilePathsAreReset() throws Exception {
        target = TestTarget.in(dir.resolve("node")).volume("v0", 16 << 20).readOnlyVolume("ro", 4 << 20)
                .portals("127.0.9.1", "127.0.9.2").start();
        a = new FaultProxy("127.0.9.3", target.portals().get(0));
        b = new FaultProxy("127.0.9.4", target.portals().get(1));
        HostConfig host = HostConfig.of("iqn.2026-11.io.braid.test:export",
                        List.of(InetAddress.getByName("127.0.9.21"), InetAddress.getByName("127.0.9.22")),
                        List.of(new Endpoint(a.address().getHostString(), a.address().getPort()),
                                new Endpoint(b.address().getHostString(), b.address().getPort())))
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        runtime = HostRuntime.start(AgentConfig.of(host, dir.resolve("agent")).withApi(null)
                .withMultipath(MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200))));
        String v0 = runtime.exports().stream().filter(e -> !e.readOnly()).findFirst().orElseThrow().name();
        String ro = runtime.exports().stream().filter(e -> e.readOnly()).findFirst().orElseThrow().name();

        try (RawNbdClient c = RawNbdClient.unix(runtime.nbd().unixSocket().orElseThrow()).start()) {
            ByteBuffer info = c.go(v0);
            assertThat(info.getLong(2)).isEqualTo(16 << 20);
            int flags = info.getShort(10) & 0xffff;
            assertThat(flags & TransmissionFlag.SEND_FUA.mask()).isNotZero();
            // The node's volumes live on the thin page store, so the device offers UNMAP and the export TRIM.
            assertThat(flags & TransmissionFlag.SEND_TRIM.mask()).isNotZero();
            Random random = new Random(5);
            for (int i = 0; i < 60; i++) {
                if (i == 20) {
                    a.reset();
                }
                if (i == 40) {
                    b.reset();
                }
                byte[] data = new byte[8192];
                random.nextBytes(data);
                long at = (long) random.nextInt(2048) * 4096;
                c.request(i % 3 == 0 ? CommandFlag.FUA.mask() : 0, NbdCommand.WRITE.value(), 2L * i, at, data.length, data);
                assertThat(c.simpleReply(0).error()).as("write %d", i).isZero();
                c.request(0, NbdCommand.READ.value(), 2L * i + 1, at, data.length);
                RawNbdClient.SimpleReply r = c.simpleReply(data.length);
                assertThat(r.error()).as("read %d", i).isZero();
                assertThat(r.data()).isEqualTo(data);
            }
            c.request(CommandFlag.NO_HOLE.mask(), NbdCommand.WRITE_ZEROES.value(), 500, 0, 65536);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, NbdCommand.READ.value(), 501, 0, 65536);
            assertThat(c.simpleReply(65536).data()).containsOnly(0);
            c.request(0, NbdCommand.FLUSH.value(), 502, 0, 0);
            assertThat(c.simpleReply(0).error()).isZero();
        }
        try (RawNbdClient c = RawNbdClient.unix(runtime.nbd().unixSocket().orElseThrow()).start()) {
            ByteBuffer info = c.go(ro);
            assertThat(info.getShort(10) & TransmissionFlag.READ_ONLY.mask()).isNotZero();
            c.request(0, NbdCommand.WRITE.value(), 1, 0, 512, new byte[512]);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdError.EPERM.value());
        }
        // Both relays' resets reached the driver (the last ones may be noticed after the loop ended).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                runtime.multipath().device(v0).orElseThrow().stats().pathFailures() >= 4);
    }
}
