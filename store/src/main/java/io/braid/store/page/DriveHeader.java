package io.braid.store.page;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The 4 KiB header at the start of a drive, written twice (docs/storage.md "Drive"): identity and
 * layout. Its UUID changes at every format, so a reformatted or swapped drive is a different drive.
 */
record DriveHeader(UUID driveId, UUID storeId, int index, int pageSize, long driveBytes, long slots,
                   long checksumOffset, long dataOffset, long formattedAtMillis) {

    static final int SIZE = 4096;
    static final int VERSION = 1;
    static final int UNIT = 4096;
    static final long CHECKSUM_OFFSET = 1 << 20;
    static final long ALIGN = 1 << 20;
    static final long MAX_SLOTS = (1L << 24) - 1;
    private static final byte[] MAGIC = {'B', 'R', 'A', 'I', 'D', 'D', 'R', 'V'};

    /** Bytes of checksum words per slot. */
    int checksumBytesPerSlot() {
        return pageSize / UNIT * 4;
    }

    /**
     * The layout of a drive of {@code driveBytes}: as many slots as fit after the headers and
     * their checksum words, capped at what a page-table word can address.
     *
     * @throws IllegalArgumentException when not even one slot fits
     */
    static DriveHeader layout(UUID driveId, UUID storeId, int index, int pageSize, long driveBytes,
                              long formattedAtMillis) {
        long perSlot = pageSize / UNIT * 4L;
        long slots = Math.max(0, (driveBytes - CHECKSUM_OFFSET - ALIGN) / (pageSize + perSlot));
        slots = Math.min(slots, MAX_SLOTS);
        long dataOffset = align(CHECKSUM_OFFSET + slots * perSlot);
        while (slots > 0 && dataOffset + slots * pageSize > driveBytes) {
            slots--;
            dataOffset = align(CHECKSUM_OFFSET + slots * perSlot);
        }
        if (slots < 1) {
            throw new IllegalArgumentException("a drive of " + driveBytes + " bytes holds no "
                    + (pageSize >> 10) + " KiB page (it needs at least "
                    + (CHECKSUM_OFFSET + 2 * ALIGN + pageSize) + " bytes)");
        }
        return new DriveHeader(driveId, storeId, index, pageSize, driveBytes, slots,
                CHECKSUM_OFFSET, dataOffset, formattedAtMillis);
    }

    private static long align(long v) {
        return (v + ALIGN - 1) / ALIGN * ALIGN;
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(MAGIC).putInt(VERSION).putInt(SIZE);
        b.putLong(driveId.getMostSignificantBits()).putLong(driveId.getLeastSignificantBits());
        b.putLong(storeId.getMostSignificantBits()).putLong(storeId.getLeastSignificantBits());
        b.putInt(index).putInt(pageSize).putInt(UNIT).putInt(0);
        b.putLong(driveBytes).putLong(slots).putLong(checksumOffset).putLong(dataOffset)
                .putLong(formattedAtMillis);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, SIZE - 4);
        b.putInt(SIZE - 4, (int) crc.getValue());
        return b.clear();
    }

    /** Whether the block starts with the drive magic (a Braid drive, perhaps damaged). */
    static boolean hasMagic(ByteBuffer b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes a header block.
     *
     * @return null when the block is not an intact Braid drive header
     * @throws IllegalArgumentException for an intact header of an unknown version or bad layout
     */
    static DriveHeader decode(ByteBuffer b) {
        if (b.remaining() < SIZE || !hasMagic(b)) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(SIZE - 4));
        if ((int) crc.getValue() != b.getInt(SIZE - 4)) {
            return null;
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new IllegalArgumentException("drive format version " + version
                    + " is not supported (this Braid reads version " + VERSION + ")");
        }
        UUID drive = new UUID(b.getLong(16), b.getLong(24));
        UUID store = new UUID(b.getLong(32), b.getLong(40));
        int index = b.getInt(48);
        int pageSize = b.getInt(52);
        int unit = b.getInt(56);
        long driveBytes = b.getLong(64);
        long slots = b.getLong(72);
        long ck = b.getLong(80);
        long data = b.getLong(88);
        long at = b.getLong(96);
        if (unit != UNIT || Integer.bitCount(pageSize) != 1 || pageSize < UNIT || slots < 1
                || slots > MAX_SLOTS || ck != CHECKSUM_OFFSET
                || data < ck + slots * (pageSize / UNIT * 4L)
                || data + slots * pageSize > driveBytes || index < 0) {
            throw new IllegalArgumentException("drive header has an impossible layout (page size "
                    + pageSize + ", slots " + slots + ", data at " + data + ")");
        }
        return new DriveHeader(drive, store, index, pageSize, driveBytes, slots, ck, data, at);
    }
}
