package io.braid.scsi.internal;

/**
 * Transfer limits the core enforces and reports in the Block Limits VPD page (SBC-4 "Block Limits
 * VPD page"). A READ or WRITE longer than {@code maxTransferBytes} ends with INVALID FIELD IN CDB
 * instead of making the core allocate an unbounded data-in buffer.
 *
 * @param maxTransferBytes     largest single READ/WRITE/VERIFY-with-data, in bytes
 * @param optimalTransferBytes transfer size the initiator should prefer
 */
public record TargetLimits(int maxTransferBytes, int optimalTransferBytes) {

    public static final TargetLimits DEFAULT = new TargetLimits(8 << 20, 1 << 20);

    public TargetLimits {
        if (maxTransferBytes < 4096 || Integer.bitCount(maxTransferBytes) != 1) {
            throw new IllegalArgumentException("maxTransferBytes " + maxTransferBytes + " must be a power of two >= 4096");
        }
        if (optimalTransferBytes < 4096 || optimalTransferBytes > maxTransferBytes
                || Integer.bitCount(optimalTransferBytes) != 1) {
            throw new IllegalArgumentException("optimalTransferBytes " + optimalTransferBytes
                    + " must be a power of two in 4096.." + maxTransferBytes);
        }
    }

    /** Maximum transfer length in blocks of {@code blockSize}. */
    public long maxTransferBlocks(int blockSize) {
        return maxTransferBytes / blockSize;
    }
}
