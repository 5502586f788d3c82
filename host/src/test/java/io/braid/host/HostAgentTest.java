package io.braid.host;

import io.braid.host.discovery.Device;
import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathListener;
import io.braid.host.discovery.PathPriority;
import io.braid.host.discovery.PathState;
import io.braid.host.iscsi.Backoff;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.scsi.AluaState;
import io.braid.host.scsi.Cdbs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Discovery against a real Braid node with two portals, from two host ports. */
class HostAgentTest {
    static final String INITIATOR = "iqn.2026-11.io.braid.test:agent";

    @TempDir
    java.nio.file.Path dir;
    TestTarget target;
    HostAgent agent;
    final List<FaultProxy> proxies = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        proxies.forEach(FaultProxy::close);
        if (target != null) {
            target.close();
        }
    }

    static List<InetAddress> hostPorts() throws Exception {
        return List.of(InetAddress.getByName("127.0.6.21"), InetAddress.getByName("127.0.6.22"));
    }

    static Endpoint endpoint(java.net.InetSocketAddress a) {
        return new Endpoint(a.getHostString(), a.getPort());
    }

    @Test
    void twoHostPortsTimesTwoPortalsGiveFourPathsPerDevice() throws Exception {
        target = TestTarget.in(dir).volume("v0", 8 << 20).volume("v1", 4 << 20).twoPortals().start();
        // One portal is configured; SendTargets reports both.
        agent = HostAgent.start(HostConfig.of(INITIATOR, hostPorts(), List.of(endpoint(target.portal())))
                .withRescanInterval(Duration.ZERO));
        List<Device> devices = agent.devices();
        assertThat(devices).hasSize(2);
        Set<String> storagePorts = target.portals().stream()
                .map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.toSet());
        for (Device d : devices) {
            assertThat(d.id()).startsWith("naa.");
            assertThat(d.pathCount()).isEqualTo(4);
            assertThat(d.connectedPaths()).hasSize(4);
            assertThat(d.disconnectedPaths()).isEmpty();
            assertThat(d.primaryPaths()).hasSize(4); // every port group active/optimized: every path is primary
            assertThat(d.secondaryPaths()).isEmpty();
            assertThat(d.vendor()).isEqualTo("BRAID");
            assertThat(d.product()).isEqualTo("Braid volume");
            assertThat(d.arrayType()).isEqualTo("braid");
            assertThat(d.alua()).as("Braid reports TPGS and REPORT TARGET PORT GROUPS").isTrue();
            assertThat(d.lunSerial()).isNotEmpty();
            assertThat(d.enclosureSerial()).hasSize(32); // the node id in hex
            assertThat(d.paths()).extracting(Path::hostPort).containsOnly("127.0.6.21", "127.0.6.22");
            assertThat(d.paths()).extracting(Path::storagePort).containsOnlyElementsOf(storagePorts).hasSize(4);
            assertThat(d.paths()).allSatisfy(p -> {
                assertThat(p.state()).isEqualTo(PathState.CONNECTED);
                assertThat(p.aluaState()).isEqualTo(AluaState.ACTIVE_OPTIMIZED);
                assertThat(p.priority()).isEqualTo(PathPriority.PRIMARY);
                assertThat(p.targetName()).isEqualTo(target.iqn());
                assertThat(p.deviceId()).isEqualTo(d.id());
            });
        }
        assertThat(devices).extracting(Device::capacityBytes).containsExactlyInAnyOrder(8L << 20, 4L << 20);
        assertThat(devices.get(0).enclosureSerial()).isEqualTo(devices.get(1).enclosureSerial());
        assertThat(devices.get(0).lunSerial()).isNotEqualTo(devices.get(1).lunSerial());
        assertThat(agent.paths()).hasSize(8);
        assertThat(agent.sessions()).hasSize(4);

        // Data written through one path reads back through every other path of the device.
        Device d = devices.get(0);
        Path first = d.paths().get(0);
        IscsiSession s0 = agent.session(first.id()).orElseThrow();
        byte[] data = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(data);
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        ScsiOutcome w = s0.submit(ScsiRequest.write(first.lun(), Cdbs.write16(16, data.length / 512, true), buf))
                .get(10, TimeUnit.SECONDS);
        buf.release();
        assertThat(w.isGood()).as("%s", w).isTrue();
        for (Path p : d.paths()) {
            IscsiSession s = agent.session(p.id()).orElseThrow();
            ScsiOutcome r = s.submit(ScsiRequest.read(p.lun(), Cdbs.read16(16, data.length / 512), data.length))
                    .get(10, TimeUnit.SECONDS);
            try {
                assertThat(ByteBufUtil.getBytes(((ScsiOutcome.Good) r).data())).isEqualTo(data);
            } finally {
                r.release();
            }
        }
    }

    @Test
    void aCutStoragePortDisconnectsItsPathsAndTheyComeBack() throws Exception {
        target = TestTarget.in(dir).volume("v0", 8 << 20).twoPortals().start();
        FaultProxy a = new FaultProxy("127.0.6.3", target.portals().get(0));
        FaultProxy b = new FaultProxy("127.0.6.4", target.portals().get(1));
        proxies.add(a);
        proxies.add(b);
        HostConfig config = HostConfig.of(INITIATOR, hostPorts(), List.of(endpoint(a.address()), endpoint(b.address())))
                .withFollowDiscoveredPortals(false)
                .withPing(Duration.ofMillis(200), Duration.ofMillis(300))
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withLoginTimeout(Duration.ofSeconds(1)) // a login tried while the link is dead gives up soon
                .withRescanInterval(Duration.ZERO);
        agent = HostAgent.start(config);
        List<String> events = new CopyOnWriteArrayList<>();
        agent.addListener(new PathListener() {
            @Override
            public void pathStateChanged(Path path, PathState from, PathState to, String reason) {
                events.add(path.storagePort() + " " + path.hostPort() + " " + to);
            }
        });
        Device d = agent.devices().get(0);
        assertThat(d.connectedPaths()).hasSize(4);
        String cut = endpoint(a.address()).toString();

        a.silence(true); // a dead link: only the ping can tell
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.devices().get(0).disconnectedPaths().size() == 2);
        Device during = agent.devices().get(0);
        assertThat(during.disconnectedPaths()).extracting(Path::storagePort).containsOnly(cut);
        assertThat(during.connectedPaths()).extracting(Path::storagePort).doesNotContain(cut);
        assertThat(events).contains(cut + " 127.0.6.21 DISCONNECTED", cut + " 127.0.6.22 DISCONNECTED");

        a.silence(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.devices().get(0).connectedPaths().size() == 4);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.contains(cut + " 127.0.6.21 CONNECTED")
                && events.contains(cut + " 127.0.6.22 CONNECTED"));
    }
}
