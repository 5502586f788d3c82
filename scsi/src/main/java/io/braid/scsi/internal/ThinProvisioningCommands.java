package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.store.BlockDevice;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

import static io.braid.scsi.internal.CommandFlag.NEEDS_THIN_PROVISIONING;
import static io.braid.scsi.internal.CommandFlag.NEEDS_UNMAP;
import static io.braid.scsi.internal.CommandFlag.WRITES_MEDIUM;
import static io.braid.scsi.internal.DataDirection.IN;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * Logical block provisioning (SBC-4 "Logical block provisioning"): WRITE SAME(10/16) with the
 * UNMAP and NDOB bits, UNMAP and GET LBA STATUS. A unit is thin provisioned when its
 * THIN_PROVISIONING switch is on and its backstore deallocates ({@link LogicalUnit#thinProvisioned});
 * then deallocated blocks read as zeroes (LBPRZ). A unit whose backstore can also anchor reports
 * ANC_SUP and takes the ANCHOR bit of WRITE SAME and UNMAP: anchored blocks have their storage
 * allocated, read as zeroes and GET LBA STATUS reports them anchored (2h) until written or
 * unmapped; elsewhere ANCHOR is an INVALID FIELD IN CDB. WRITE SAME itself is offered by every unit; GET LBA STATUS
 * by every unit with the switch on (a fully provisioned one reports everything mapped).
 */
final class ThinProvisioningCommands {

    /** MAXIMUM UNMAP LBA COUNT: per command; libiscsi and Linux expect a bounded value below 2^20. */
    static final long MAX_UNMAP_BLOCKS = 1L << 20;
    /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT. */
    static final int MAX_UNMAP_DESCRIPTORS = 256;
    /**
     * MAXIMUM WRITE SAME LENGTH: below 65536 blocks so a WRITE SAME never describes more than one
     * WRITE of the MAXIMUM TRANSFER LENGTH could verify, and one command stays short.
     */
    static final long MAX_WRITE_SAME_BLOCKS = 0xFFFF;
    /** GET LBA STATUS returns at most this many descriptors, whatever the allocation length. */
    static final int MAX_LBA_STATUS_DESCRIPTORS = 1024;

    /** WRITE SAME writes its repeated block from a buffer of at most this size. */
    private static final int WRITE_SAME_CHUNK = 1 << 20;

    private ThinProvisioningCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        return List.of(
                CommandDescriptor.of("WRITE SAME(10)", 0x41, -1, OUT, (cdb, bs) -> bs,
                        c -> writeSame(c, false),
                        "41 18 ff ff ff ff 00 ff ff 00",
                        "00 00 00 00 00 00 3f 00 00 c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("UNMAP", 0x42, -1, OUT, (cdb, bs) -> BigEndian.u16(cdb, 7),
                        ThinProvisioningCommands::unmap,
                        "42 01 00 00 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 3f 00 00 c2",
                        WRITES_MEDIUM, NEEDS_UNMAP),
                CommandDescriptor.of("WRITE SAME(16)", 0x93, -1, OUT, (cdb, bs) -> (cdb[1] & 0x01) != 0 ? 0 : bs,
                        c -> writeSame(c, true),
                        "93 19 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("GET LBA STATUS", 0x9E, 0x12, IN, (cdb, bs) -> BigEndian.u32(cdb, 10),
                        ThinProvisioningCommands::getLbaStatus,
                        "9e 1f ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 c2",
                        NEEDS_THIN_PROVISIONING));
    }

    /*
     * WRITE SAME(10) (41h): 1 WRPROTECT(3) ANCHOR UNMAP obsolete(2) reserved, 2-5 LBA, 6 GROUP
     * NUMBER, 7-8 NUMBER OF LOGICAL BLOCKS. WRITE SAME(16) (93h): 1 as (10) with NDOB in bit 0,
     * 2-9 LBA, 10-13 NUMBER OF LOGICAL BLOCKS, 14 GROUP NUMBER.
     * NUMBER OF LOGICAL BLOCKS 0 means "to the last LBA" (WSNZ 0); the resulting count is held
     * to MAXIMUM WRITE SAME LENGTH. NDOB: no data-out, the block is zeroes. SBC-4 "ANCHOR bit,
     * UNMAP bit, and ANC_SUP bit relationships": UNMAP 1 ANCHOR 0 deallocates the blocks whatever
     * the data-out holds (unmap, not write), so they read as zeroes afterwards; UNMAP 1 ANCHOR 1
     * anchors them when ANC_SUP is 1 and is an error otherwise; ANCHOR 1 without UNMAP is always
     * an error (INVALID FIELD IN CDB on the ANCHOR bit). The data-out must be exactly one block.
     */
    static ScsiResult writeSame(Command cmd, boolean sixteen) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        boolean anchor = (cdb[1] & 0x10) != 0;
        boolean unmap = (cdb[1] & 0x08) != 0;
        boolean ndob = sixteen && (cdb[1] & 0x01) != 0;
        long lba = sixteen ? BigEndian.u64(cdb, 2) : BigEndian.u32(cdb, 2);
        long blocks = sixteen ? BigEndian.u32(cdb, 10) : BigEndian.u16(cdb, 7);
        if (unmap && !u.thinProvisioned()) {
            throw CheckCondition.invalidFieldInCdb(1, 3);
        }
        if (anchor && (!unmap || !u.anchorSupported())) {
            throw CheckCondition.invalidFieldInCdb(1, 4);
        }
        long capacity = u.blockCount();
        BlockRange.check(lba, blocks, capacity);
        long count = blocks == 0 ? capacity - lba : blocks;
        if (count > MAX_WRITE_SAME_BLOCKS) {
            throw CheckCondition.invalidFieldInCdb(sixteen ? 10 : 7, 7);
        }
        int bs = u.blockSize();
        ByteBuf data = cmd.dataOut();
        if (data.readableBytes() != (ndob ? 0 : bs)) {
            // The expected data transfer length disagrees with the one block the CDB describes.
            throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        }
        if (anchor) {
            u.anchor(cmd, lba, count);
            return cmd.good();
        }
        if (unmap) {
            u.unmap(cmd, lba, count);
            return cmd.good();
        }
        byte[] block = new byte[bs];
        if (!ndob) {
            data.getBytes(data.readerIndex(), block);
        }
        u.ranges().lockShared(lba, count, cmd);
        try {
            int chunkBlocks = (int) Math.min(count, WRITE_SAME_CHUNK / bs);
            byte[] pattern = new byte[chunkBlocks * bs];
            for (int i = 0; i < chunkBlocks; i++) {
                System.arraycopy(block, 0, pattern, i * bs, bs);
            }
            for (long done = 0; done < count; ) {
                cmd.checkAborted();
                int n = (int) Math.min(chunkBlocks, count - done);
                u.writeUnderLock(lba + done, ByteBuffer.wrap(pattern, 0, n * bs), false);
                done += n;
            }
        } finally {
            u.ranges().unlockShared(lba, count);
        }
        return cmd.good();
    }

    /*
     * UNMAP (42h): 1 ANCHOR (anchor rather than deallocate; INVALID FIELD IN CDB without ANC_SUP), 6 GROUP NUMBER, 7-8 PARAMETER LIST
     * LENGTH. Parameter list: 0-1 UNMAP DATA LENGTH (n-1), 2-3 UNMAP BLOCK DESCRIPTOR DATA LENGTH
     * (n-7), 4-7 reserved, then 16-byte descriptors: 0-7 LBA, 8-11 NUMBER OF LOGICAL BLOCKS.
     * A parameter list length of zero is not an error; 1 to 7 is a PARAMETER LIST LENGTH ERROR.
     * The descriptor data length is bounded by the data that arrived and a partial last
     * descriptor is ignored. Every descriptor is checked before anything is deallocated, so a
     * refused command changes nothing: more than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT descriptors
     * or more than MAXIMUM UNMAP LBA COUNT blocks in total is an INVALID FIELD IN PARAMETER LIST;
     * a range past the capacity is LOGICAL BLOCK ADDRESS OUT OF RANGE (a zero-length descriptor
     * at the capacity is allowed: it names no block).
     */
    static ScsiResult unmap(Command cmd) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        boolean anchor = (cdb[1] & 0x01) != 0;
        if (anchor && !u.anchorSupported()) {
            throw CheckCondition.invalidFieldInCdb(1, 0);
        }
        int parameterLength = BigEndian.u16(cdb, 7);
        if (parameterLength == 0) {
            return cmd.good();
        }
        ByteBuf data = cmd.dataOut();
        int available = Math.min(parameterLength, data.readableBytes());
        if (parameterLength < 8 || available < 8) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = new byte[available];
        data.getBytes(data.readerIndex(), p);
        int descriptors = Math.min(BigEndian.u16(p, 2), available - 8) / 16;
        if (descriptors > MAX_UNMAP_DESCRIPTORS) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameterList(2, 7)));
        }
        long capacity = u.blockCount();
        long total = 0;
        for (int i = 0; i < descriptors; i++) {
            long lba = BigEndian.u64(p, 8 + 16 * i);
            long blocks = BigEndian.u32(p, 16 + 16 * i);
            if (Long.compareUnsigned(lba, capacity) > 0 || blocks > capacity - lba) {
                throw new CheckCondition(Sense.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE).withInformation(lba));
            }
            total += blocks;
            if (total > MAX_UNMAP_BLOCKS) {
                throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                        FieldPointer.parameterList(16 + 16 * i, 7)));
            }
        }
        for (int i = 0; i < descriptors; i++) {
            cmd.checkAborted();
            long lba = BigEndian.u64(p, 8 + 16 * i);
            long blocks = BigEndian.u32(p, 16 + 16 * i);
            if (anchor) {
                u.anchor(cmd, lba, blocks);
            } else {
                u.unmap(cmd, lba, blocks);
            }
        }
        return cmd.good();
    }

    /*
     * GET LBA STATUS (9Eh/12h): 2-9 STARTING LOGICAL BLOCK ADDRESS, 10-13 ALLOCATION LENGTH.
     * Parameter data: 0-3 PARAMETER DATA LENGTH (n-3), 4-7 reserved, then 16-byte LBA status
     * descriptors: 0-7 LBA, 8-11 NUMBER OF LOGICAL BLOCKS, 12 PROVISIONING STATUS (0h mapped, 1h
     * deallocated, 2h anchored), 13-15 reserved. The first descriptor starts at the starting LBA; descriptors
     * follow without gaps as far as the allocation length (at most MAX_LBA_STATUS_DESCRIPTORS) and
     * the capacity go. Adjacent runs with the same status are merged.
     */
    static ScsiResult getLbaStatus(Command cmd) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        long start = BigEndian.u64(cdb, 2);
        long allocation = BigEndian.u32(cdb, 10);
        long capacity = u.blockCount();
        if (Long.compareUnsigned(start, capacity) >= 0) {
            throw CheckCondition.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        int room = (int) Math.max(1, Math.min(MAX_LBA_STATUS_DESCRIPTORS, (allocation - 8) / 16));
        int bs = u.blockSize();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[8]);
        int count = 0;
        long runLba = start;
        long runBlocks = 0;
        int runStatus = DEALLOCATED;
        for (long at = start; at < capacity; ) {
            cmd.checkAborted();
            BlockDevice.Extent e = u.provisioning(at);
            int status = e.mapped() ? MAPPED : e.anchored() ? ANCHORED : DEALLOCATED;
            long blocks = Math.max(1, Math.min(e.length() / bs, capacity - at));
            if (runBlocks > 0 && status == runStatus && runBlocks + blocks <= 0xFFFF_FFFFL) {
                runBlocks += blocks;
            } else {
                if (runBlocks > 0) {
                    descriptor(out, runLba, runBlocks, runStatus);
                    if (++count == room) {
                        runBlocks = 0;
                        break;
                    }
                }
                runLba = at;
                runBlocks = Math.min(blocks, 0xFFFF_FFFFL);
                runStatus = status;
                blocks = runBlocks;
            }
            at += blocks;
        }
        if (runBlocks > 0) {
            descriptor(out, runLba, runBlocks, runStatus);
        }
        byte[] b = out.toByteArray();
        BigEndian.put32(b, 0, b.length - 4);
        return cmd.dataIn(b);
    }

    /** PROVISIONING STATUS codes (SBC-4 "LBA status descriptor"). */
    private static final int MAPPED = 0x0, DEALLOCATED = 0x1, ANCHORED = 0x2;

    private static void descriptor(ByteArrayOutputStream out, long lba, long blocks, int status) {
        byte[] d = new byte[16];
        BigEndian.put64(d, 0, lba);
        BigEndian.put32(d, 8, blocks);
        d[12] = (byte) status;
        out.writeBytes(d);
    }
}
