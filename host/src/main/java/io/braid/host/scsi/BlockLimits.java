package io.braid.host.scsi;

/**
 * The Block Limits VPD page B0h (SBC-4 "Block Limits VPD page"), the fields the multipath driver
 * splits and shapes requests by. A field the unit leaves at 0 means "no limit reported".
 *
 * <pre>
 *  0 PERIPHERAL   1 PAGE CODE (B0h)   2-3 PAGE LENGTH (3Ch)
 *  5 MAXIMUM COMPARE AND WRITE LENGTH   6-7 OPTIMAL TRANSFER LENGTH GRANULARITY
 *  8-11 MAXIMUM TRANSFER LENGTH         12-15 OPTIMAL TRANSFER LENGTH
 *  20-23 MAXIMUM UNMAP LBA COUNT        24-27 MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 *  28-31 OPTIMAL UNMAP GRANULARITY      36-43 MAXIMUM WRITE SAME LENGTH
 * </pre>
 *
 * @param maxTransferBlocks          MAXIMUM TRANSFER LENGTH in blocks, 0 when not reported
 * @param optimalTransferBlocks      OPTIMAL TRANSFER LENGTH in blocks, 0 when not reported
 * @param maxUnmapBlocks             MAXIMUM UNMAP LBA COUNT, 0 when UNMAP is not supported
 * @param maxUnmapDescriptors        MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT, 0 when not supported
 * @param optimalUnmapGranularity    OPTIMAL UNMAP GRANULARITY in blocks, 0 when not reported
 * @param maxWriteSameBlocks         MAXIMUM WRITE SAME LENGTH in blocks, 0 when not reported
 */
public record BlockLimits(long maxTransferBlocks, long optimalTransferBlocks, long maxUnmapBlocks,
                          long maxUnmapDescriptors, long optimalUnmapGranularity, long maxWriteSameBlocks) {
    /** The VPD page code. */
    public static final int PAGE = 0xB0;
    /** Limits of a unit that reports none (no Block Limits page). */
    public static final BlockLimits NONE = new BlockLimits(0, 0, 0, 0, 0, 0);

    /** Parses the page; fields beyond the bytes received read as 0. */
    public static BlockLimits parse(byte[] b) {
        if (b.length < 4 || (b[1] & 0xFF) != PAGE) {
            throw new IllegalArgumentException("not a Block Limits VPD page (" + b.length + " bytes, page code "
                    + (b.length > 1 ? String.format("%02xh", b[1] & 0xFF) : "missing") + ")");
        }
        int end = Math.min(b.length, 4 + ((b[2] & 0xFF) << 8 | (b[3] & 0xFF)));
        return new BlockLimits(u32(b, 8, end), u32(b, 12, end), u32(b, 20, end), u32(b, 24, end),
                u32(b, 28, end) & 0x7FFF_FFFFL, u64(b, 36, end));
    }

    private static long u32(byte[] b, int at, int end) {
        if (at + 4 > end) {
            return 0;
        }
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static long u64(byte[] b, int at, int end) {
        if (at + 8 > end) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        // Beyond what a Java long counts, "no limit" is as good as the real value.
        return v < 0 ? 0 : v;
    }
}
