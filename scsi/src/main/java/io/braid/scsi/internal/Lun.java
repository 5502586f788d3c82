package io.braid.scsi.internal;

/**
 * SAM-5 "Single level LUN structure": peripheral device addressing (00b) for LUNs below 256,
 * flat space addressing (01b) up to 16383 — the same choice the Linux initiator and LIO make.
 */
public final class Lun {

    /** Returned by {@link #decode} for a LUN structure the core does not address. */
    public static final int UNSUPPORTED = -1;

    public static final int MAX = 16383;

    private Lun() {
    }

    /** The LUN number addressed by the 8-byte SAM LUN field, or {@link #UNSUPPORTED}. */
    public static int decode(long samLun) {
        if ((samLun & 0x0000_FFFF_FFFF_FFFFL) != 0) {
            return UNSUPPORTED; // a second level: no hierarchical addressing below our LUs
        }
        int b0 = (int) (samLun >>> 56) & 0xFF;
        int b1 = (int) (samLun >>> 48) & 0xFF;
        return switch (b0 >>> 6) {
            case 0b00 -> (b0 & 0x3F) == 0 ? b1 : UNSUPPORTED; // bus identifier must be 0
            case 0b01 -> (b0 & 0x3F) << 8 | b1;
            default -> UNSUPPORTED;
        };
    }

    /** The 8-byte SAM LUN field REPORT LUNS reports for a LUN number. */
    public static long encode(int lun) {
        if (lun < 0 || lun > MAX) {
            throw new IllegalArgumentException("lun " + lun + " out of range 0.." + MAX);
        }
        if (lun < 256) {
            return (long) lun << 48;
        }
        return (long) (0x40 | lun >>> 8) << 56 | (long) (lun & 0xFF) << 48;
    }
}
