package io.braid.scsi.internal;

/** CDB builders for tests, written field by field from the SBC-4 layouts. */
final class Cdbs {

    static final int READ6 = 0x08, WRITE6 = 0x0A, READ10 = 0x28, WRITE10 = 0x2A, VERIFY10 = 0x2F,
            READ12 = 0xA8, WRITE12 = 0xAA, VERIFY12 = 0xAF, READ16 = 0x88, WRITE16 = 0x8A, VERIFY16 = 0x8F,
            SYNC10 = 0x35, SYNC16 = 0x91;

    private Cdbs() {
    }

    /** READ(6)/WRITE(6): 21-bit LBA in bytes 1-3, TRANSFER LENGTH byte 4 (0 = 256). */
    static byte[] six(int opcode, int lba, int blocks) {
        return new byte[] {(byte) opcode, (byte) (lba >>> 16 & 0x1F), (byte) (lba >>> 8), (byte) lba, (byte) blocks, 0};
    }

    /** 10-byte: byte 1 flags, LBA 2-5, group 6, length 7-8, control 9. */
    static byte[] ten(int opcode, int flags, long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = (byte) opcode;
        c[1] = (byte) flags;
        BigEndian.put32(c, 2, lba);
        BigEndian.put16(c, 7, blocks);
        return c;
    }

    /** 12-byte: byte 1 flags, LBA 2-5, length 6-9, group 10, control 11. */
    static byte[] twelve(int opcode, int flags, long lba, long blocks) {
        byte[] c = new byte[12];
        c[0] = (byte) opcode;
        c[1] = (byte) flags;
        BigEndian.put32(c, 2, lba);
        BigEndian.put32(c, 6, blocks);
        return c;
    }

    /** 16-byte: byte 1 flags, LBA 2-9, length 10-13, group 14, control 15. */
    static byte[] sixteen(int opcode, int flags, long lba, long blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) opcode;
        c[1] = (byte) flags;
        BigEndian.put64(c, 2, lba);
        BigEndian.put32(c, 10, blocks);
        return c;
    }

    /** The right size of READ/WRITE for a variant. */
    static byte[] rw(LbaFields size, boolean write, int flags, long lba, int blocks) {
        return switch (size) {
            case SIX -> six(write ? WRITE6 : READ6, (int) lba, blocks);
            case TEN -> ten(write ? WRITE10 : READ10, flags, lba, blocks);
            case TWELVE -> twelve(write ? WRITE12 : READ12, flags, lba, blocks);
            case SIXTEEN -> sixteen(write ? WRITE16 : READ16, flags, lba, blocks);
        };
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + seed * 13 + (i >> 9));
        }
        return b;
    }
}
