package io.braid.host.pr;

/**
 * PERSISTENT RESERVE IN (5Eh) and OUT (5Fh) CDBs and the basic OUT parameter list (SPC-5),
 * built field by field. Each method returns a fresh array.
 */
public final class PrCdbs {
    /** PERSISTENT RESERVE IN, operation code 5Eh. */
    public static final int PERSISTENT_RESERVE_IN = 0x5E;
    /** PERSISTENT RESERVE OUT, operation code 5Fh. */
    public static final int PERSISTENT_RESERVE_OUT = 0x5F;
    /** Bytes of the basic PERSISTENT RESERVE OUT parameter list (SPEC_I_PT 0). */
    public static final int BASIC_PARAMETER_LIST_LENGTH = 24;
    /** Logical unit scope, the only scope SPC-5 defines. */
    public static final int LU_SCOPE = 0x0;

    private PrCdbs() {
    }

    /*
     * SPC-5 "PERSISTENT RESERVE IN command":
     *  0 OPERATION CODE (5Eh)   1 SERVICE ACTION (4-0)   7-8 ALLOCATION LENGTH   9 CONTROL
     */
    public static byte[] persistentReserveIn(PrInAction action, int allocationLength) {
        if (allocationLength < 8 || allocationLength > 0xFFFF) {
            throw new IllegalArgumentException("allocation length " + allocationLength + " is out of range 8..65535");
        }
        byte[] c = new byte[10];
        c[0] = (byte) PERSISTENT_RESERVE_IN;
        c[1] = (byte) action.code();
        c[7] = (byte) (allocationLength >>> 8);
        c[8] = (byte) allocationLength;
        return c;
    }

    /*
     * SPC-5 "PERSISTENT RESERVE OUT command":
     *  0 OPERATION CODE (5Fh)   1 SERVICE ACTION (4-0)   2 SCOPE (7-4) | TYPE (3-0)
     *  5-8 PARAMETER LIST LENGTH (18h for the basic list)   9 CONTROL
     *
     * @param type the reservation type for RESERVE, RELEASE and PREEMPT; null for the others
     */
    public static byte[] persistentReserveOut(PrOutAction action, PrType type) {
        if ((action == PrOutAction.RESERVE || action == PrOutAction.RELEASE) && type == null) {
            throw new IllegalArgumentException(action + " needs a reservation type");
        }
        byte[] c = new byte[10];
        c[0] = (byte) PERSISTENT_RESERVE_OUT;
        c[1] = (byte) action.code();
        c[2] = (byte) (LU_SCOPE << 4 | (type == null || !action.hasType() ? 0 : type.code()));
        c[8] = BASIC_PARAMETER_LIST_LENGTH;
        return c;
    }

    /*
     * SPC-5 "Basic PERSISTENT RESERVE OUT parameter list":
     *  0-7 RESERVATION KEY   8-15 SERVICE ACTION RESERVATION KEY   16-19 obsolete
     *  20 SPEC_I_PT (3) ALL_TG_PT (2) APTPL (0)   21 reserved   22-23 obsolete
     */
    public static byte[] parameterList(long reservationKey, long serviceActionKey, boolean aptpl) {
        byte[] b = new byte[BASIC_PARAMETER_LIST_LENGTH];
        put64(b, 0, reservationKey);
        put64(b, 8, serviceActionKey);
        b[20] = (byte) (aptpl ? 0x01 : 0x00);
        return b;
    }

    static void put64(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    static long u64(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }

    static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    /** A reservation key as people and JSON see it: {@code 0x} and 16 hex digits. */
    public static String keyText(long key) {
        return String.format("0x%016x", key);
    }

    /**
     * Parses a key written as {@code 0x} and up to 16 hex digits, or as a decimal number
     * (as {@code mpathpersist --param-rk} takes it).
     */
    public static long parseKey(String text) {
        String t = text == null ? "" : text.strip();
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                String hex = t.substring(2);
                if (hex.isEmpty() || hex.length() > 16) {
                    throw new NumberFormatException();
                }
                return Long.parseUnsignedLong(hex, 16);
            }
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("reservation key \"" + text
                    + "\" is not 0x and 1..16 hex digits or an unsigned 64-bit decimal number");
        }
    }
}
