package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Handlers for the block commands (SBC-4): READ CAPACITY, READ, WRITE, VERIFY, SYNCHRONIZE CACHE.
 *
 * <p>Data-out shorter than the CDB describes (iSCSI EDTL below the SCSI transfer length, residual
 * overflow): the command is processed for the whole blocks that did arrive and ends GOOD, and the
 * transport reports the overflow residual from {@link ScsiResult#transferLength()} — the FCP-4
 * "process normally, transfer no data beyond the expected length" rule, which is what libiscsi's
 * iSCSIResiduals tests accept for WRITE and require for WRITE AND VERIFY. When the data ends inside
 * a block, nothing is written and the command ends with ILLEGAL REQUEST / INVALID FIELD IN COMMAND
 * INFORMATION UNIT (the rule LIO applies to every such WRITE), because a partial block cannot be
 * written without reading the rest of it back under a lock. Data-out longer than the CDB describes
 * (underflow) is ignored past the described length.
 */
final class SbcCommands {

    /** Medium verification reads at most this much at a time, so VERIFY of a whole volume stays bounded. */
    private static final int VERIFY_CHUNK = 1 << 20;

    private SbcCommands() {
    }

    /*
     * READ CAPACITY(10) (25h) parameter data: 0-3 RETURNED LOGICAL BLOCK ADDRESS (FFFFFFFFh when the
     * last LBA does not fit: the initiator must use READ CAPACITY(16)), 4-7 LOGICAL BLOCK LENGTH.
     * The LBA and PMI fields are obsolete in SBC-4 and ignored.
     */
    static ScsiResult readCapacity10(Command cmd) {
        LogicalUnit u = cmd.unit();
        byte[] b = new byte[8];
        BigEndian.put32(b, 0, Math.min(u.blockCount() - 1, 0xFFFF_FFFFL));
        BigEndian.put32(b, 4, u.blockSize());
        return cmd.dataIn(b);
    }

    /*
     * READ CAPACITY(16) (9Eh/10h), ALLOCATION LENGTH in bytes 10-13. Parameter data, 32 bytes:
     *  0-7 RETURNED LOGICAL BLOCK ADDRESS   12 P_TYPE | PROT_EN              14 LBPME LBPRZ | LOWEST
     *  8-11 LOGICAL BLOCK LENGTH            13 P_I_EXPONENT | LBPPBE         15    ALIGNED LBA
     * No protection information; LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT 0: the physical
     * layout under a backstore is unknown (and libiscsi's GET LBA STATUS checks hold only for one
     * logical block per physical block). LBPME and LBPRZ when thin provisioned: deallocated
     * blocks read as zeroes (BlockDevice.unmap promises it).
     */
    static ScsiResult readCapacity16(Command cmd) {
        LogicalUnit u = cmd.unit();
        byte[] b = new byte[32];
        BigEndian.put64(b, 0, u.blockCount() - 1);
        BigEndian.put32(b, 8, u.blockSize());
        if (u.thinProvisioned()) {
            b[14] = (byte) 0xC0;
        }
        return cmd.dataIn(b);
    }

    /** READ(6/10/12/16): DPO is a cache hint and ignored; FUA makes cached writes durable before reading. */
    static ScsiResult read(Command cmd, LbaFields fields) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        long lba = fields.lba(cdb);
        long blocks = fields.blocks(cdb);
        BlockRange.check(lba, blocks, u.blockCount());
        checkTransferLength(cmd, blocks, fields);
        if (blocks == 0) {
            return cmd.good();
        }
        if (fields != LbaFields.SIX && (cdb[1] & 0x08) != 0) {
            // FUA read: the data must come from the medium, so nothing newer may sit in a cache.
            u.flush();
        }
        int bytes = (int) blocks * u.blockSize();
        ByteBuf buf = cmd.allocator().ioBuffer(bytes, bytes);
        try {
            u.read(lba, buf.nioBuffer(0, bytes));
            buf.writerIndex(bytes);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        return cmd.dataIn(buf);
    }

    /** WRITE(6/10/12/16): FUA reaches stable storage through {@link io.braid.store.BlockDevice#write}. */
    static ScsiResult write(Command cmd, LbaFields fields) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        long lba = fields.lba(cdb);
        long blocks = fields.blocks(cdb);
        BlockRange.check(lba, blocks, u.blockCount());
        checkTransferLength(cmd, blocks, fields);
        boolean fua = fields != LbaFields.SIX && (cdb[1] & 0x08) != 0;
        int bs = u.blockSize();
        int whole = wholeBlocksReceived(cmd, blocks * bs, bs);
        if (whole > 0) {
            writeBlocks(cmd, u, lba, whole * bs, fua);
        }
        return cmd.good();
    }

    /*
     * VERIFY(10/12/16): 1 VRPROTECT (rejected through the usage mask) DPO BYTCHK(2 bits). BYTCHK 00b
     * verifies the medium by reading it, 01b compares the data-out blocks, 11b compares one data-out
     * block against every block of the range, 10b is reserved. A difference ends the command with
     * MISCOMPARE and INFORMATION set to the offset of the first differing byte in the data-out
     * buffer.
     */
    static ScsiResult verify(Command cmd, LbaFields fields) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        int bytchk = (cdb[1] >>> 1) & 0x03;
        if (bytchk == 0b10) {
            throw CheckCondition.invalidFieldInCdb(1, 2);
        }
        long lba = fields.lba(cdb);
        long blocks = fields.blocks(cdb);
        BlockRange.check(lba, blocks, u.blockCount());
        if (bytchk != 0) {
            checkTransferLength(cmd, blocks, fields);
        }
        if (blocks == 0) {
            return cmd.good();
        }
        int bs = u.blockSize();
        switch (bytchk) {
            case 0b00 -> verifyMedium(cmd, u, lba, blocks);
            case 0b01 -> compare(cmd, u, lba, wholeBlocksReceived(cmd, blocks * bs, bs), false);
            default -> {
                if (wholeBlocksReceived(cmd, bs, bs) == 1) {
                    compare(cmd, u, lba, (int) blocks, true);
                }
            }
        }
        return cmd.good();
    }

    /*
     * SYNCHRONIZE CACHE(10/16): 1 IMMED (bit 1). NUMBER OF LOGICAL BLOCKS 0 means "to the last
     * LBA". The backstore flushes everything, which covers any range. IMMED is accepted and the
     * status still waits for the flush: an initiator cannot tell the difference except by latency.
     */
    static ScsiResult synchronizeCache(Command cmd, LbaFields fields) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        BlockRange.check(fields.lba(cdb), fields.blocks(cdb), u.blockCount());
        u.flush();
        return cmd.good();
    }

    /** Bytes a READ or WRITE CDB describes. */
    static long readWriteBytes(LbaFields fields, byte[] cdb, int blockSize) {
        return fields.blocks(cdb) * blockSize;
    }

    /** Bytes of data-out a VERIFY CDB describes: none, all blocks, or one block (BYTCHK 11b). */
    static long verifyBytes(LbaFields fields, byte[] cdb, int blockSize) {
        long blocks = fields.blocks(cdb);
        return switch ((cdb[1] >>> 1) & 0x03) {
            case 0b01 -> blocks * blockSize;
            case 0b11 -> blocks == 0 ? 0 : blockSize;
            default -> 0;
        };
    }

    /** SBC-4: a TRANSFER LENGTH above the Block Limits MAXIMUM TRANSFER LENGTH is an invalid field. */
    static void checkTransferLength(Command cmd, long blocks, LbaFields fields) {
        if (blocks > cmd.target().limits().maxTransferBlocks(cmd.unit().blockSize())) {
            throw CheckCondition.invalidFieldInCdb(fields.lengthByte(), 7);
        }
    }

    /** Whole blocks of data-out to process; see the class comment for the short data-out rule. */
    static int wholeBlocksReceived(Command cmd, long needed, int blockSize) {
        int available = cmd.dataOut().readableBytes();
        if (available >= needed) {
            return (int) (needed / blockSize);
        }
        if (available % blockSize != 0) {
            throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        }
        return available / blockSize;
    }

    /**
     * Writes {@code bytes} of data-out without copying when its components are block aligned (the
     * usual case: one per iSCSI Data-Out PDU); otherwise merges them once. With several pieces FUA
     * becomes one flush after the last, which covers them all.
     */
    static void writeBlocks(Command cmd, LogicalUnit u, long lba, int bytes, boolean fua) {
        ByteBuf data = cmd.dataOut();
        int bs = u.blockSize();
        if (data.nioBufferCount() == 1) {
            // The usual case (one Data-Out PDU or immediate data): no array of views to build.
            u.write(cmd, lba, data.nioBuffer(data.readerIndex(), bytes), fua);
            return;
        }
        ByteBuffer[] parts = data.nioBuffers(data.readerIndex(), bytes);
        boolean aligned = true;
        for (ByteBuffer p : parts) {
            aligned &= p.remaining() % bs == 0;
        }
        if (parts.length == 1 || !aligned) {
            u.write(cmd, lba, parts.length == 1 ? parts[0] : data.nioBuffer(data.readerIndex(), bytes), fua);
            return;
        }
        long at = lba;
        for (ByteBuffer p : parts) {
            cmd.checkAborted();
            int n = p.remaining();
            u.write(cmd, at, p, false);
            at += n / bs;
        }
        if (fua) {
            u.flush();
        }
    }

    static void verifyMedium(Command cmd, LogicalUnit u, long lba, long blocks) {
        int bs = u.blockSize();
        int chunkBlocks = VERIFY_CHUNK / bs;
        ByteBuf buf = cmd.allocator().ioBuffer(VERIFY_CHUNK, VERIFY_CHUNK);
        try {
            for (long done = 0; done < blocks; ) {
                cmd.checkAborted();
                int n = (int) Math.min(chunkBlocks, blocks - done);
                u.read(lba + done, buf.nioBuffer(0, n * bs));
                done += n;
            }
        } finally {
            buf.release();
        }
    }

    /**
     * Compares {@code blocks} blocks of the medium from {@code lba} with the data-out buffer, or
     * with its first block repeated when {@code onePattern}.
     */
    static void compare(Command cmd, LogicalUnit u, long lba, int blocks, boolean onePattern) {
        if (blocks == 0) {
            return;
        }
        int bs = u.blockSize();
        ByteBuf data = cmd.dataOut();
        int chunkBlocks = VERIFY_CHUNK / bs;
        ByteBuf medium = cmd.allocator().ioBuffer(VERIFY_CHUNK, VERIFY_CHUNK);
        try {
            for (int done = 0; done < blocks; ) {
                cmd.checkAborted();
                int n = Math.min(chunkBlocks, blocks - done);
                ByteBuffer m = medium.nioBuffer(0, n * bs);
                u.read(lba + done, m.duplicate());
                for (int i = 0; i < n; i++) {
                    int offset = onePattern ? 0 : (done + i) * bs;
                    ByteBuffer expected = data.nioBuffer(data.readerIndex() + offset, bs);
                    ByteBuffer actual = m.slice(i * bs, bs);
                    int at = actual.mismatch(expected);
                    if (at >= 0) {
                        throw new CheckCondition(Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION)
                                .withInformation(offset + at));
                    }
                }
                done += n;
            }
        } finally {
            medium.release();
        }
    }
}
