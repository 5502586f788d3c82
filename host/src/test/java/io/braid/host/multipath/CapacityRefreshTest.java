package io.braid.host.multipath;

import io.braid.host.Closer;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.TestTarget;
import io.braid.host.iscsi.Backoff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.braid.host.multipath.MultipathDeviceTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A volume grown on a real node (CAPACITY DATA HAS CHANGED to every nexus) while the agent runs:
 * the device takes the new size from a unit attention met by I/O, or by the checker's probe of
 * an idle device. Two host ports x two portals on 127.0.15.x.
 */
class CapacityRefreshTest {
    static final long MIB = 1 << 20;

    @TempDir
    java.nio.file.Path dir;
    @RegisterExtension
    final Closer closer = new Closer();
    TestTarget target;
    HostAgent agent;
    Multipath multipath;

    MultipathDevice start(Duration checker) throws Exception {
        target = closer.add(TestTarget.in(dir).volume("v0", 8 * MIB).portals("127.0.15.41", "127.0.15.42").start());
        HostConfig config = HostConfig.of("iqn.2026-11.io.braid.test:resize",
                        List.of(InetAddress.getByName("127.0.15.21"), InetAddress.getByName("127.0.15.22")),
                        target.portals().stream().map(p -> endpoint(p)).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        agent = closer.add(HostAgent.start(config));
        multipath = closer.add(Multipath.start(agent, MultipathConfig.defaults().withCheckerInterval(checker)));
        // A discovery event may start the device's probe before start() does: then it comes a moment later.
        await().atMost(Duration.ofSeconds(10)).until(() -> !multipath.devices().isEmpty());
        MultipathDevice d = multipath.devices().get(0);
        assertThat(d.paths()).hasSize(4);
        assertThat(d.size()).isEqualTo(8 * MIB);
        return d;
    }

    @Test
    void anIdleDeviceIsResizedByTheCheckersProbe() throws Exception {
        MultipathDevice d = start(Duration.ofMillis(200));
        long after = multipath.events(0).stream().mapToLong(MultipathEvent::sequence).max().orElse(0);
        target.node().resizeVolume("v0", 24 * MIB);
        await().atMost(Duration.ofSeconds(10)).until(() -> d.size() == 24 * MIB);
        // The event follows the new size by a moment (the device publishes the size, then emits).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(multipath.events(after))
                .anyMatch(e -> e.type() == MultipathEvent.Type.DEVICE_RESIZED
                        && e.message().contains(8 * MIB + " -> " + 24 * MIB)));
        // The new blocks are there to use.
        ByteBuffer block = ByteBuffer.allocateDirect(4096);
        d.write(20 * MIB, block, false).get(10, TimeUnit.SECONDS);
        block.clear();
        d.read(24 * MIB - 4096, block).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBusyDeviceIsResizedByTheUnitAttentionOfItsIo() throws Exception {
        MultipathDevice d = start(Duration.ofHours(1)); // no checker: only I/O meets the unit attention
        assertThatThrownBy(() -> d.read(16 * MIB, ByteBuffer.allocateDirect(4096)).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        target.node().resizeVolume("v0", 32 * MIB);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (d.size() != 32 * MIB && System.nanoTime() < deadline) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            d.read(0, b).get(10, TimeUnit.SECONDS); // the unit attention is retried unseen
        }
        assertThat(d.size()).isEqualTo(32 * MIB);
        assertThat(d.refreshCapacity().get(10, TimeUnit.SECONDS)).isEqualTo(32 * MIB);
        d.read(32 * MIB - 4096, ByteBuffer.allocateDirect(4096)).get(10, TimeUnit.SECONDS);
    }
}
