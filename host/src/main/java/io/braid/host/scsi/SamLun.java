package io.braid.host.scsi;

/**
 * The 8-byte LUN field (SAM-5 "Single level LUN structure"): peripheral device addressing (00b)
 * for LUN numbers below 256 and flat space addressing (01b) up to 16383, as Linux and LIO use.
 */
public final class SamLun {
    /** Highest LUN number the two addressing methods reach. */
    public static final int MAX = 16383;

    private SamLun() {
    }

    /** The 8-byte LUN field for a LUN number. */
    public static long encode(int lun) {
        if (lun < 0 || lun > MAX) {
            throw new IllegalArgumentException("LUN " + lun + " is out of range 0.." + MAX);
        }
        if (lun < 256) {
            return (long) lun << 48;
        }
        return (long) (0x40 | lun >>> 8) << 56 | (long) (lun & 0xFF) << 48;
    }

    /**
     * The LUN number an 8-byte LUN field addresses, or -1 when it uses an addressing method or a
     * second level this initiator does not address.
     */
    public static int decode(long field) {
        if ((field & 0x0000_FFFF_FFFF_FFFFL) != 0) {
            return -1;
        }
        int b0 = (int) (field >>> 56) & 0xFF;
        int b1 = (int) (field >>> 48) & 0xFF;
        return switch (b0 >>> 6) {
            case 0b00 -> (b0 & 0x3F) == 0 ? b1 : -1;
            case 0b01 -> (b0 & 0x3F) << 8 | b1;
            default -> -1;
        };
    }
}
