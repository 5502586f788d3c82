package io.braid.scsi.internal;

/** Big-endian field access for CDBs and parameter data (SPC-5: multi-byte fields are big-endian, most significant byte first). */
final class BigEndian {

    private BigEndian() {
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF;
    }

    static int u24(byte[] b, int off) {
        return (b[off] & 0xFF) << 16 | (b[off + 1] & 0xFF) << 8 | b[off + 2] & 0xFF;
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    /** A 64-bit unsigned value in a signed long; compare with {@link Long#compareUnsigned}. */
    static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, v >>> 32);
        put32(b, off + 4, v);
    }
}
