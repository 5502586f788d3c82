package io.braid.host.scsi;

/**
 * READ CAPACITY (16) parameter data (SBC-4 "READ CAPACITY (16) parameter data"), the fields
 * discovery reports.
 *
 * @param lastLba     RETURNED LOGICAL BLOCK ADDRESS, the last addressable block
 * @param blockSize   LOGICAL BLOCK LENGTH IN BYTES
 * @param thinProvisioned LBPME: logical block provisioning management is enabled
 */
public record Capacity(long lastLba, int blockSize, boolean thinProvisioned) {
    /** The allocation length of the full parameter data. */
    public static final int ALLOCATION_LENGTH = 32;

    /** Parses the first 32 bytes (at least 12: LBA and block length). */
    public static Capacity parse(byte[] b) {
        if (b.length < 12) {
            throw new IllegalArgumentException("READ CAPACITY (16) data of " + b.length
                    + " bytes; at least 12 expected");
        }
        long lba = 0;
        for (int i = 0; i < 8; i++) {
            lba = lba << 8 | (b[i] & 0xFF);
        }
        int size = (b[8] & 0xFF) << 24 | (b[9] & 0xFF) << 16 | (b[10] & 0xFF) << 8 | (b[11] & 0xFF);
        if (size <= 0) {
            throw new IllegalArgumentException("LOGICAL BLOCK LENGTH " + Integer.toUnsignedLong(size)
                    + " is not a usable block size");
        }
        boolean lbpme = b.length > 14 && (b[14] & 0x80) != 0;
        return new Capacity(lba, size, lbpme);
    }

    /** Number of logical blocks. */
    public long blocks() {
        return lastLba + 1;
    }

    /** Capacity in bytes. */
    public long bytes() {
        return blocks() * blockSize;
    }
}
