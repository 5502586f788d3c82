package io.braid.scsi.internal;

/**
 * SBC-4 "Logical block address out of range" checks shared by every LBA-based command: all of
 * {@code lba .. lba+blocks-1} must be below the capacity, computed without overflow for 64-bit
 * unsigned LBAs.
 */
final class BlockRange {

    private BlockRange() {
    }

    /**
     * Whether the range lies inside the medium. An LBA at or past the capacity is out of range
     * even with zero blocks: it "exceeds the capacity of the medium".
     *
     * @param lba      unsigned 64-bit starting LBA
     * @param blocks   unsigned 32-bit block count (a non-negative long)
     * @param capacity number of logical blocks
     */
    static boolean inside(long lba, long blocks, long capacity) {
        return Long.compareUnsigned(lba, capacity) < 0 && blocks <= capacity - lba;
    }

    /** Throws ILLEGAL REQUEST / LOGICAL BLOCK ADDRESS OUT OF RANGE unless the range is {@link #inside}. */
    static void check(long lba, long blocks, long capacity) {
        if (!inside(lba, blocks, capacity)) {
            throw CheckCondition.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
    }
}
