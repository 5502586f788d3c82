package io.braid.host.iscsi;

import io.braid.host.TestTarget;
import io.braid.host.scsi.Capacity;
import io.braid.host.scsi.Cdbs;
import io.braid.host.scsi.StandardInquiry;
import io.braid.iscsi.login.LoginStatus;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Login, discovery and commands of one session against a real Braid node started in-process. */
class IscsiSessionTest {
    static final String INITIATOR = "iqn.2026-11.io.braid.test:initiator";

    @TempDir
    Path dir;
    TestTarget target;
    IscsiInitiator initiator;

    @BeforeEach
    void setUp() {
        initiator = new IscsiInitiator(InitiatorConfig.defaults(INITIATOR));
    }

    @AfterEach
    void tearDown() {
        initiator.close();
        if (target != null) {
            target.close();
        }
    }

    static ScsiOutcome await(CompletableFuture<ScsiOutcome> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    static byte[] readGood(IscsiSession s, ScsiRequest r) throws Exception {
        ScsiOutcome o = await(s.submit(r));
        assertThat(o).isInstanceOf(ScsiOutcome.Good.class);
        ByteBuf data = ((ScsiOutcome.Good) o).data();
        try {
            return ByteBufUtil.getBytes(data);
        } finally {
            o.release();
        }
    }

    IscsiSession login(Authentication auth) throws Exception {
        IscsiSession s = initiator.open(new SessionSpec(target.iqn(), InetAddress.getByName("127.0.6.1"),
                target.portal(), auth));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        clearUnitAttention(s, 0);
        return s;
    }

    /** A new I_T nexus starts with a unit attention (SAM-5 power on / reset): take it. */
    static void clearUnitAttention(IscsiSession s, int lun) throws Exception {
        for (int i = 0; i < 8; i++) {
            ScsiOutcome o = await(s.submit(ScsiRequest.noData(lun, Cdbs.testUnitReady())));
            if (o.isGood()) {
                return;
            }
            assertThat(o).isInstanceOfSatisfying(ScsiOutcome.CheckCondition.class,
                    c -> assertThat(c.sense().key()).isEqualTo(SenseKey.UNIT_ATTENTION));
        }
        throw new AssertionError("unit attentions do not stop");
    }

    @Test
    void logsInWithoutAuthenticationAndReadsInquiry() throws Exception {
        target = TestTarget.in(dir).volume("v0", 8 << 20).start();
        IscsiSession s = login(Authentication.NONE);
        assertThat(s.state()).isEqualTo(SessionState.LOGGED_IN);
        assertThat(s.targetPortalGroupTag()).isEqualTo(1);
        StandardInquiry inq = StandardInquiry.parse(readGood(s, ScsiRequest.read(0, Cdbs.inquiry(-1, 96), 96)));
        assertThat(inq.vendor()).isEqualTo("BRAID");
        assertThat(inq.connected()).isTrue();
        Capacity cap = Capacity.parse(readGood(s, ScsiRequest.read(0, Cdbs.readCapacity16(32), 32)));
        assertThat(cap.bytes()).isEqualTo(8 << 20);
        s.close();
        assertThat(s.state()).isEqualTo(SessionState.CLOSED);
        assertThat(s.stateReason()).isEqualTo("logged out");
    }

    @Test
    void oneWayAndMutualChap() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).chap("host", "initiator-secret-1")
                .mutualChap("array", "target-secret-22").start();
        IscsiSession oneWay = login(Authentication.chap("host", "initiator-secret-1"));
        assertThat(await(oneWay.submit(ScsiRequest.noData(0, Cdbs.testUnitReady()))).isGood()).isTrue();
        IscsiSession mutual = login(Authentication.mutualChap("host", "initiator-secret-1", "array", "target-secret-22"));
        assertThat(await(mutual.submit(ScsiRequest.noData(0, Cdbs.testUnitReady()))).isGood()).isTrue();
    }

    @Test
    void wrongSecretIsRefused() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).chap("host", "initiator-secret-1").start();
        IscsiSession s = initiator.open(new SessionSpec(target.iqn(), null, target.portal(),
                Authentication.chap("host", "not-the-secret")));
        assertThatThrownBy(() -> s.firstLogin().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(LoginFailedException.class)
                .satisfies(e -> assertThat(((LoginFailedException) e).status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE));
        // Without credentials the target's CHAP requirement refuses the login too.
        IscsiSession none = initiator.open(new SessionSpec(target.iqn(), null, target.portal(), Authentication.NONE));
        assertThatThrownBy(() -> none.firstLogin().get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(LoginFailedException.class).hasMessageContaining("authentication failure");
        assertThat(s.state()).isIn(SessionState.RECOVERY, SessionState.CONNECTING, SessionState.LOGGING_IN);
        s.close();
        none.close();
    }

    @Test
    void mutualChapFailsWhenTheTargetProvesTheWrongSecret() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).chap("host", "initiator-secret-1")
                .mutualChap("array", "target-secret-22").start();
        IscsiSession s = initiator.open(new SessionSpec(target.iqn(), null, target.portal(),
                Authentication.mutualChap("host", "initiator-secret-1", "array", "another-secret")));
        assertThatThrownBy(() -> s.firstLogin().get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(LoginFailedException.class).hasMessageContaining("target's CHAP response is wrong");
        s.close();
    }

    @Test
    void sendTargetsThroughBothPortals() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).twoPortals().start();
        for (var portal : target.portals()) {
            List<DiscoveredTarget> found = initiator.sendTargets(InetAddress.getByName("127.0.6.2"), portal,
                    Authentication.NONE).get(10, TimeUnit.SECONDS);
            assertThat(found).hasSize(1);
            assertThat(found.get(0).name()).isEqualTo(target.iqn());
            assertThat(found.get(0).portals()).extracting(p -> p.host() + ":" + p.port())
                    .containsExactlyInAnyOrderElementsOf(target.portals().stream()
                            .map(a -> a.getHostString() + ":" + a.getPort()).toList());
        }
    }

    @Test
    void checkConditionCarriesDecodedSense() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).start();
        IscsiSession s = login(Authentication.NONE);
        ScsiOutcome beyond = await(s.submit(ScsiRequest.read(0, Cdbs.read16(1 << 20, 1), 512)));
        assertThat(beyond).isInstanceOf(ScsiOutcome.CheckCondition.class);
        var sense = ((ScsiOutcome.CheckCondition) beyond).sense();
        assertThat(sense.key()).isEqualTo(SenseKey.ILLEGAL_REQUEST);
        assertThat(sense.code()).isEqualTo(0x2100);
        byte[] unknown = new byte[6];
        unknown[0] = (byte) 0xC9; // a vendor-specific operation code nobody implements
        ScsiOutcome bad = await(s.submit(ScsiRequest.noData(0, unknown)));
        assertThat(((ScsiOutcome.CheckCondition) bad).sense().code()).isEqualTo(0x2000);
    }

    @Test
    void writesAndReadsBack() throws Exception {
        target = TestTarget.in(dir).volume("v0", 8 << 20).start();
        IscsiSession s = login(Authentication.NONE);
        byte[] data = pattern(1 << 20, 7);
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        ScsiOutcome w = await(s.submit(ScsiRequest.write(0, Cdbs.write16(100, data.length / 512, false), buf)));
        buf.release();
        assertThat(w.isGood()).as("%s", w).isTrue();
        assertThat(readGood(s, ScsiRequest.read(0, Cdbs.read16(100, data.length / 512), data.length))).isEqualTo(data);
        assertThat(s.stats().bytesWritten()).isEqualTo(data.length);
    }

    @Test
    void logicalUnitResetAnswersFunctionComplete() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).start();
        IscsiSession s = login(Authentication.NONE);
        assertThat(s.taskManagement(io.braid.scsi.TaskManagementFunction.LOGICAL_UNIT_RESET, 0).get(10, TimeUnit.SECONDS))
                .isEqualTo(io.braid.scsi.TaskManagementResponse.FUNCTION_COMPLETE);
        // The reset leaves a unit attention behind; the unit works after it.
        clearUnitAttention(s, 0);
        assertThat(await(s.submit(ScsiRequest.noData(0, Cdbs.testUnitReady()))).isGood()).isTrue();
    }

    @Test
    void submitWhenClosedFailsWithoutSending() throws Exception {
        target = TestTarget.in(dir).volume("v0", 1 << 20).start();
        IscsiSession s = login(Authentication.NONE);
        s.close();
        ScsiOutcome o = await(s.submit(ScsiRequest.noData(0, Cdbs.testUnitReady())));
        assertThat(o).isInstanceOfSatisfying(ScsiOutcome.TransportFailure.class,
                f -> assertThat(f.kind()).isEqualTo(FailureKind.SESSION_CLOSED));
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }

    static Duration seconds(int n) {
        return Duration.ofSeconds(n);
    }
}
