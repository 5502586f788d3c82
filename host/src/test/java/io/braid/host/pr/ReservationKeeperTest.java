package io.braid.host.pr;

import io.braid.host.Closer;
import io.braid.host.Endpoint;
import io.braid.host.FaultProxy;
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
import io.braid.host.multipath.Failback;
import io.braid.host.multipath.Multipath;
import io.braid.host.multipath.MultipathConfig;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathPathState;
import io.braid.host.multipath.PathSelectors;
import io.braid.host.multipath.ScsiErrorException;
import io.braid.host.scsi.Cdbs;
import io.braid.host.scsi.ScsiStatus;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The keeper against a real Braid node's persistent reservations (the scsi module's SPC-5
 * implementation) over four paths: two host ports × two relays, one relay taken down and up
 * for the path events. A second initiator with its own name plays the other host.
 */
class ReservationKeeperTest {
    static final String INITIATOR = "iqn.2026-11.io.braid.test:pr-keeper";
    static final long K = 0x1122334455667788L;
    static final long OTHER = 0xBBL;

    @TempDir
    java.nio.file.Path dir;
    TestTarget target;
    FaultProxy a;
    FaultProxy b;
    HostAgent agent;
    Multipath multipath;
    HostReservations reservations;
    IscsiInitiator otherHost;
    @RegisterExtension
    final Closer closer = new Closer();

    ReservationKeeper start(MultipathConfig mp) throws Exception {
        target = closer.add(TestTarget.in(dir).volume("v0", 8 << 20).portals("127.0.12.1", "127.0.12.2").start());
        a = closer.add(new FaultProxy("127.0.12.3", target.portals().get(0)));
        b = closer.add(new FaultProxy("127.0.12.4", target.portals().get(1)));
        HostConfig config = HostConfig.of(INITIATOR,
                        List.of(InetAddress.getByName("127.0.12.21"), InetAddress.getByName("127.0.12.22")),
                        List.of(endpoint(a.address()), endpoint(b.address())))
                .withFollowDiscoveredPortals(false)
                .withPing(Duration.ofMillis(250), Duration.ofMillis(750))
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withLoginTimeout(Duration.ofSeconds(3))
                .withRescanInterval(Duration.ZERO);
        agent = closer.add(HostAgent.start(config));
        multipath = closer.add(Multipath.start(agent, mp));
        reservations = closer.add(HostReservations.start(multipath, null));
        MultipathDevice d = multipath.devices().get(0);
        assertThat(d.paths()).hasSize(4);
        return reservations.keeper(d.name()).orElseThrow();
    }

    static MultipathConfig fast() {
        return MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200))
                .withNoPathTimeout(Duration.ofSeconds(15));
    }

    static Endpoint endpoint(InetSocketAddress s) {
        return new Endpoint(s.getHostString(), s.getPort());
    }

    static long active(MultipathDevice d) {
        return d.paths().stream().filter(p -> p.state() == MultipathPathState.ACTIVE).count();
    }

    static long registered(PrStatus s, String key) {
        return s.paths().stream().filter(p -> key.equals(p.key())).count();
    }

    IscsiSession otherHost() throws Exception {
        otherHost = closer.add(new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.test:pr-other")));
        IscsiSession s = otherHost.open(new SessionSpec(target.iqn(), null, target.portals().get(1), null));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        return s;
    }

    /** WRITE (16) of one zero block at LBA 0 from the other host, unit attentions taken. */
    static ScsiOutcome otherWrite(IscsiSession s, int lun) throws Exception {
        for (int i = 0; ; i++) {
            ScsiOutcome o = s.submit(ScsiRequest.write(lun, Cdbs.write16(0, 1, false),
                    Unpooled.wrappedBuffer(new byte[512]))).get(10, TimeUnit.SECONDS);
            if (!(o instanceof ScsiOutcome.CheckCondition c) || i > 5) {
                return o;
            }
        }
    }

    static boolean conflict(ScsiOutcome o) {
        return o instanceof ScsiOutcome.OtherStatus st && st.scsiStatus() == ScsiStatus.RESERVATION_CONFLICT;
    }

    @Test
    void registersOnEveryPathReservesThroughOneAndShutsTheOtherHostOut() throws Exception {
        ReservationKeeper k = start(fast());
        MultipathDevice d = k.device();
        int lun = d.paths().get(0).id().lun();
        assertThatThrownBy(() -> k.reserve(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY))
                .isInstanceOf(PrException.class).hasMessageContaining("no key registered")
                .extracting(e -> ((PrException) e).kind()).isEqualTo(PrException.Kind.INVALID_REQUEST);

        PrResult r = k.register(K);
        assertThat(r.steps()).hasSize(4).allSatisfy(s -> assertThat(s.error()).isNull());
        PrStatus s = k.status();
        assertThat(s.key()).isEqualTo("0x1122334455667788");
        assertThat(registered(s, s.key())).isEqualTo(4);
        assertThat(s.paths()).extracting(PrStatus.PathRegistration::isid).doesNotHaveDuplicates();
        assertThat(s.reservation()).isNull();

        k.reserve(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
        s = k.status();
        assertThat(s.reservation().type()).isEqualTo("wr-ex-ro");
        assertThat(s.reservation().key()).isEqualTo(s.key());
        String first = d.paths().get(0).id().hostPort() + "->" + d.paths().get(0).id().storagePort();
        assertThat(s.reservation().holderPath()).isEqualTo(first);
        assertThat(s.paths().stream().filter(PrStatus.PathRegistration::holder).count()).isEqualTo(1);
        assertThat(s.others()).isEmpty();

        // Registrants only: every path of this host writes; the other host conflicts.
        for (int i = 0; i < 16; i++) {
            d.write(i * 4096L, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);
        }
        IscsiSession other = otherHost();
        assertThat(conflict(otherWrite(other, lun))).isTrue();

        // Its RESERVE conflicts too; the keeper's RESERVE of another type by the holder conflicts.
        assertThatThrownBy(() -> k.reserve(PrType.EXCLUSIVE_ACCESS))
                .isInstanceOf(PrException.class)
                .extracting(e -> ((PrException) e).kind()).isEqualTo(PrException.Kind.RESERVATION_CONFLICT);

        k.release();
        assertThat(k.status().reservation()).isNull();
        assertThat(otherWrite(other, lun).isGood()).isTrue();

        k.reserve(PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS);
        s = k.status();
        assertThat(s.reservation().type()).isEqualTo("ex-ac-ar");
        assertThat(s.paths()).allSatisfy(p -> assertThat(p.holder()).isTrue());
        assertThat(conflict(otherWrite(other, lun))).isTrue();
        k.clear();
        s = k.status();
        assertThat(s.key()).isNull();
        assertThat(registered(s, "0x1122334455667788")).isZero();
        assertThat(otherWrite(other, lun).isGood()).isTrue();
    }

    @Test
    void aPathThatComesLaterGetsTheKeyUnlessAnotherHostPreemptedIt() throws Exception {
        ReservationKeeper k = start(fast());
        MultipathDevice d = k.device();
        a.down();
        a.reset();
        await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 2);
        PrResult r = k.register(K);
        assertThat(r.steps()).hasSize(2);
        assertThat(registered(k.status(), "0x1122334455667788")).isEqualTo(2);

        a.up();
        await().atMost(Duration.ofSeconds(15)).until(() -> active(d) == 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> registered(k.status(), "0x1122334455667788") == 4);

        // The other host preempts this host's key while two paths are down: they stay unregistered.
        a.down();
        a.reset();
        await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 2);
        IscsiSession other = otherHost();
        PrCommands oc = new PrCommands(new io.braid.host.discovery.PathId("*", "*", target.iqn(),
                d.paths().get(0).id().lun()), other, Duration.ofSeconds(10));
        oc.out(PrOutAction.REGISTER, null, 0, OTHER);
        oc.out(PrOutAction.PREEMPT, PrType.WRITE_EXCLUSIVE, OTHER, K);
        assertThat(oc.readKeys().keys()).containsExactly(OTHER);
        a.up();
        await().atMost(Duration.ofSeconds(15)).until(() -> active(d) == 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> k.status().preempted());
        PrStatus s = k.status();
        assertThat(registered(s, "0x1122334455667788")).isZero();
        assertThat(s.lastError()).contains("no longer registered");
        assertThat(s.others()).singleElement().satisfies(o -> {
            assertThat(o.key()).isEqualTo("0x00000000000000bb");
            assertThat(o.initiatorPort()).startsWith("iqn.2026-11.io.braid.test:pr-other,i,0x");
        });
    }

    @Test
    void theWriteExclusiveReservationFollowsFailoverAndFailback() throws Exception {
        ReservationKeeper k = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, Failback.IMMEDIATE));
        MultipathDevice d = k.device();
        int lun = d.paths().get(0).id().lun();
        k.register(K);
        k.reserve(PrType.WRITE_EXCLUSIVE);
        String first = k.holder().hostPort() + "->" + k.holder().storagePort();
        assertThat(k.status().reservation().holderPath()).isEqualTo(first);
        d.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);
        IscsiSession other = otherHost();
        assertThat(conflict(otherWrite(other, lun))).isTrue();

        // The holder's relay goes down: the reservation moves to the path I/O fails over to.
        a.down();
        a.reset();
        await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            PrStatus s = k.status();
            return s.reservation() != null && s.reservation().holderPath() != null
                    && !s.reservation().holderPath().equals(first);
        });
        PrStatus s = k.status();
        assertThat(s.reservation().type()).isEqualTo("wr-ex");
        assertThat(s.reservation().key()).isEqualTo("0x1122334455667788");
        // The surviving paths were registered again after the PREEMPT of the own key.
        assertThat(s.paths().stream().filter(p -> p.state().equals("active"))).allSatisfy(p ->
                assertThat(p.key()).isEqualTo("0x1122334455667788"));
        for (int i = 0; i < 8; i++) {
            d.write(i * 4096L, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);
        }
        assertThat(conflict(otherWrite(other, lun))).isTrue();

        // Back again: failback moves the I/O to the first path, and the reservation follows.
        a.up();
        await().atMost(Duration.ofSeconds(15)).until(() -> active(d) == 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> first.equals(k.status().reservation().holderPath()));
        assertThat(registered(k.status(), "0x1122334455667788")).isEqualTo(4);
        for (int i = 0; i < 8; i++) {
            d.write(i * 4096L, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);
        }
        k.release();
        assertThat(otherWrite(other, lun).isGood()).isTrue();
    }

    /**
     * Writers on their own blocks, each write waited for, until stopped or {@link #MAX_WRITES}
     * or {@link #MAX_WRITE_TIME}: every error the caller sees is kept.
     */
    static final class Writers implements AutoCloseable {
        static final long MAX_WRITES = 200_000;
        static final Duration MAX_WRITE_TIME = Duration.ofSeconds(60);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong writes = new AtomicLong();
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();

        Writers(MultipathDevice d, int n) {
            long deadline = System.nanoTime() + MAX_WRITE_TIME.toNanos();
            for (int w = 0; w < n; w++) {
                long base = w * 64 * 4096L;
                threads.add(Thread.ofPlatform().daemon().name("pr-writer-" + w).start(() -> {
                    for (int i = 0; !stop.get() && writes.get() < MAX_WRITES && System.nanoTime() < deadline; i++) {
                        try {
                            d.write(base + (i % 64) * 4096L, ByteBuffer.allocate(4096), false)
                                    .get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            errors.add(String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
                        }
                        writes.incrementAndGet();
                    }
                }));
            }
        }

        void awaitMore(long n) {
            long target = writes.get() + n;
            await().atMost(Duration.ofSeconds(20)).until(() -> writes.get() >= target);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(40));
            }
        }
    }

    @Test
    void writesRunningThroughFailoverAndFailbackOfTheHolderSeeNoConflict() throws Exception {
        ReservationKeeper k = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, Failback.IMMEDIATE));
        MultipathDevice d = k.device();
        k.register(K);
        k.reserve(PrType.WRITE_EXCLUSIVE);
        String first = k.holder().hostPort() + "->" + k.holder().storagePort();
        Writers w = new Writers(d, 4);
        try (w) {
            w.awaitMore(200);
            // The holder's relay goes down under the writes: the commands fail over to a path the
            // unit gives RESERVATION CONFLICT until the reservation has moved there.
            a.down();
            a.reset();
            await().atMost(Duration.ofSeconds(10)).until(() -> active(d) == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> k.holder() != null && !first.equals(
                    k.holder().hostPort() + "->" + k.holder().storagePort()));
            w.awaitMore(200);
            // And back: failback sends the writes to the first path again before its event moves the reservation.
            a.up();
            await().atMost(Duration.ofSeconds(15)).until(() -> active(d) == 4);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.equals(k.status().reservation().holderPath()));
            w.awaitMore(200);
        }
        assertThat(w.errors).isEmpty();
        assertThat(w.writes.get()).isGreaterThan(600);
        assertThat(k.status().reservation().type()).isEqualTo("wr-ex");
    }

    @Test
    void aConflictWithAnotherHostsReservationFailsPromptlyWithoutRetries() throws Exception {
        ReservationKeeper k = start(fast().withDefaultPolicy(PathSelectors.FAILOVER_ONLY, Failback.IMMEDIATE));
        MultipathDevice d = k.device();
        int lun = d.paths().get(0).id().lun();
        k.register(K);
        d.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS);
        IscsiSession other = otherHost();
        PrCommands oc = new PrCommands(new io.braid.host.discovery.PathId("*", "*", target.iqn(), lun), other,
                Duration.ofSeconds(10));
        oc.out(PrOutAction.REGISTER, null, 0, OTHER);
        oc.out(PrOutAction.RESERVE, PrType.WRITE_EXCLUSIVE, OTHER, 0);

        // This host is still registered, but the reservation is the other host's: nothing to restore.
        long retries = d.stats().retries();
        for (int i = 0; i < 5; i++) {
            assertConflictWithin(d, Duration.ofSeconds(3));
        }
        assertThat(d.stats().retries()).isEqualTo(retries);
        assertThat(k.keeps()).isTrue();
        d.read(0, ByteBuffer.allocate(4096)).get(10, TimeUnit.SECONDS);

        // The other host preempts this host's key: the first conflict finds that out, the rest fail at once.
        oc.out(PrOutAction.PREEMPT, PrType.WRITE_EXCLUSIVE, OTHER, K);
        assertConflictWithin(d, Duration.ofSeconds(3));
        assertThat(k.keeps()).isFalse();
        // The first command after the PREEMPT met REGISTRATIONS PREEMPTED (a unit attention, retried);
        // conflicts themselves are never retried.
        retries = d.stats().retries();
        for (int i = 0; i < 5; i++) {
            assertConflictWithin(d, Duration.ofSeconds(3));
        }
        assertThat(k.keeps()).isFalse();
        assertThat(k.status().preempted()).isTrue();
        assertThat(d.stats().retries()).isEqualTo(retries);
    }

    static void assertConflictWithin(MultipathDevice d, Duration limit) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> d.write(0, ByteBuffer.allocate(4096), false).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ScsiErrorException.class)
                .hasMessageContaining("RESERVATION CONFLICT")
                .extracting(e -> ((ScsiErrorException) e).status()).isEqualTo(0x18);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(limit);
    }
}
