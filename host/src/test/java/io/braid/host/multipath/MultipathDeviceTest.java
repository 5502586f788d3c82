package io.braid.host.multipath;

import io.braid.host.Closer;
import io.braid.host.Endpoint;
import io.braid.host.FaultProxy;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.ReadOnlyDeviceException;
import io.braid.host.TestTarget;
import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.Backoff;
import io.braid.host.iscsi.IscsiInitiator;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.InitiatorConfig;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.iscsi.SessionSpec;
import io.braid.host.scsi.AluaState;
import io.braid.host.scsi.Cdbs;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The multipath driver against a real Braid node with two portals, each behind a fault relay,
 * reached from two host ports: four paths per device. Loopback addresses 127.0.9.x.
 */
class MultipathDeviceTest {
    static final String INITIATOR = "iqn.2026-11.io.braid.test:multipath";
    static final String PORTAL_A = "127.0.9.1";
    static final String PORTAL_B = "127.0.9.2";

    @TempDir
    java.nio.file.Path dir;
    TestTarget target;
    FaultProxy a;
    FaultProxy b;
    HostAgent agent;
    Multipath multipath;
    @RegisterExtension
    final Closer closer = new Closer();

    static List<InetAddress> hostPorts() throws Exception {
        return List.of(InetAddress.getByName("127.0.9.21"), InetAddress.getByName("127.0.9.22"));
    }

    static Endpoint endpoint(InetSocketAddress s) {
        return new Endpoint(s.getHostString(), s.getPort());
    }

    /** A node with {@code volumes} (name, size) behind two relays, an agent and the driver. */
    MultipathDevice start(MultipathConfig mp, TestTarget.Builder builder) throws Exception {
        target = closer.add(builder.portals(PORTAL_A, PORTAL_B).start());
        a = closer.add(new FaultProxy("127.0.9.3", target.portals().get(0)));
        b = closer.add(new FaultProxy("127.0.9.4", target.portals().get(1)));
        HostConfig config = HostConfig.of(INITIATOR, hostPorts(), List.of(endpoint(a.address()), endpoint(b.address())))
                .withFollowDiscoveredPortals(false)
                .withPing(Duration.ofMillis(250), Duration.ofMillis(750))
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withLoginTimeout(Duration.ofSeconds(3))
                .withRescanInterval(Duration.ZERO);
        agent = closer.add(HostAgent.start(config));
        multipath = closer.add(Multipath.start(agent, mp));
        assertThat(multipath.devices()).isNotEmpty();
        MultipathDevice d = multipath.devices().get(0);
        assertThat(d.paths()).hasSize(4);
        return d;
    }

    static MultipathConfig fast() {
        return MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200))
                .withNoPathTimeout(Duration.ofSeconds(15));
    }

    static long active(MultipathDevice d) {
        return d.paths().stream().filter(p -> p.state() == MultipathPathState.ACTIVE).count();
    }

    @Test
    void aVerifiedLoadSeesNoErrorWhilePathsAreResetSilencedAndTakenDown() throws Exception {
        MultipathDevice d = start(fast().withDefaultPolicy(PathSelectors.ROUND_ROBIN, null),
                TestTarget.in(dir).volume("v0", 32 << 20));
        assertThat(d.name()).isEqualTo(d.id()).startsWith("naa.");
        assertThat(d.size()).isEqualTo(32 << 20);
        assertThat(d.policy().name()).isEqualTo("round-robin");

        VerifiedLoad load = new VerifiedLoad(d, 6, 1 << 20, 100_000, Duration.ofSeconds(40)).start();
        try {
            Thread.sleep(700);
            a.reset();                                   // connections reset (ss -K)
            Thread.sleep(1000);
            b.silence(true);                             // a dead link: only the ping finds it
            Thread.sleep(1500);
            b.silence(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 4);
            a.down();                                    // portal down, connections refused
            Thread.sleep(1200);
            a.up();
            await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 4);
            Thread.sleep(500);
        } finally {
            load.stop();
        }
        load.await();
        assertThat(load.errors).isEmpty();
        assertThat(load.writes.get()).isGreaterThan(50);
        load.verifyAll();
        assertThat(load.errors).isEmpty();
        DeviceStats s = d.stats();
        assertThat(s.pathFailures()).isGreaterThanOrEqualTo(6); // 2 by the reset, 2 by the silence, 2 by the portal
        assertThat(s.retries()).isPositive();
        assertThat(s.errors()).isZero();
        assertThat(d.paths()).allSatisfy(p -> {
            assertThat(p.state()).isEqualTo(MultipathPathState.ACTIVE);
            assertThat(p.ios()).isPositive();
            assertThat(p.failures()).isPositive();
        });
        assertThat(multipath.events(0)).extracting(MultipathEvent::type)
                .contains(MultipathEvent.Type.PATH_FAILED, MultipathEvent.Type.PATH_REINSTATED);
    }

    @Test
    void requestsLargerThanTheMaximumTransferAreSplit() throws Exception {
        MultipathDevice d = start(fast(), TestTarget.in(dir).volume("v0", 64 << 20));
        int max = d.limits().maxTransferBytes(d.blockSize());
        assertThat(max).isEqualTo(8 << 20); // the node's Block Limits
        byte[] data = new byte[3 * max + 4096];
        new Random(7).nextBytes(data);
        d.write(1 << 20, ByteBuffer.wrap(data), true).get(30, TimeUnit.SECONDS);
        ByteBuffer back = ByteBuffer.allocateDirect(data.length);
        d.read(1 << 20, back).get(30, TimeUnit.SECONDS);
        assertThat(back.position()).isEqualTo(data.length);
        byte[] got = new byte[data.length];
        back.flip().get(got);
        assertThat(got).isEqualTo(data);
        d.flush().get(10, TimeUnit.SECONDS);
        assertThat(d.stats().bytesWritten()).isEqualTo(data.length);
        assertThat(d.paths().stream().mapToLong(PathStatus::ios).sum()).isGreaterThanOrEqualTo(9); // 4 + 4 + flush

        // Write-zeroes: WRITE SAME where the unit has it, zero writes where it has not.
        d.writeZeroes(1 << 20, 1 << 20, true, false).get(30, TimeUnit.SECONDS);
        ByteBuffer zeroes = ByteBuffer.allocate(1 << 20);
        d.read(1 << 20, zeroes).get(30, TimeUnit.SECONDS);
        assertThat(zeroes.array()).containsOnly(0);
        ByteBuffer rest = ByteBuffer.allocate(4096);
        d.read(2 << 20, rest).get(30, TimeUnit.SECONDS);
        assertThat(rest.array()).isEqualTo(Arrays.copyOfRange(data, 1 << 20, (1 << 20) + 4096));

        assertThatThrownBy(() -> d.read(1, ByteBuffer.allocate(512)).get()).hasCauseInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("not aligned");
        assertThatThrownBy(() -> d.read(64 << 20, ByteBuffer.allocate(512)).get()).hasCauseInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("outside");
    }

    @Test
    void trimAndWriteZeroesOnAThinUnit() throws Exception {
        MultipathDevice d = start(fast(), TestTarget.in(dir).memoryVolume("thin", 16 << 20));
        io.braid.host.scsi.LogicalBlockProvisioning lbp = d.limits().provisioning();
        assertThat(lbp.unmap()).isTrue();
        assertThat(d.canTrim()).isTrue();
        zeroesAndTrim(d, lbp);
    }

    @Test
    void writeZeroesWithoutDeallocation() throws Exception {
        MultipathDevice d = start(fast(), TestTarget.in(dir).volume("v0", 16 << 20));
        zeroesAndTrim(d, d.limits().provisioning());
    }

    /** Trim where the unit deallocates (UNMAP, then a flush for FUA), write-zeroes both ways, the rest intact. */
    private static void zeroesAndTrim(MultipathDevice d, io.braid.host.scsi.LogicalBlockProvisioning lbp)
            throws Exception {
        byte[] data = new byte[2 << 20];
        new Random(11).nextBytes(data);
        d.write(0, ByteBuffer.wrap(data), false).get(30, TimeUnit.SECONDS);
        if (lbp.canDeallocate()) {
            d.trim(0, 512 << 10, true).get(30, TimeUnit.SECONDS);
            if (lbp.readsZero()) {
                assertThat(read(d, 0, 512 << 10)).containsOnly(0);
            }
        } else {
            assertThat(d.canTrim()).isFalse();
            assertThatThrownBy(() -> d.trim(0, 512 << 10, false).get()).cause()
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("does not deallocate");
        }
        d.writeZeroes(512 << 10, 512 << 10, false, true).get(30, TimeUnit.SECONDS);   // may deallocate
        d.writeZeroes(1 << 20, 512 << 10, true, false).get(30, TimeUnit.SECONDS);     // must stay allocated
        assertThat(read(d, 512 << 10, 1 << 20)).containsOnly(0);
        assertThat(read(d, 3 << 19, 512 << 10)).isEqualTo(Arrays.copyOfRange(data, 3 << 19, 2 << 20));
        assertThat(d.stats().errors()).isZero();
    }

    static byte[] read(MultipathDevice d, long offset, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length);
        d.read(offset, b).get(30, TimeUnit.SECONDS);
        return b.array();
    }

    @Test
    void withEveryPathDownIoWaitsThenFailsClearlyAndWorksAgainWhenPathsReturn() throws Exception {
        // 3 s: long enough for a reconnect and login on a loaded machine in the first half.
        MultipathDevice d = start(fast().withNoPathTimeout(Duration.ofSeconds(3)), TestTarget.in(dir).volume("v0", 8 << 20));
        byte[] data = new byte[4096];
        new Random(1).nextBytes(data);

        // Shorter than the bound: the write waits and completes once a portal is back.
        a.down();
        b.down();
        await().atMost(Duration.ofSeconds(5)).until(() -> active(d) == 0);
        CompletableFuture<Void> waiting = d.write(0, ByteBuffer.wrap(data), false);
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        assertThat(d.stats().waiting()).isEqualTo(1);
        b.up();
        waiting.get(10, TimeUnit.SECONDS);

        // Longer than the bound: a clear error, then at once for new I/O.
        b.down();
        await().atMost(Duration.ofSeconds(5)).until(() -> active(d) == 0);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(4096)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(NoPathException.class)
                .hasMessageStartingWith("no path to device " + d.name() + " for 3 s");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(waited).isBetween(2500L, 8000L);
        t0 = System.nanoTime();
        assertThatThrownBy(() -> d.write(0, ByteBuffer.wrap(data), false).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(NoPathException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(500);
        assertThat(multipath.events(0)).extracting(MultipathEvent::type).contains(MultipathEvent.Type.NO_PATH,
                MultipathEvent.Type.NO_PATH_TIMEOUT);

        // Paths back: new I/O works without restarting anything.
        a.up();
        b.up();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            ByteBuffer back = ByteBuffer.allocate(4096);
            d.read(0, back).get(5, TimeUnit.SECONDS);
            return Arrays.equals(back.array(), data);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 4);
        assertThat(multipath.events(0)).extracting(MultipathEvent::type).contains(MultipathEvent.Type.PATH_RESTORED);
    }

    @Test
    void targetErrorsReachTheCallerAndLeaveThePathsAlone() throws Exception {
        MultipathDevice d = start(fast(), TestTarget.in(dir).volume("v0", 8 << 20).readOnlyVolume("ro", 8 << 20));
        MultipathDevice ro = multipath.devices().stream().filter(MultipathDevice::readOnly).findFirst().orElseThrow();
        MultipathDevice rw = multipath.devices().stream().filter(x -> !x.readOnly()).findFirst().orElseThrow();
        assertThatThrownBy(() -> ro.write(0, ByteBuffer.allocate(512), false).get())
                .cause().isInstanceOf(ReadOnlyDeviceException.class);

        // Another host holds a WRITE EXCLUSIVE reservation: writes conflict, reads go on.
        IscsiInitiator other = new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.test:other"));
        closer.add(other);
        IscsiSession s = other.open(new SessionSpec(target.iqn(), null, target.portals().get(0), null));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        int lun = rw.paths().get(0).id().lun();
        assertThat(pr(s, lun, 0x00, 0x0, 0, 0xABCDL).isGood()).isTrue();     // REGISTER
        assertThat(pr(s, lun, 0x01, 0x1, 0xABCDL, 0).isGood()).isTrue();     // RESERVE, WRITE EXCLUSIVE
        assertThatThrownBy(() -> rw.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(ScsiErrorException.class).hasMessageContaining("RESERVATION CONFLICT")
                .hasMessageContaining("WRITE of 8 blocks at LBA 0 on " + rw.name());
        rw.read(0, ByteBuffer.allocate(4096)).get(10, TimeUnit.SECONDS);
        assertThat(active(rw)).isEqualTo(4);
        assertThat(rw.stats().pathFailures()).isZero();
        assertThat(rw.stats().errors()).isEqualTo(1);
        assertThat(pr(s, lun, 0x02, 0x1, 0xABCDL, 0).isGood()).isTrue();     // RELEASE
        rw.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);
        assertThat(d).isNotNull();
    }

    /** PERSISTENT RESERVE OUT (SPC-5): service action, type, reservation key, service action key. */
    static ScsiOutcome pr(IscsiSession s, int lun, int action, int type, long key, long saKey) throws Exception {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) action;
        cdb[2] = (byte) type;
        cdb[8] = 24;
        ByteBuffer p = ByteBuffer.allocate(24).putLong(key).putLong(saKey);
        ScsiOutcome o = s.submit(ScsiRequest.write(lun, cdb, Unpooled.wrappedBuffer(p.array())))
                .get(10, TimeUnit.SECONDS);
        if (o instanceof ScsiOutcome.CheckCondition c && c.sense().key() == io.braid.scsi.SenseKey.UNIT_ATTENTION) {
            return pr(s, lun, action, type, key, saKey);
        }
        return o;
    }

    @Test
    void unitAttentionsAreRetriedOnTheSamePath() throws Exception {
        MultipathDevice d = start(fast(), TestTarget.in(dir).volume("v0", 8 << 20));
        IscsiInitiator other = new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.test:resetter"));
        closer.add(other);
        IscsiSession s = other.open(new SessionSpec(target.iqn(), null, target.portals().get(1), null));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        // A LUN reset from another initiator leaves a unit attention on every one of our nexuses.
        assertThat(s.taskManagement(TaskManagementFunction.LOGICAL_UNIT_RESET, d.paths().get(0).id().lun())
                .get(10, TimeUnit.SECONDS)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        for (int i = 0; i < 8; i++) {
            d.read(0, ByteBuffer.allocate(4096)).get(10, TimeUnit.SECONDS);
        }
        assertThat(d.stats().retries()).isPositive();
        assertThat(d.stats().errors()).isZero();
        assertThat(d.stats().pathFailures()).isZero();
        assertThat(active(d)).isEqualTo(4);
    }

    @Test
    void anAluaStandbyGroupLosesItsPathsUntilItIsActiveAgain() throws Exception {
        MultipathDevice d = start(fast().withDefaultPolicy(PathSelectors.ROUND_ROBIN, null),
                TestTarget.in(dir).volume("v0", 8 << 20).groupPerPortal());
        assertThat(d.paths()).extracting(PathStatus::targetPortGroup).containsOnly(1, 2);
        assertThat(d.paths()).extracting(PathStatus::aluaState).containsOnly(AluaState.ACTIVE_OPTIMIZED);
        IscsiInitiator other = new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.test:admin"));
        closer.add(other);
        IscsiSession s = other.open(new SessionSpec(target.iqn(), null, target.portals().get(1), null));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        int lun = d.paths().get(0).id().lun();

        assertThat(setTargetPortGroup(s, lun, 1, 0x2).isGood()).isTrue();          // group 1 (portal A): standby
        writes(d, 20);                                                              // no error
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(d.paths()).allSatisfy(p -> {
            if (p.targetPortGroup() == 1) {
                assertThat(p.state()).isEqualTo(MultipathPathState.FAILED);
                assertThat(p.aluaState()).isEqualTo(AluaState.STANDBY);            // discovery probed again
            } else {
                assertThat(p.state()).isEqualTo(MultipathPathState.ACTIVE);
            }
        }));
        long standbyIos = d.paths().stream().filter(p -> p.targetPortGroup() == 1).mapToLong(PathStatus::ios).sum();
        writes(d, 10);
        assertThat(d.paths().stream().filter(p -> p.targetPortGroup() == 1).mapToLong(PathStatus::ios).sum())
                .isEqualTo(standbyIos);
        assertThat(d.stats().errors()).isZero();

        assertThat(setTargetPortGroup(s, lun, 1, 0x0).isGood()).isTrue();          // active/optimized again
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(d.paths()).allSatisfy(p -> {
            assertThat(p.state()).isEqualTo(MultipathPathState.ACTIVE);
            assertThat(p.aluaState()).isEqualTo(AluaState.ACTIVE_OPTIMIZED);
        }));
        writes(d, 20);
        assertThat(d.paths().stream().filter(p -> p.targetPortGroup() == 1).mapToLong(PathStatus::ios).sum())
                .isGreaterThan(standbyIos);
        assertThat(d.stats().errors()).isZero();
    }

    /** SET TARGET PORT GROUPS (SPC-5): MAINTENANCE OUT service action 0Ah, one descriptor. */
    static ScsiOutcome setTargetPortGroup(IscsiSession s, int lun, int group, int state) throws Exception {
        byte[] cdb = new byte[12];
        cdb[0] = (byte) 0xA4;
        cdb[1] = 0x0A;
        cdb[9] = 8;
        byte[] p = {0, 0, 0, 0, (byte) state, 0, (byte) (group >>> 8), (byte) group};
        ScsiOutcome o = s.submit(ScsiRequest.write(lun, cdb, Unpooled.wrappedBuffer(p))).get(10, TimeUnit.SECONDS);
        if (o instanceof ScsiOutcome.CheckCondition c && c.sense().key() == io.braid.scsi.SenseKey.UNIT_ATTENTION) {
            return setTargetPortGroup(s, lun, group, state);
        }
        return o;
    }

    @Test
    void failoverOnlyUsesOnePathAndFailsBackToIt() throws Exception {
        MultipathDevice d = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, Failback.IMMEDIATE),
                TestTarget.in(dir).volume("v0", 8 << 20));
        PathId primary = d.paths().get(0).id();
        assertThat(primary.hostPort()).isEqualTo("127.0.9.21");
        assertThat(primary.storagePort()).isEqualTo(endpoint(a.address()).toString());
        writes(d, 10);
        assertThat(ios(d, primary)).isGreaterThanOrEqualTo(10);
        assertThat(d.paths()).filteredOn(p -> !p.id().equals(primary)).allSatisfy(p -> assertThat(p.ios()).isZero());

        a.silence(true);
        writes(d, 10);                                   // failed over, no error
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(d.paths())
                .filteredOn(p -> p.id().storagePort().equals(primary.storagePort()))
                .allSatisfy(p -> assertThat(p.state()).isEqualTo(MultipathPathState.FAILED)));
        a.silence(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 4);
        long before = ios(d, primary);
        writes(d, 10);
        assertThat(ios(d, primary)).isGreaterThanOrEqualTo(before + 10);  // failback
    }

    @Test
    void manualFailbackStaysOnThePathItFailedOverTo() throws Exception {
        MultipathDevice d = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, Failback.MANUAL),
                TestTarget.in(dir).volume("v0", 8 << 20));
        assertThat(d.policy().name()).isEqualTo("failover-only (manual failback)");
        PathId primary = d.paths().get(0).id();
        writes(d, 3);
        a.down();
        writes(d, 5);
        a.up();
        await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 4);
        long before = ios(d, primary);
        writes(d, 10);
        assertThat(ios(d, primary)).isEqualTo(before);
    }

    @Test
    void aLaterWriteWaitsForAnOverlappingWriteWhoseOutcomeIsUnknown() throws Exception {
        MultipathDevice d = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, null)
                .withWriteFenceTimeout(Duration.ofSeconds(20)), TestTarget.in(dir).volume("v0", 8 << 20));
        byte[] one = new byte[8192];
        Arrays.fill(one, (byte) 1);
        byte[] two = new byte[8192];
        Arrays.fill(two, (byte) 2);
        a.silence(true);
        // Sent through the silent primary: its outcome there is unknown when the ping gives up.
        d.write(0, ByteBuffer.wrap(one), false).get(20, TimeUnit.SECONDS);
        assertThat(d.paths().get(0).state()).isEqualTo(MultipathPathState.FAILED);
        CompletableFuture<Void> later = d.write(4096, ByteBuffer.wrap(two), false);   // overlaps
        d.write(1 << 20, ByteBuffer.wrap(two), false).get(5, TimeUnit.SECONDS);      // does not
        Thread.sleep(500);
        assertThat(later).isNotDone();
        assertThat(d.stats().fenced()).isEqualTo(1);
        a.silence(false);                                // the old sessions log in again: reinstated
        later.get(15, TimeUnit.SECONDS);
        ByteBuffer back = ByteBuffer.allocate(12288);
        d.read(0, back).get(5, TimeUnit.SECONDS);
        assertThat(Arrays.copyOfRange(back.array(), 0, 4096)).containsOnly(1);
        assertThat(Arrays.copyOfRange(back.array(), 4096, 12288)).containsOnly(2);
    }

    @Test
    void theFenceEndsAfterItsTimeoutWhenThePathStaysDown() throws Exception {
        MultipathDevice d = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, null)
                .withWriteFenceTimeout(Duration.ofSeconds(1)), TestTarget.in(dir).volume("v0", 8 << 20));
        a.silence(true);
        d.write(0, ByteBuffer.allocate(4096), false).get(20, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        d.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);    // held by the fence, then let go
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(400L, 3000L);
        t0 = System.nanoTime();
        d.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);    // no fence any more
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000L);
    }

    static void writes(MultipathDevice d, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            d.write((long) i * 4096, ByteBuffer.allocate(4096), false).get(20, TimeUnit.SECONDS);
        }
    }

    static long ios(MultipathDevice d, PathId id) {
        return d.paths().stream().filter(p -> p.id().equals(id)).mapToLong(PathStatus::ios).sum();
    }
}
