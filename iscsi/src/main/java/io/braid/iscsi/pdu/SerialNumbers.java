package io.braid.iscsi.pdu;

/** RFC 1982 serial number arithmetic with SERIAL_BITS = 32, as RFC 7143 4.2.2.1 requires. */
public final class SerialNumbers {
    private SerialNumbers() {
    }

    /** s1 < s2 in serial arithmetic. */
    public static boolean lessThan(int s1, int s2) {
        return s1 != s2 && (s2 - s1) > 0;
    }

    /** s1 <= s2 in serial arithmetic. */
    public static boolean lessOrEqual(int s1, int s2) {
        return s1 == s2 || lessThan(s1, s2);
    }

    /** s1 > s2 in serial arithmetic. */
    public static boolean greaterThan(int s1, int s2) {
        return lessThan(s2, s1);
    }

    /** Whether {@code value} lies in the window [low, high] in serial arithmetic. */
    public static boolean inWindow(int value, int low, int high) {
        return lessOrEqual(low, value) && lessOrEqual(value, high);
    }
}
