package io.braid.host.multipath;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/** What the driver does with a command that did not end GOOD; see {@link ErrorAnalyzer}. */
public sealed interface ErrorDecision {

    /** The command did what was asked (e.g. RECOVERED ERROR on a write, CONDITION MET). */
    record Complete() implements ErrorDecision {
    }

    /**
     * Send the command again through the same path after {@code delay} (a unit attention,
     * becoming ready). Bounded by {@link MultipathConfig#samePathRetries()}; when the bound is
     * reached the path fails.
     *
     * @param rescan whether discovery should probe again (ALUA states or LUNs changed)
     */
    record RetrySamePath(Duration delay, String reason, boolean rescan) implements ErrorDecision {
        public RetrySamePath {
            Objects.requireNonNull(delay, "delay");
        }
    }

    /**
     * Send the command again, preferably through another path, after {@code delay} times the
     * number of such retries so far, without failing this path (BUSY, TASK SET FULL, a full
     * session queue). Bounded by {@link MultipathConfig#busyRetries()}; then the I/O fails.
     */
    record RetryOtherPath(Duration delay, String reason) implements ErrorDecision {
        public RetryOtherPath {
            Objects.requireNonNull(delay, "delay");
        }
    }

    /**
     * A path-type error: fail the path (and whatever else {@link FailureScope} says {@code fault}
     * affects) at once and send the command through another path.
     */
    record FailPath(PathFault fault, String reason) implements ErrorDecision {
        public FailPath {
            Objects.requireNonNull(fault, "fault");
        }
    }

    /**
     * Ask the device's {@link ReservationRecovery} to bring this host's persistent reservation
     * registration (and a single-holder reservation lost with a failed path) back for the path the
     * command used, then send the command once more (SPC-5 "Persistent reservations"). When the
     * agent keeps nothing of this host's on the device, the recovery finds nothing to restore or
     * does not finish in time, or the command was retried this way once already, the I/O fails
     * with {@code conflict}, as a target-class error.
     *
     * @param conflict the error the I/O fails with when nothing is restored
     */
    record ReservationAction(String reason, IOException conflict) implements ErrorDecision {
        public ReservationAction {
            Objects.requireNonNull(conflict, "conflict");
        }
    }

    /**
     * A target-class error: the I/O fails with {@code error} and is not retried elsewhere.
     * {@code error} follows the {@link io.braid.host.ExportedDevice} error contract.
     */
    record FailIo(IOException error) implements ErrorDecision {
        public FailIo {
            Objects.requireNonNull(error, "error");
        }
    }
}
