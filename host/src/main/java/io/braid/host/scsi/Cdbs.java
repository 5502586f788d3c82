package io.braid.host.scsi;

/**
 * CDBs the host agent sends (SPC-5, SBC-4), built field by field. Each method names the command
 * and returns a fresh array the caller may keep.
 */
public final class Cdbs {
    /** TEST UNIT READY (SPC-5), operation code 00h. */
    public static final int TEST_UNIT_READY = 0x00;
    /** INQUIRY (SPC-5), operation code 12h. */
    public static final int INQUIRY = 0x12;
    /** SYNCHRONIZE CACHE (16) (SBC-4), operation code 91h. */
    public static final int SYNCHRONIZE_CACHE_16 = 0x91;
    /** READ (16) (SBC-4), operation code 88h. */
    public static final int READ_16 = 0x88;
    /** WRITE (16) (SBC-4), operation code 8Ah. */
    public static final int WRITE_16 = 0x8A;
    /** SERVICE ACTION IN (16) (SBC-4), operation code 9Eh; READ CAPACITY (16) is service action 10h. */
    public static final int SERVICE_ACTION_IN_16 = 0x9E;
    /** MAINTENANCE IN (SPC-5), operation code A3h; REPORT TARGET PORT GROUPS is service action 0Ah. */
    public static final int MAINTENANCE_IN = 0xA3;
    /** REPORT LUNS (SPC-5), operation code A0h. */
    public static final int REPORT_LUNS = 0xA0;
    /** MODE SENSE (6) (SPC-5), operation code 1Ah. */
    public static final int MODE_SENSE_6 = 0x1A;
    /** UNMAP (SBC-4), operation code 42h. */
    public static final int UNMAP = 0x42;
    /** WRITE SAME (16) (SBC-4), operation code 93h. */
    public static final int WRITE_SAME_16 = 0x93;
    /** Bytes of the UNMAP parameter list header and of each UNMAP block descriptor. */
    public static final int UNMAP_HEADER_LENGTH = 8;
    public static final int UNMAP_DESCRIPTOR_LENGTH = 16;

    private Cdbs() {
    }

    /** TEST UNIT READY: 6 bytes, all zero but the operation code. */
    public static byte[] testUnitReady() {
        return new byte[6];
    }

    /**
     * INQUIRY (SPC-5 "INQUIRY command"): byte 1 bit 0 EVPD, byte 2 PAGE CODE, bytes 3-4
     * ALLOCATION LENGTH.
     *
     * @param vpdPage the VPD page code, or -1 for standard INQUIRY data
     */
    public static byte[] inquiry(int vpdPage, int allocationLength) {
        checkRange("allocation length", allocationLength, 0, 0xFFFF);
        byte[] c = new byte[6];
        c[0] = INQUIRY;
        if (vpdPage >= 0) {
            checkRange("VPD page", vpdPage, 0, 0xFF);
            c[1] = 0x01;
            c[2] = (byte) vpdPage;
        }
        c[3] = (byte) (allocationLength >>> 8);
        c[4] = (byte) allocationLength;
        return c;
    }

    /**
     * REPORT LUNS (SPC-5 "REPORT LUNS command"): byte 2 SELECT REPORT, bytes 6-9 ALLOCATION
     * LENGTH (at least 16).
     */
    public static byte[] reportLuns(int allocationLength) {
        checkRange("allocation length", allocationLength, 16, Integer.MAX_VALUE);
        byte[] c = new byte[12];
        c[0] = (byte) REPORT_LUNS;
        c[2] = 0x00; // all logical units the I_T nexus can address
        put32(c, 6, allocationLength);
        return c;
    }

    /**
     * READ CAPACITY (16) (SBC-4 "READ CAPACITY (16) command"): SERVICE ACTION IN (16) with
     * service action 10h, bytes 10-13 ALLOCATION LENGTH.
     */
    public static byte[] readCapacity16(int allocationLength) {
        checkRange("allocation length", allocationLength, 0, Integer.MAX_VALUE);
        byte[] c = new byte[16];
        c[0] = (byte) SERVICE_ACTION_IN_16;
        c[1] = 0x10;
        put32(c, 10, allocationLength);
        return c;
    }

    /**
     * REPORT TARGET PORT GROUPS (SPC-5 "REPORT TARGET PORT GROUPS command"): MAINTENANCE IN with
     * service action 0Ah, PARAMETER DATA FORMAT 000b (length only), bytes 6-9 ALLOCATION LENGTH.
     */
    public static byte[] reportTargetPortGroups(int allocationLength) {
        checkRange("allocation length", allocationLength, 4, Integer.MAX_VALUE);
        byte[] c = new byte[12];
        c[0] = (byte) MAINTENANCE_IN;
        c[1] = 0x0A;
        put32(c, 6, allocationLength);
        return c;
    }

    /**
     * SET TARGET PORT GROUPS (SPC-5 "SET TARGET PORT GROUPS command"): MAINTENANCE OUT (A4h) with
     * service action 0Ah, bytes 6-9 PARAMETER LIST LENGTH.
     */
    public static byte[] setTargetPortGroups(int parameterListLength) {
        checkRange("parameter list length", parameterListLength, 0, Integer.MAX_VALUE);
        byte[] c = new byte[12];
        c[0] = (byte) 0xA4;
        c[1] = 0x0A;
        put32(c, 6, parameterListLength);
        return c;
    }

    /**
     * The SET TARGET PORT GROUPS parameter list for one group: 4 reserved bytes, then one
     * descriptor (ASYMMETRIC ACCESS STATE in byte 0 bits 3-0, TARGET PORT GROUP in bytes 2-3).
     */
    public static byte[] setTargetPortGroupsParameters(int group, AluaState state) {
        checkRange("target port group", group, 0, 0xFFFF);
        byte[] p = new byte[8];
        p[4] = (byte) state.wire();
        p[6] = (byte) (group >>> 8);
        p[7] = (byte) group;
        return p;
    }

    /** READ (16) (SBC-4): bytes 2-9 LOGICAL BLOCK ADDRESS, 10-13 TRANSFER LENGTH in blocks. */
    public static byte[] read16(long lba, int blocks) {
        checkBlocks(blocks);
        return rw16(READ_16, lba, blocks, false);
    }

    /** WRITE (16) (SBC-4); {@code fua} sets byte 1 bit 3, Force Unit Access. */
    public static byte[] write16(long lba, int blocks, boolean fua) {
        checkBlocks(blocks);
        return rw16(WRITE_16, lba, blocks, fua);
    }

    /** SYNCHRONIZE CACHE (16) (SBC-4) of the whole medium: LBA 0, NUMBER OF LOGICAL BLOCKS 0. */
    public static byte[] synchronizeCache16() {
        byte[] c = new byte[16];
        c[0] = (byte) SYNCHRONIZE_CACHE_16;
        return c;
    }

    /**
     * MODE SENSE (6) (SPC-5 "MODE SENSE(6) command"): byte 1 bit 3 DBD (no block descriptors),
     * byte 2 PC (current values, 00b) and PAGE CODE, byte 4 ALLOCATION LENGTH. The header's
     * DEVICE-SPECIFIC PARAMETER carries the WP bit (SBC-4).
     */
    public static byte[] modeSense6(int pageCode, int allocationLength) {
        checkRange("page code", pageCode, 0, 0x3F);
        checkRange("allocation length", allocationLength, 0, 0xFF);
        byte[] c = new byte[6];
        c[0] = MODE_SENSE_6;
        c[1] = 0x08;
        c[2] = (byte) pageCode;
        c[4] = (byte) allocationLength;
        return c;
    }

    /**
     * SYNCHRONIZE CACHE (16) (SBC-4) of a range: bytes 2-9 LOGICAL BLOCK ADDRESS, 10-13 NUMBER OF
     * LOGICAL BLOCKS (0 means through the last block).
     */
    public static byte[] synchronizeCache16(long lba, int blocks) {
        checkBlocks(blocks);
        return rw16(SYNCHRONIZE_CACHE_16, lba, blocks, false);
    }

    /**
     * WRITE SAME (16) (SBC-4 "WRITE SAME (16) command"): byte 1 bit 3 UNMAP, bytes 2-9 LOGICAL
     * BLOCK ADDRESS, 10-13 NUMBER OF LOGICAL BLOCKS. The data-out buffer is one logical block.
     * A count of 0 would mean "to the last block" (or be refused under WSNZ), so it is not accepted.
     *
     * @param blocks the count as an unsigned 32-bit number
     */
    public static byte[] writeSame16(long lba, int blocks, boolean unmap) {
        if (blocks == 0) {
            throw new IllegalArgumentException("WRITE SAME of 0 blocks would reach the last block");
        }
        return rw16(WRITE_SAME_16, lba, blocks, unmap);
    }

    /**
     * UNMAP (SBC-4 "UNMAP command"): bytes 7-8 PARAMETER LIST LENGTH, ANCHOR clear.
     */
    public static byte[] unmap(int parameterListLength) {
        checkRange("parameter list length", parameterListLength, UNMAP_HEADER_LENGTH, 0xFFFF);
        byte[] c = new byte[10];
        c[0] = UNMAP;
        c[7] = (byte) (parameterListLength >>> 8);
        c[8] = (byte) parameterListLength;
        return c;
    }

    /**
     * The UNMAP parameter list (SBC-4 "UNMAP parameter list"): bytes 0-1 UNMAP DATA LENGTH (the
     * bytes that follow), 2-3 UNMAP BLOCK DESCRIPTOR DATA LENGTH, then per descriptor 8 bytes
     * LOGICAL BLOCK ADDRESS and 4 bytes NUMBER OF LOGICAL BLOCKS (4 reserved).
     *
     * @param ranges pairs of (lba, blocks), each count 1 to 2^32-1
     */
    public static byte[] unmapParameters(long[][] ranges) {
        int length = UNMAP_HEADER_LENGTH + UNMAP_DESCRIPTOR_LENGTH * ranges.length;
        checkRange("UNMAP parameter list length", length, UNMAP_HEADER_LENGTH + UNMAP_DESCRIPTOR_LENGTH, 0xFFFF);
        byte[] b = new byte[length];
        int data = length - 2;
        int descriptors = length - UNMAP_HEADER_LENGTH;
        b[0] = (byte) (data >>> 8);
        b[1] = (byte) data;
        b[2] = (byte) (descriptors >>> 8);
        b[3] = (byte) descriptors;
        int at = UNMAP_HEADER_LENGTH;
        for (long[] r : ranges) {
            if (r[0] < 0 || r[1] < 1 || r[1] > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("UNMAP range of " + r[1] + " blocks at LBA " + r[0]
                        + " is not 1..4294967295 blocks at a non-negative LBA");
            }
            for (int i = 0; i < 8; i++) {
                b[at + i] = (byte) (r[0] >>> (56 - 8 * i));
            }
            put32(b, at + 8, (int) r[1]);
            at += UNMAP_DESCRIPTOR_LENGTH;
        }
        return b;
    }

    private static byte[] rw16(int opcode, long lba, int blocks, boolean fua) {
        if (lba < 0) {
            throw new IllegalArgumentException("LBA " + lba + " is negative");
        }
        byte[] c = new byte[16];
        c[0] = (byte) opcode;
        if (fua) {
            c[1] = 0x08;
        }
        for (int i = 0; i < 8; i++) {
            c[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        put32(c, 10, blocks);
        return c;
    }

    private static void checkBlocks(int blocks) {
        if (blocks < 0) {
            throw new IllegalArgumentException("transfer length " + blocks + " is negative");
        }
    }

    private static void put32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void checkRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range " + min + ".." + max);
        }
    }
}
