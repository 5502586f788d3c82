package io.braid.host.scsi;

/**
 * The Logical Block Provisioning VPD page B2h (SBC-4 "Logical Block Provisioning VPD page"): which
 * commands deallocate blocks and what deallocated blocks read as.
 *
 * <pre>
 *  0 PERIPHERAL   1 PAGE CODE (B2h)   2-3 PAGE LENGTH   4 THRESHOLD EXPONENT
 *  5 LBPU(7) LBPWS(6) LBPWS10(5) LBPRZ(4:2) ANC_SUP(1) DP(0)   6 PROVISIONING TYPE(2:0)
 * </pre>
 *
 * @param unmap            LBPU: the UNMAP command deallocates
 * @param writeSameUnmap   LBPWS: WRITE SAME (16) with the UNMAP bit deallocates
 * @param readsZero        LBPRZ non-zero: a deallocated block reads as zeroes
 * @param provisioningType 0 full, 1 resource provisioned, 2 thin
 */
public record LogicalBlockProvisioning(boolean unmap, boolean writeSameUnmap, boolean readsZero,
                                       int provisioningType) {
    /** The VPD page code. */
    public static final int PAGE = 0xB2;
    /** A unit without the page: nothing deallocates. */
    public static final LogicalBlockProvisioning NONE = new LogicalBlockProvisioning(false, false, false, 0);

    public static LogicalBlockProvisioning parse(byte[] b) {
        if (b.length < 4 || (b[1] & 0xFF) != PAGE) {
            throw new IllegalArgumentException("not a Logical Block Provisioning VPD page (" + b.length
                    + " bytes, page code " + (b.length > 1 ? String.format("%02xh", b[1] & 0xFF) : "missing") + ")");
        }
        int end = Math.min(b.length, 4 + ((b[2] & 0xFF) << 8 | (b[3] & 0xFF)));
        int flags = end > 5 ? b[5] & 0xFF : 0;
        int type = end > 6 ? b[6] & 0x07 : 0;
        return new LogicalBlockProvisioning((flags & 0x80) != 0, (flags & 0x40) != 0, (flags & 0x1C) != 0, type);
    }

    /** Whether anything deallocates. */
    public boolean canDeallocate() {
        return unmap || writeSameUnmap;
    }
}
