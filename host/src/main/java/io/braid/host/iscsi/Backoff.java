package io.braid.host.iscsi;

import java.time.Duration;

/**
 * Delays between reconnection attempts of a session: {@code initial}, multiplied by
 * {@code multiplier} after each failed attempt, never above {@code max}. A successful login
 * starts over at {@code initial}.
 */
public record Backoff(Duration initial, Duration max, double multiplier) {
    /** 250 ms, doubling up to 10 s. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10), 2.0);

    public Backoff {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("reconnect backoff initial delay must be positive, not " + initial);
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("reconnect backoff maximum " + max
                    + " must be at least the initial delay " + initial);
        }
        if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
            throw new IllegalArgumentException("reconnect backoff multiplier " + multiplier + " is out of range 1..10");
        }
    }

    /** The delay before attempt {@code attempt} (0 for the first retry after a loss). */
    public Duration delay(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.min(Math.max(0, attempt), 60));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
