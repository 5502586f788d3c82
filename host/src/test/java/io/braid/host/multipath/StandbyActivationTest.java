package io.braid.host.multipath;

import io.braid.host.Closer;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.TestTarget;
import io.braid.host.iscsi.Backoff;
import io.braid.host.iscsi.InitiatorConfig;
import io.braid.host.iscsi.IscsiInitiator;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.iscsi.SessionSpec;
import io.braid.host.scsi.AluaState;
import io.braid.host.scsi.Cdbs;
import io.braid.scsi.SenseKey;
import io.netty.buffer.Unpooled;
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
import static org.awaitility.Awaitility.await;

/**
 * Explicit ALUA failover against a real node with each portal in its own target port group: when
 * another initiator puts both groups in standby, the device has no usable path and activates one
 * group with SET TARGET PORT GROUPS; I/O that waited meanwhile completes without an error.
 * Two host ports x two portals on 127.0.15.x.
 */
class StandbyActivationTest {
    @TempDir
    java.nio.file.Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void aStandbyGroupIsActivatedWhenNoPathIsLeft() throws Exception {
        TestTarget target = closer.add(TestTarget.in(dir).volume("v0", 8 << 20)
                .portals("127.0.15.51", "127.0.15.52").groupPerPortal().start());
        HostConfig config = HostConfig.of("iqn.2026-11.io.braid.test:stpg",
                        List.of(InetAddress.getByName("127.0.15.23"), InetAddress.getByName("127.0.15.24")),
                        target.portals().stream().map(p -> endpoint(p)).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        HostAgent agent = closer.add(HostAgent.start(config));
        Multipath multipath = closer.add(Multipath.start(agent, MultipathConfig.defaults()
                .withCheckerInterval(Duration.ofMillis(200)).withNoPathTimeout(Duration.ofSeconds(20))));
        // A discovery event may start the device's probe before start() does: then it comes a moment later.
        await().atMost(Duration.ofSeconds(10)).until(() -> !multipath.devices().isEmpty());
        MultipathDevice d = multipath.devices().get(0);
        assertThat(d.paths()).hasSize(4).extracting(PathStatus::targetPortGroup).containsOnly(1, 2);

        IscsiInitiator admin = closer.add(
                new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.test:admin")));
        IscsiSession s = admin.open(new SessionSpec(target.iqn(), null, target.portals().get(0), null));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        int lun = d.paths().get(0).id().lun();
        // Both groups standby at once: nothing the device has can do I/O.
        byte[] both = {0, 0, 0, 0, 0x2, 0, 0, 1, 0x2, 0, 0, 2};
        assertThat(admin(s, ScsiRequest.write(lun, Cdbs.setTargetPortGroups(both.length),
                Unpooled.wrappedBuffer(both))).isGood()).isTrue();

        for (int i = 0; i < 20; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            b.putInt(0, i);
            d.write(i * 4096L, b, false).get(30, TimeUnit.SECONDS);   // no error: a group was activated
        }
        assertThat(multipath.events(0)).anyMatch(e -> e.type() == MultipathEvent.Type.GROUP_ACTIVATED);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(d.paths())
                .filteredOn(p -> p.aluaState() == AluaState.ACTIVE_OPTIMIZED).hasSize(2)
                .allSatisfy(p -> assertThat(p.state()).isEqualTo(MultipathPathState.ACTIVE)));
        assertThat(d.stats().errors()).isZero();
    }

    private static ScsiOutcome admin(IscsiSession s, ScsiRequest r) throws Exception {
        for (int i = 0; ; i++) {
            ScsiOutcome o = s.submit(r).get(10, TimeUnit.SECONDS);
            if (i < 8 && o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.UNIT_ATTENTION) {
                continue;
            }
            return o;
        }
    }
}
