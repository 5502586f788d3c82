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
         * registered on yet): the device's {@link ReservationHandling} acts; without one the I/O
         * fails as with FAIL_IO.
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

    public static Verdict reservationAction(String reason) {
        return new Verdict(Action.RESERVATION_ACTION, Duration.ZERO, FaultScope.PATH, reason);
    }
}
