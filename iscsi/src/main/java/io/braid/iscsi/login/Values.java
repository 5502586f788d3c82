package io.braid.iscsi.login;

import java.util.ArrayList;
import java.util.List;

/** Parsers for the simple value forms of RFC 7143 6.1; each returns null for a malformed value. */
final class Values {
    private Values() {
    }

    /** Constants with a fixed meaning in negotiation (RFC 7143 6.2). */
    static final String REJECT = "Reject";
    static final String IRRELEVANT = "Irrelevant";
    static final String NOT_UNDERSTOOD = "NotUnderstood";
    static final String YES = "Yes";
    static final String NO = "No";

    static boolean isReserved(String value) {
        return value.equals(REJECT) || value.equals(IRRELEVANT) || value.equals(NOT_UNDERSTOOD);
    }

    /**
     * numerical-value: a decimal constant or a hex constant ({@code 0x1F}), unsigned, below 2^63
     * here (every iSCSI range is far smaller). Leading zeros in decimal are tolerated.
     */
    static Long number(String v) {
        if (v.isEmpty() || v.length() > 20) {
            return null;
        }
        try {
            if (v.length() > 2 && v.charAt(0) == '0' && (v.charAt(1) == 'x' || v.charAt(1) == 'X')) {
                String digits = v.substring(2);
                if (digits.isEmpty() || digits.length() > 15 || !digits.chars().allMatch(Values::isHexDigit)) {
                    return null;
                }
                return Long.parseLong(digits, 16);
            }
            if (!v.chars().allMatch(c -> c >= '0' && c <= '9') || v.length() > 18) {
                return null;
            }
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Boolean bool(String v) {
        return switch (v) {
            case YES -> Boolean.TRUE;
            case NO -> Boolean.FALSE;
            default -> null;
        };
    }

    static String bool(boolean b) {
        return b ? YES : NO;
    }

    /** list-of-values: comma-separated, no empty item, each item at most 255 bytes; null otherwise. */
    static List<String> list(String v) {
        if (v.isEmpty()) {
            return null;
        }
        List<String> items = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = v.indexOf(',', start);
            String item = comma < 0 ? v.substring(start) : v.substring(start, comma);
            if (item.isEmpty() || item.length() > TextKeys.MAX_VALUE_BYTES) {
                return null;
            }
            items.add(item);
            if (comma < 0) {
                return items;
            }
            start = comma + 1;
        }
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
