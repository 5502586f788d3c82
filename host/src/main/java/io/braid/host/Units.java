package io.braid.host;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations ({@code 500ms}, {@code 1s}, {@code 2m}, {@code 1h}) and sizes ({@code 64K}, {@code 1M}) in config files. */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})([KMG]?)");

    private Units() {
    }

    /** Parses a duration: a whole number and a unit, ms, s, m or h. */
    public static Duration duration(String text) {
        Matcher m = text == null ? null : DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (use e.g. 500ms, 1s, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** Parses a byte count: a whole number with an optional binary suffix K, M or G. */
    public static long size(String text) {
        Matcher m = text == null ? null : SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (use e.g. 8192, 64K, 1M)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> n;
        };
    }

    /** The shortest exact form of a duration in the units {@link #duration} reads. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
