package io.braid.host.multipath;

import io.braid.host.ReadOnlyDeviceException;
import io.braid.host.iscsi.FailureKind;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.scsi.SenseData;
import io.braid.store.SpaceExhaustedException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in error classification: path-type, retry, target-class, and the exceptions callers get. */
class ScsiErrorAnalyzerTest {
    static final ErrorAnalyzer A = ScsiErrorAnalyzer.INSTANCE;
    static final IoInfo WRITE = new IoInfo("v0", IoOperation.WRITE, 2048, 8, 4096);
    static final IoInfo READ = new IoInfo("v0", IoOperation.READ, 2048, 8, 4096);
    static final FixedPath PATH = FixedPath.of("127.0.0.1", "127.0.0.1:3260", 0, 0, 0);

    /** Fixed-format current sense with this key, ASC and ASCQ. */
    static ScsiOutcome check(int key, int asc, int ascq) {
        byte[] b = new byte[18];
        b[0] = 0x70;
        b[2] = (byte) key;
        b[7] = 10;
        b[12] = (byte) asc;
        b[13] = (byte) ascq;
        return new ScsiOutcome.CheckCondition(SenseData.parse(b), ScsiOutcome.Residual.NONE);
    }

    static ErrorDecision on(IoInfo io, ScsiOutcome o) {
        return A.analyze(io, o, PATH);
    }

    static PathFault failsPath(ErrorDecision d) {
        assertThat(d).isInstanceOf(ErrorDecision.FailPath.class);
        return ((ErrorDecision.FailPath) d).fault();
    }

    static IOException failsIo(ErrorDecision d) {
        assertThat(d).isInstanceOf(ErrorDecision.FailIo.class);
        return ((ErrorDecision.FailIo) d).error();
    }

    @Test
    void transportFailuresFailThePathButRejectFailsTheIo() {
        for (FailureKind k : new FailureKind[] {FailureKind.NOT_LOGGED_IN, FailureKind.CONNECTION_LOST,
                FailureKind.PING_TIMEOUT, FailureKind.SESSION_CLOSED}) {
            assertThat(failsPath(on(WRITE, new ScsiOutcome.TransportFailure(k, "x")))).as(k.name()).isEqualTo(PathFault.NEXUS);
        }
        for (FailureKind k : new FailureKind[] {FailureKind.COMMAND_TIMEOUT, FailureKind.ABORTED,
                FailureKind.TARGET_FAILURE}) {
            assertThat(failsPath(on(WRITE, new ScsiOutcome.TransportFailure(k, "x")))).as(k.name()).isEqualTo(PathFault.PATH);
        }
        assertThat(on(WRITE, new ScsiOutcome.TransportFailure(FailureKind.QUEUE_FULL, "x")))
                .isInstanceOf(ErrorDecision.RetryOtherPath.class);
        assertThat(failsIo(on(WRITE, new ScsiOutcome.TransportFailure(FailureKind.REJECTED, "command not supported"))))
                .hasMessage("WRITE of 8 blocks at LBA 2048 on v0: the target rejected the command (command not supported)");
        // Only a command that may have reached the target without an answer fences later writes.
        assertThat(ScsiErrorAnalyzer.mayStillRun(new ScsiOutcome.TransportFailure(FailureKind.PING_TIMEOUT, ""))).isTrue();
        assertThat(ScsiErrorAnalyzer.mayStillRun(new ScsiOutcome.TransportFailure(FailureKind.CONNECTION_LOST, ""))).isTrue();
        assertThat(ScsiErrorAnalyzer.mayStillRun(new ScsiOutcome.TransportFailure(FailureKind.NOT_LOGGED_IN, ""))).isFalse();
        assertThat(ScsiErrorAnalyzer.mayStillRun(new ScsiOutcome.TransportFailure(FailureKind.ABORTED, ""))).isFalse();
        assertThat(ScsiErrorAnalyzer.mayStillRun(check(0x3, 0x11, 0))).isFalse();
    }

    @Test
    void pathTypeSense() {
        assertThat(failsPath(on(WRITE, check(0x2, 0x04, 0x0A)))).isEqualTo(PathFault.PORT_GROUP); // ALUA transitioning
        assertThat(failsPath(on(WRITE, check(0x2, 0x04, 0x0B)))).isEqualTo(PathFault.PORT_GROUP); // standby
        assertThat(failsPath(on(WRITE, check(0x2, 0x04, 0x0C)))).isEqualTo(PathFault.PORT_GROUP); // unavailable
        assertThat(failsPath(on(WRITE, check(0x2, 0x04, 0x00)))).isEqualTo(PathFault.PATH);
        assertThat(failsPath(on(WRITE, check(0xB, 0x47, 0x00)))).isEqualTo(PathFault.NEXUS);      // parity
        assertThat(failsPath(on(WRITE, check(0xB, 0x4B, 0x00)))).isEqualTo(PathFault.NEXUS);      // data phase
        assertThat(failsPath(on(WRITE, check(0xB, 0x00, 0x00)))).isEqualTo(PathFault.PATH);
        assertThat(failsPath(on(WRITE, check(0x4, 0x44, 0x00)))).isEqualTo(PathFault.PATH);      // hardware
    }

    @Test
    void retriesOnTheSamePath() {
        ErrorDecision ua = on(WRITE, check(0x6, 0x29, 0x00));
        assertThat(ua).isEqualTo(new ErrorDecision.RetrySamePath(Duration.ZERO,
                "UNIT_ATTENTION asc=0x29 ascq=0x00 (power on, reset, or bus device reset occurred)", false));
        assertThat(((ErrorDecision.RetrySamePath) on(WRITE, check(0x6, 0x2A, 0x06))).rescan()).isTrue();
        assertThat(((ErrorDecision.RetrySamePath) on(WRITE, check(0x6, 0x3F, 0x0E))).rescan()).isTrue();
        assertThat(((ErrorDecision.RetrySamePath) on(WRITE, check(0x2, 0x04, 0x01))).delay())
                .isEqualTo(Duration.ofMillis(250));
        assertThat(on(READ, check(0x1, 0x17, 0x00))).isInstanceOf(ErrorDecision.RetrySamePath.class);
        assertThat(on(WRITE, check(0x1, 0x17, 0x00))).isInstanceOf(ErrorDecision.Complete.class);
    }

    @Test
    void busyIsRetriedWithoutFailingThePath() {
        assertThat(on(WRITE, new ScsiOutcome.OtherStatus(0x08, ScsiOutcome.Residual.NONE)))
                .isEqualTo(new ErrorDecision.RetryOtherPath(Duration.ofMillis(10), "BUSY"));
        assertThat(on(WRITE, new ScsiOutcome.OtherStatus(0x28, ScsiOutcome.Residual.NONE)))
                .isInstanceOf(ErrorDecision.RetryOtherPath.class);
        assertThat(on(WRITE, new ScsiOutcome.OtherStatus(0x40, ScsiOutcome.Residual.NONE)))
                .isInstanceOf(ErrorDecision.RetryOtherPath.class);
        assertThat(on(WRITE, new ScsiOutcome.OtherStatus(0x04, ScsiOutcome.Residual.NONE)))
                .isInstanceOf(ErrorDecision.Complete.class);
    }

    @Test
    void targetClassErrorsGoToTheCaller() {
        IOException medium = failsIo(on(READ, check(0x3, 0x11, 0x00)));
        assertThat(medium).isInstanceOf(ScsiErrorException.class).hasMessage("READ of 8 blocks at LBA 2048 on v0:"
                + " MEDIUM_ERROR asc=0x11 ascq=0x00 (unrecovered read error) (through 127.0.0.1->127.0.0.1:3260"
                + " iqn.2026-11.io.braid:t lun 0)");
        assertThat(((ScsiErrorException) medium).sense().code()).isEqualTo(0x1100);
        assertThat(((ScsiErrorException) medium).status()).isEqualTo(0x02);
        assertThat(failsIo(on(WRITE, check(0x5, 0x24, 0x00)))).isInstanceOf(ScsiErrorException.class)
                .hasMessageContaining("invalid field in cdb");
        assertThat(failsIo(on(WRITE, check(0xE, 0x1D, 0x00)))).hasMessageContaining("MISCOMPARE");
        assertThat(failsIo(on(WRITE, check(0x7, 0x27, 0x00)))).isInstanceOf(ReadOnlyDeviceException.class)
                .hasMessageContaining("write protected");
        assertThat(failsIo(on(WRITE, check(0x7, 0x27, 0x07)))).isInstanceOf(SpaceExhaustedException.class)
                .hasMessageContaining("space allocation failed");
        assertThat(failsIo(on(WRITE, check(0xB, 0x10, 0x01)))).hasMessageContaining("protection information");
        // A conflict is a reservation action; its error is what the caller gets when nothing is restored.
        ErrorDecision action = on(WRITE, new ScsiOutcome.OtherStatus(0x18, ScsiOutcome.Residual.NONE));
        assertThat(action).isInstanceOf(ErrorDecision.ReservationAction.class);
        IOException conflict = ((ErrorDecision.ReservationAction) action).conflict();
        assertThat(conflict).isInstanceOf(ScsiErrorException.class).hasMessageStartingWith(
                "WRITE of 8 blocks at LBA 2048 on v0: RESERVATION CONFLICT");
        assertThat(((ScsiErrorException) conflict).status()).isEqualTo(0x18);
        assertThat(failsIo(on(WRITE, new ScsiOutcome.OtherStatus(0x30, ScsiOutcome.Residual.NONE))))
                .hasMessageContaining("ACA_ACTIVE");
        assertThat(failsIo(on(WRITE, new ScsiOutcome.CheckCondition(null, ScsiOutcome.Residual.NONE))))
                .hasMessageContaining("CHECK CONDITION without sense data");
        byte[] deferred = new byte[18];
        deferred[0] = 0x71;
        deferred[2] = 0x3;
        deferred[12] = 0x0C;
        assertThat(failsIo(on(WRITE, new ScsiOutcome.CheckCondition(SenseData.parse(deferred),
                ScsiOutcome.Residual.NONE)))).hasMessageContaining("deferred error");
    }
}
