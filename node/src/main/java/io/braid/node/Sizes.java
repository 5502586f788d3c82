package io.braid.node;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as operators write them ({@code 512M}, {@code 1G}, {@code 1GiB}, {@code 4096}). Units
 * are binary (IEC 80000-13), the way qemu-img and losetup read them, so {@code 1G} is 2^30 bytes.
 */
public final class Sizes {
    private static final Pattern SIZE =
            Pattern.compile("(\\d{1,19})\\s*(?:([KMGTP])(?:I?B)?|B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGTP";

    private Sizes() {
    }

    /**
     * Parses a size; a bare number is bytes.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a size is required (use e.g. 512M, 1G)");
        }
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not a size (use e.g. 512M, 1G)");
        }
        long value;
        try {
            value = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too large");
        }
        if (m.group(2) == null) {
            return value;
        }
        int shift = 10 * (UNITS.indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1);
        if (value > (Long.MAX_VALUE >>> shift)) {
            throw new IllegalArgumentException("\"" + text + "\" is too large");
        }
        return value << shift;
    }

    /** The exact size in the largest binary unit that divides it: {@code 1 GiB}, {@code 1536 MiB}. */
    public static String format(long bytes) {
        String[] names = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        long value = bytes;
        while (unit < names.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + names[unit];
    }
}
