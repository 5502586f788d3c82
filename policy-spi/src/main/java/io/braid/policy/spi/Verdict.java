package io.braid.policy.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What error analysis decided for a command that did not end GOOD.
 *
 * @param action what the driver does
 * @param delay  for the retries, how long to wait first (RETRY_OTHER_PATH: multiplied by the
 *               retries so far)
 * @param scope  for PATH_FAILED, what is broken
 * @param reason for people (events, logs, the error of a failed I/O)
 */
public record Verdict(Action action, Duration delay, FaultScope scope, String reason) {
    public Verdict {
        Objects.requireNonNull(action, "action");
        delay = delay == null ? Duration.ZERO : delay;
        if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("delay " + delay + " is outside 0.." + MAX_DELAY);
        }
        scope = scope == null ? FaultScope.PATH : scope;
        reason = reason == null ? "" : reason;
    }

    /** The longest retry delay a verdict may ask for. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(5);

    public enum Action {
        /** The command did what was asked after all (e.g. RECOVERED ERROR on a write). */
        COMPLETE,
        /** Fail the path (and what {@link #scope()} and {@link FailureScoping} add); resend elsewhere. */
        PATH_FAILED,
        /** Send again through the same path after {@link #delay()}; bounded, then the path fails. */
        RETRY_SAME_PATH,
        /** Send again, preferably through another path, without failing this one; bounded, then the I/O fails. */
        RETRY_OTHER_PATH,
        /** Fail the I/O back to the application; no retry. */
        FAIL_IO,
        /**
         * The error concerns a reservation (e.g. RESERVATION CONFLICT on a path the key is not
         * registered on yet): the host's reservation keeper (following the device's
         * {@link ReservationHandling}, or its defaults) restores this host's registration on the
         * command's path and moves a reservation of this host lost with a failed path, then the
         * command is sent once more. When the keeper holds nothing of this host's on the device
         * (no key registered through the agent, or another host preempted it), restores nothing,
         * or takes too long, the I/O fails as with FAIL_IO, with the error the built-in analysis
         * gives the outcome (a conflict keeps its status); never retried more than once.
         */
        RESERVATION_ACTION,
        /** No opinion: the built-in error analysis decides. */
        DEFAULT
    }

    public static Verdict builtIn() {
        return new Verdict(Action.DEFAULT, Duration.ZERO, FaultScope.PATH, "");
    }

    public static Verdict complete() {
        return new Verdict(Action.COMPLETE, Duration.ZERO, FaultScope.PATH, "");
    }

    public static Verdict pathFailed(FaultScope scope, String reason) {
        return new Verdict(Action.PATH_FAILED, Duration.ZERO, scope, reason);
    }

    public static Verdict retrySamePath(Duration delay, String reason) {
        return new Verdict(Action.RETRY_SAME_PATH, delay, FaultScope.PATH, reason);
    }

    public static Verdict retryOtherPath(Duration delay, String reason) {
        return new Verdict(Action.RETRY_OTHER_PATH, delay, FaultScope.PATH, reason);
    }

    public static Verdict failIo(String reason) {
        return new Verdict(Action.FAIL_IO, Duration.ZERO, FaultScope.PATH, reason);
    }

    /**
     * {@link Action#RESERVATION_ACTION}: let the host's reservation keeper restore this host's
     * registration or reservation for the command's path, then send the command once more; the
     * I/O fails when there is nothing of this host's to restore.
     */
    public static Verdict reservationAction(String reason) {
        return new Verdict(Action.RESERVATION_ACTION, Duration.ZERO, FaultScope.PATH, reason);
    }
}
