package io.braid.host.multipath;

import io.braid.host.Closer;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.TestTarget;
import io.braid.host.discovery.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static io.braid.host.multipath.MultipathDeviceTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Multipath#start}: every device discovery reports is there when start returns, also one
 * whose probe a discovery event (a session's listener, on another thread) started first. A real
 * node on 127.0.21.41, one path from 127.0.21.21.
 */
class MultipathStartTest {
    @TempDir
    java.nio.file.Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    /** An agent named {@code name} with one host port, to {@code target}'s portals only. */
    private HostAgent agent(String name, String hostPort, TestTarget target) throws Exception {
        HostConfig config = HostConfig.of("iqn.2026-11.io.braid.test:" + name,
                        List.of(InetAddress.getByName(hostPort)),
                        target.portals().stream().map(p -> endpoint(p)).toList())
                .withFollowDiscoveredPortals(false)
                .withRescanInterval(Duration.ZERO);
        return closer.add(HostAgent.start(config));
    }

    @Test
    void aDeviceWhoseProbeADiscoveryEventStartedIsThereWhenStartReturns() throws Exception {
        TestTarget target = closer.add(TestTarget.in(dir).volume("v0", 8 << 20).portals("127.0.21.41").start());
        HostAgent agent = agent("start", "127.0.21.21", target);
        List<Device> found = agent.devices();
        assertThat(found).hasSize(1);
        // The event arrives between addListener and start's own look at the devices: its probe
        // (INQUIRY and MODE SENSE over the network) is under way when start looks.
        Multipath multipath = closer.add(Multipath.start(agent, MultipathConfig.defaults(), DeviceNaming.byId(),
                m -> m.listenerForTest().devicesChanged(found)));
        assertThat(multipath.devices()).extracting(MultipathDevice::id).containsExactly(found.get(0).id());
    }

    @Test
    void startWaitsForEveryDeviceFound() throws Exception {
        TestTarget target = closer.add(TestTarget.in(dir).volume("v0", 8 << 20).volume("v1", 8 << 20)
                .portals("127.0.21.42").start());
        HostAgent agent = agent("start2", "127.0.21.22", target);
        Multipath multipath = closer.add(Multipath.start(agent, MultipathConfig.defaults()));
        assertThat(multipath.devices()).hasSize(2);
    }
}
