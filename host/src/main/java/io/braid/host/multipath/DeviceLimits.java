package io.braid.host.multipath;

import io.braid.host.scsi.BlockLimits;
import io.braid.host.scsi.LogicalBlockProvisioning;

/**
 * What the driver learned about a logical unit before exporting it: Block Limits (B0h), Logical
 * Block Provisioning (B2h) and the write-protect bit of MODE SENSE. Read through one path when
 * the device appears.
 *
 * @param blockLimits     transfer, UNMAP and WRITE SAME limits
 * @param provisioning    which commands deallocate
 * @param writeProtected  the WP bit of the mode parameter header
 */
public record DeviceLimits(BlockLimits blockLimits, LogicalBlockProvisioning provisioning, boolean writeProtected) {
    /** Requests are split at this size when the unit reports no MAXIMUM TRANSFER LENGTH. */
    public static final int DEFAULT_MAX_TRANSFER_BYTES = 8 << 20;
    /** Never more per command, whatever the unit allows: the NBD server's own request limit. */
    public static final int MAX_TRANSFER_BYTES = 32 << 20;
    /** WRITE SAME and UNMAP cover at most this many bytes per command when the unit sets no limit. */
    public static final long DEFAULT_MAX_WRITE_SAME_BYTES = 256L << 20;

    /** A unit that reports nothing. */
    public static final DeviceLimits NONE = new DeviceLimits(BlockLimits.NONE, LogicalBlockProvisioning.NONE, false);

    /** The largest READ or WRITE the driver sends, in bytes (a multiple of {@code blockSize}). */
    public int maxTransferBytes(int blockSize) {
        long reported = blockLimits.maxTransferBlocks() * blockSize;
        long bytes = reported > 0 ? Math.min(reported, MAX_TRANSFER_BYTES) : DEFAULT_MAX_TRANSFER_BYTES;
        return (int) Math.max(blockSize, bytes / blockSize * blockSize);
    }

    /** Blocks per WRITE SAME (16): the unit's limit, else 256 MiB worth, at most 2^32-1. */
    public long maxWriteSameBlocks(int blockSize) {
        long n = blockLimits.maxWriteSameBlocks() > 0 ? blockLimits.maxWriteSameBlocks()
                : DEFAULT_MAX_WRITE_SAME_BYTES / blockSize;
        return Math.max(1, Math.min(n, 0xFFFF_FFFFL));
    }

    /** Blocks per UNMAP block descriptor: the unit's MAXIMUM UNMAP LBA COUNT, at most 2^32-1. */
    public long maxUnmapBlocks(int blockSize) {
        long n = blockLimits.maxUnmapBlocks() > 0 ? blockLimits.maxUnmapBlocks()
                : DEFAULT_MAX_WRITE_SAME_BYTES / blockSize;
        return Math.max(1, Math.min(n, 0xFFFF_FFFFL));
    }

    /** Descriptors per UNMAP: the unit's limit, at most 64 (a 1 KiB parameter list). */
    public int maxUnmapDescriptors() {
        long n = blockLimits.maxUnmapDescriptors();
        return (int) Math.max(1, Math.min(n == 0 ? 1 : n, 64));
    }
}
