package io.braid.host.iscsi;

import io.braid.host.FaultProxy;
import io.braid.host.TestTarget;
import io.braid.host.scsi.Cdbs;
import io.braid.iscsi.login.InitiatorNegotiator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.braid.host.iscsi.IscsiSessionTest.await;
import static io.braid.host.iscsi.IscsiSessionTest.clearUnitAttention;
import static io.braid.host.iscsi.IscsiSessionTest.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Path faults between the initiator and a real Braid node, injected by a relay: a reset
 * connection, a silent path found by the ping, a portal that goes down and comes back, a lost
 * SCSI Response (command timeout, ABORT TASK), a silent path without pings (task management
 * timeout), and the target asking to log out.
 */
class PathFaultTest {
    @TempDir
    Path dir;
    TestTarget target;
    FaultProxy proxy;
    IscsiInitiator initiator;
    final List<String> transitions = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        target = TestTarget.in(dir).volume("v0", 8 << 20).start();
        proxy = new FaultProxy("127.0.6.3", target.portal());
    }

    @AfterEach
    void tearDown() {
        if (initiator != null) {
            initiator.close();
        }
        proxy.close();
        target.close();
    }

    static InitiatorConfig fast() {
        return new InitiatorConfig(IscsiSessionTest.INITIATOR, null, InitiatorNegotiator.Preferences.defaults(),
                Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(1),
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 2.0), 1024, 1);
    }

    IscsiSession open(InitiatorConfig config) throws Exception {
        initiator = new IscsiInitiator(config);
        IscsiSession s = initiator.open(new SessionSpec(target.iqn(), null, proxy.address(), Authentication.NONE));
        s.addListener(new SessionListener() {
            @Override
            public void stateChanged(IscsiSession session, SessionState from, SessionState to, String reason) {
                transitions.add(to + ": " + reason);
            }
        });
        s.firstLogin().get(10, TimeUnit.SECONDS);
        clearUnitAttention(s, 0);
        return s;
    }

    /** Reads that keep the path busy until stopped; returns the futures. */
    static List<CompletableFuture<ScsiOutcome>> load(IscsiSession s, int n) {
        List<CompletableFuture<ScsiOutcome>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.submit(ScsiRequest.read(0, Cdbs.read16(i * 128L, 128), 65536)));
        }
        return out;
    }

    static void verifyIo(IscsiSession s, int seed) throws Exception {
        byte[] data = pattern(256 * 1024, seed);
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        ScsiOutcome w = await(s.submit(ScsiRequest.write(0, Cdbs.write16(2048, data.length / 512, false), buf)));
        buf.release();
        if (w instanceof ScsiOutcome.CheckCondition) {
            clearUnitAttention(s, 0); // a reinstated session starts with a unit attention again
            buf = Unpooled.wrappedBuffer(data);
            w = await(s.submit(ScsiRequest.write(0, Cdbs.write16(2048, data.length / 512, false), buf)));
            buf.release();
        }
        assertThat(w.isGood()).as("%s", w).isTrue();
        ScsiOutcome r = await(s.submit(ScsiRequest.read(0, Cdbs.read16(2048, data.length / 512), data.length)));
        try {
            assertThat(ByteBufUtil.getBytes(((ScsiOutcome.Good) r).data())).isEqualTo(data);
        } finally {
            r.release();
        }
    }

    @Test
    void resetConnectionFailsOutstandingCommandsAndReconnects() throws Exception {
        IscsiSession s = open(fast());
        List<CompletableFuture<ScsiOutcome>> inFlight = load(s, 64);
        proxy.reset();
        for (CompletableFuture<ScsiOutcome> f : inFlight) {
            ScsiOutcome o = f.get(10, TimeUnit.SECONDS);
            if (o instanceof ScsiOutcome.TransportFailure t) {
                // Submissions still on their way to the session's thread find it recovering.
                assertThat(t.kind()).isIn(FailureKind.CONNECTION_LOST, FailureKind.NOT_LOGGED_IN);
            }
            o.release();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> transitions.stream().anyMatch(t -> t.startsWith("RECOVERY")));
        await().atMost(Duration.ofSeconds(10)).until(s::isLoggedIn);
        verifyIo(s, 11);
        assertThat(s.stats().logins()).isEqualTo(2);
    }

    @Test
    void silentPathIsFoundByThePing() throws Exception {
        IscsiSession s = open(fast());
        proxy.silence(true);
        long cut = System.nanoTime();
        CompletableFuture<ScsiOutcome> stuck = s.submit(ScsiRequest.read(0, Cdbs.read16(0, 8), 4096));
        ScsiOutcome o = stuck.get(10, TimeUnit.SECONDS);
        long detectedMillis = (System.nanoTime() - cut) / 1_000_000;
        assertThat(o).isInstanceOfSatisfying(ScsiOutcome.TransportFailure.class,
                t -> assertThat(t.kind()).isEqualTo(FailureKind.PING_TIMEOUT));
        // Interval 200 ms + timeout 300 ms, with slack for a loaded machine.
        assertThat(detectedMillis).isLessThan(2500);
        assertThat(transitions).anyMatch(t -> t.startsWith("RECOVERY: ping timeout"));
        proxy.silence(false);
        await().atMost(Duration.ofSeconds(10)).until(s::isLoggedIn);
        verifyIo(s, 12);
    }

    @Test
    void busySilentPathIsPingedBeforeTheIdleInterval() throws Exception {
        // A long idle interval (2 s) and a short timeout (400 ms): the busy delay is 100 ms.
        InitiatorConfig config = fast().withPing(Duration.ofSeconds(2), Duration.ofMillis(400));
        assertThat(config.busyPingDelay()).isEqualTo(Duration.ofMillis(100));
        IscsiSession s = open(config);
        proxy.silence(true);
        long cut = System.nanoTime();
        CompletableFuture<ScsiOutcome> stuck = s.submit(ScsiRequest.read(0, Cdbs.read16(0, 8), 4096));
        ScsiOutcome o = stuck.get(10, TimeUnit.SECONDS);
        long detectedMillis = (System.nanoTime() - cut) / 1_000_000;
        assertThat(o).isInstanceOfSatisfying(ScsiOutcome.TransportFailure.class,
                t -> assertThat(t.kind()).isEqualTo(FailureKind.PING_TIMEOUT));
        // Busy delay 100 ms + timeout 400 ms; waiting for the idle interval would take >= 2.4 s.
        assertThat(detectedMillis).isLessThan(2000);
        proxy.silence(false);
        await().atMost(Duration.ofSeconds(10)).until(s::isLoggedIn);
        verifyIo(s, 13);
    }

    @Test
    void busyHealthyPathIsNotDropped() throws Exception {
        // Pings every 50 ms of quiet while busy must not hurt a path that answers them.
        IscsiSession s = open(fast().withPing(Duration.ofMillis(200), Duration.ofMillis(200)));
        for (int round = 0; round < 5; round++) {
            for (CompletableFuture<ScsiOutcome> f : load(s, 32)) {
                ScsiOutcome o = f.get(10, TimeUnit.SECONDS);
                assertThat(o.isGood()).as("%s", o).isTrue();
                o.release();
            }
            Thread.sleep(120);
        }
        assertThat(s.stats().logins()).isEqualTo(1);
        assertThat(transitions).noneMatch(t -> t.startsWith("RECOVERY"));
    }

    @Test
    void portalDownAndUp() throws Exception {
        IscsiSession s = open(fast());
        int before = proxy.accepted();
        proxy.down();
        await().atMost(Duration.ofSeconds(5)).until(() -> !s.isLoggedIn());
        ScsiOutcome refused = await(s.submit(ScsiRequest.noData(0, Cdbs.testUnitReady())));
        assertThat(refused).isInstanceOfSatisfying(ScsiOutcome.TransportFailure.class,
                t -> assertThat(t.kind()).isEqualTo(FailureKind.NOT_LOGGED_IN));
        // Backoff: attempts keep coming while the portal refuses them.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.accepted() >= before + 3);
        proxy.up();
        await().atMost(Duration.ofSeconds(5)).until(s::isLoggedIn);
        verifyIo(s, 13);
    }

    @Test
    void lostResponseTimesOutAndIsAborted() throws Exception {
        // A ping timeout longer than the command timeout: the busy path's ping (sent 50 ms into
        // the wait) must not race the abort on a loaded machine; this test is about the abort.
        IscsiSession s = open(fast().withPing(Duration.ofMillis(200), Duration.ofSeconds(3)));
        // The target completes the command, but its SCSI Response never arrives.
        proxy.dropNextFromTarget(bhs -> (bhs[0] & 0x3f) == 0x21);
        ScsiOutcome o = await(s.submit(ScsiRequest.noData(0, Cdbs.testUnitReady()).withTimeout(Duration.ofMillis(500))));
        assertThat(o).isInstanceOfSatisfying(ScsiOutcome.TransportFailure.class, t -> {
            assertThat(t.kind()).isEqualTo(FailureKind.COMMAND_TIMEOUT);
            assertThat(t.message()).contains("aborted");
        });
        assertThat(s.isLoggedIn()).isTrue();
        verifyIo(s, 14);
    }

    @Test
    void unansweredAbortDropsTheConnection() throws Exception {
        InitiatorConfig noPing = fast().withPing(Duration.ZERO, Duration.ofSeconds(1));
        IscsiSession s = open(noPing);
        proxy.silence(true);
        ScsiOutcome o = await(s.submit(ScsiRequest.noData(0, Cdbs.testUnitReady()).withTimeout(Duration.ofMillis(300))));
        assertThat(o).isInstanceOfSatisfying(ScsiOutcome.TransportFailure.class,
                t -> assertThat(t.kind()).isEqualTo(FailureKind.COMMAND_TIMEOUT));
        assertThat(transitions).anyMatch(t -> t.contains("ABORT TASK") && t.startsWith("RECOVERY"));
        proxy.silence(false);
        await().atMost(Duration.ofSeconds(10)).until(s::isLoggedIn);
        verifyIo(s, 15);
    }

    @Test
    void answersTheTargetsPing() throws Exception {
        // Our own pings off, so only the target's NOP-In (after 5 s idle) tests the path.
        IscsiSession s = open(fast().withPing(Duration.ZERO, Duration.ofSeconds(1)));
        await().atMost(Duration.ofSeconds(15)).until(() -> proxy.relayed(true, 0x20) >= 1 && proxy.relayed(false, 0x00) >= 1);
        assertThat(s.isLoggedIn()).isTrue();
        assertThat(s.stats().logins()).isEqualTo(1);
        verifyIo(s, 16);
    }

    @Test
    void targetShutdownAsksForLogout() throws Exception {
        IscsiSession s = open(fast());
        target.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> transitions.stream()
                .anyMatch(t -> t.equals("LOGGING_OUT: target requested logout")));
        await().atMost(Duration.ofSeconds(10)).until(() -> s.state() == SessionState.RECOVERY
                || s.state() == SessionState.CONNECTING);
        assertThat(transitions).anyMatch(t -> t.startsWith("RECOVERY: logged out at the target's request"));
        target = TestTarget.in(dir).volume("v0", 8 << 20).start(); // for tearDown
    }
}
