package io.braid.scsi.internal;

/**
 * Where the LOGICAL BLOCK ADDRESS and TRANSFER LENGTH fields sit in the four SBC-4 CDB sizes shared
 * by READ, WRITE, VERIFY and SYNCHRONIZE CACHE (their "(6)", "(10)", "(12)" and "(16)" variants).
 */
enum LbaFields {
    /** 1-3: 21-bit LBA, 4: TRANSFER LENGTH where 0 means 256 blocks (SBC-4 READ(6)/WRITE(6)). */
    SIX(4),
    /** 2-5: LBA, 7-8: length. */
    TEN(7),
    /** 2-5: LBA, 6-9: length. */
    TWELVE(6),
    /** 2-9: LBA, 10-13: length. */
    SIXTEEN(10);

    private final int lengthByte;

    LbaFields(int lengthByte) {
        this.lengthByte = lengthByte;
    }

    /** Unsigned LBA (64-bit for SIXTEEN, held in a signed long). */
    long lba(byte[] cdb) {
        return switch (this) {
            case SIX -> (long) (cdb[1] & 0x1F) << 16 | BigEndian.u16(cdb, 2);
            case TEN, TWELVE -> BigEndian.u32(cdb, 2);
            case SIXTEEN -> BigEndian.u64(cdb, 2);
        };
    }

    /** Number of blocks the CDB names; READ(6)/WRITE(6) map 0 to 256. */
    long blocks(byte[] cdb) {
        return switch (this) {
            case SIX -> cdb[4] == 0 ? 256 : cdb[4] & 0xFF;
            case TEN -> BigEndian.u16(cdb, 7);
            case TWELVE -> BigEndian.u32(cdb, 6);
            case SIXTEEN -> BigEndian.u32(cdb, 10);
        };
    }

    /** The byte holding the length field's most significant bit, for field pointers. */
    int lengthByte() {
        return lengthByte;
    }
}
