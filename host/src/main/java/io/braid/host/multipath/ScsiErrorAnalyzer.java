package io.braid.host.multipath;

import io.braid.host.ReadOnlyDeviceException;
import io.braid.host.iscsi.FailureKind;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.scsi.ScsiStatus;
import io.braid.host.scsi.SenseData;
import io.braid.scsi.SenseKey;
import io.braid.store.SpaceExhaustedException;

import java.io.IOException;
import java.time.Duration;

/**
 * The built-in error analysis (SAM-5 status, SPC-5 sense keys, RFC 7143 transport failures),
 * in the spirit of Linux's SCSI midlayer and dm-multipath's path/target split:
 *
 * <ul>
 * <li><b>Path-type</b>, the path fails and the command goes elsewhere: every transport failure
 *     but REJECTED and QUEUE_FULL (a lost session fails the whole nexus); NOT READY other than
 *     "becoming ready"; ALUA STANDBY, UNAVAILABLE and TRANSITIONING (the port group); ABORTED
 *     COMMAND other than a protection information error; HARDWARE ERROR.</li>
 * <li><b>Retry on the same path</b>: UNIT ATTENTION (asking discovery to probe again when ALUA
 *     states, LUNs or capacity changed); NOT READY "becoming ready" after 250 ms; NO SENSE and
 *     RECOVERED ERROR on a read, whose data a CHECK CONDITION does not bring.</li>
 * <li><b>Retry, preferably elsewhere, without failing the path</b>: BUSY, TASK SET FULL, TASK
 *     ABORTED (another initiator's task management), a full session queue.</li>
 * <li><b>Target-class</b>, back to the caller: MEDIUM ERROR, ILLEGAL REQUEST, DATA PROTECT
 *     (write protect as {@link ReadOnlyDeviceException}, space allocation failed as
 *     {@link SpaceExhaustedException}), MISCOMPARE, ACA ACTIVE, deferred
 *     errors, CHECK CONDITION without sense, a command the target rejected, and the other sense
 *     keys.</li>
 * <li><b>Reservation action</b> ({@link ErrorDecision.ReservationAction}): RESERVATION CONFLICT.
 *     When the host's reservation keeper holds a registration or reservation of this host on the
 *     device, it restores what the path lost and the command goes once more; otherwise the
 *     conflict is a target-class error, back to the caller.</li>
 * </ul>
 */
public final class ScsiErrorAnalyzer implements ErrorAnalyzer {
    public static final ScsiErrorAnalyzer INSTANCE = new ScsiErrorAnalyzer();

    /** First pause after BUSY or TASK SET FULL; the driver multiplies it by the retries so far. */
    static final Duration BUSY_DELAY = Duration.ofMillis(10);
    /** Pause before asking a unit that is becoming ready again. */
    static final Duration BECOMING_READY_DELAY = Duration.ofMillis(250);

    private ScsiErrorAnalyzer() {
    }

    @Override
    public ErrorDecision analyze(IoInfo io, ScsiOutcome outcome, PathView path) {
        return switch (outcome) {
            case ScsiOutcome.Good g -> new ErrorDecision.Complete();
            case ScsiOutcome.TransportFailure t -> transport(io, t, path);
            case ScsiOutcome.OtherStatus o -> status(io, o, path);
            case ScsiOutcome.CheckCondition c -> sense(io, c.sense(), path);
        };
    }

    private static ErrorDecision transport(IoInfo io, ScsiOutcome.TransportFailure t, PathView path) {
        String why = t.kind() + ": " + t.message();
        return switch (t.kind()) {
            case REJECTED -> new ErrorDecision.FailIo(new IOException(io + ": the target rejected the command ("
                    + t.message() + ")"));
            case QUEUE_FULL -> new ErrorDecision.RetryOtherPath(Duration.ofMillis(1), why);
            case NOT_LOGGED_IN, CONNECTION_LOST, PING_TIMEOUT, SESSION_CLOSED ->
                    new ErrorDecision.FailPath(PathFault.NEXUS, why);
            case COMMAND_TIMEOUT, ABORTED, TARGET_FAILURE -> new ErrorDecision.FailPath(PathFault.PATH, why);
        };
    }

    private static ErrorDecision status(IoInfo io, ScsiOutcome.OtherStatus o, PathView path) {
        ScsiStatus s = o.scsiStatus();
        if (s == null) {
            return fail(io, path, String.format("status 0x%02x", o.status()), o.status(), null);
        }
        return switch (s) {
            case BUSY, TASK_SET_FULL -> new ErrorDecision.RetryOtherPath(BUSY_DELAY, s.toString());
            case TASK_ABORTED -> new ErrorDecision.RetryOtherPath(Duration.ZERO, "TASK ABORTED by another initiator");
            case CONDITION_MET, GOOD -> new ErrorDecision.Complete();
            // The driver turns this into the conflict itself when the agent keeps nothing of this host's.
            case RESERVATION_CONFLICT -> new ErrorDecision.ReservationAction("RESERVATION CONFLICT",
                    new ScsiErrorException(message(io, path, "RESERVATION CONFLICT"), o.status(), null));
            case ACA_ACTIVE, CHECK_CONDITION -> fail(io, path, s.toString(), o.status(), null);
        };
    }

    private static ErrorDecision sense(IoInfo io, SenseData sense, PathView path) {
        int cc = ScsiStatus.CHECK_CONDITION.wire();
        if (sense == null) {
            return fail(io, path, "CHECK CONDITION without sense data", cc, null);
        }
        if (!sense.current()) {
            return fail(io, path, "deferred error of an earlier command: " + sense, cc, sense);
        }
        int asc = sense.asc();
        int ascq = sense.ascq();
        return switch (sense.key()) {
            case NO_SENSE, RECOVERED_ERROR -> io.operation() == IoOperation.READ
                    ? new ErrorDecision.RetrySamePath(Duration.ZERO, sense.toString(), false)
                    : new ErrorDecision.Complete();
            case NOT_READY -> {
                if (asc == 0x04 && ascq == 0x01) {
                    yield new ErrorDecision.RetrySamePath(BECOMING_READY_DELAY, sense.toString(), false);
                }
                if (asc == 0x04 && (ascq == 0x0A || ascq == 0x0B || ascq == 0x0C)) {
                    yield new ErrorDecision.FailPath(PathFault.PORT_GROUP, sense.toString());
                }
                yield new ErrorDecision.FailPath(PathFault.PATH, sense.toString());
            }
            case UNIT_ATTENTION -> new ErrorDecision.RetrySamePath(Duration.ZERO, sense.toString(),
                    asc == 0x2A && (ascq == 0x06 || ascq == 0x07 || ascq == 0x09)
                            || asc == 0x3F && (ascq == 0x03 || ascq == 0x0E));
            case ABORTED_COMMAND -> {
                if (asc == 0x10) {
                    yield fail(io, path, "protection information error: " + sense, cc, sense);
                }
                // Parity, data phase, CRC and communication errors belong to the connection.
                boolean link = asc == 0x47 || asc == 0x4B || asc == 0x08;
                yield new ErrorDecision.FailPath(link ? PathFault.NEXUS : PathFault.PATH, sense.toString());
            }
            case HARDWARE_ERROR -> new ErrorDecision.FailPath(PathFault.PATH, sense.toString());
            case DATA_PROTECT -> {
                String m = message(io, path, sense.toString());
                if (asc == 0x27 && ascq == 0x07) {
                    yield new ErrorDecision.FailIo(new SpaceExhaustedException(m));
                }
                if (asc == 0x27) {
                    yield new ErrorDecision.FailIo(new ReadOnlyDeviceException(m));
                }
                yield new ErrorDecision.FailIo(new ScsiErrorException(m, cc, sense));
            }
            case MEDIUM_ERROR, ILLEGAL_REQUEST, MISCOMPARE, BLANK_CHECK, VENDOR_SPECIFIC, COPY_ABORTED, RESERVED_C,
                 VOLUME_OVERFLOW, COMPLETED -> fail(io, path, sense.toString(), cc, sense);
        };
    }

    private static ErrorDecision fail(IoInfo io, PathView path, String what, int status, SenseData sense) {
        return new ErrorDecision.FailIo(new ScsiErrorException(message(io, path, what), status, sense));
    }

    private static String message(IoInfo io, PathView path, String what) {
        return io + ": " + what + " (through " + path.id() + ")";
    }

    /** Whether a command that ended this way may still run on the target later. */
    static boolean mayStillRun(ScsiOutcome outcome) {
        return outcome instanceof ScsiOutcome.TransportFailure t && switch (t.kind()) {
            case CONNECTION_LOST, PING_TIMEOUT, COMMAND_TIMEOUT, SESSION_CLOSED -> true;
            case NOT_LOGGED_IN, QUEUE_FULL, ABORTED, TARGET_FAILURE, REJECTED -> false;
        };
    }

    static FailureKind kind(ScsiOutcome outcome) {
        return outcome instanceof ScsiOutcome.TransportFailure t ? t.kind() : null;
    }
}
