package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.List;

import static io.braid.scsi.internal.CommandFlag.NEEDS_COMPARE_AND_WRITE;
import static io.braid.scsi.internal.CommandFlag.WRITES_MEDIUM;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * The block commands that read and write the same blocks as one uninterrupted action (SBC-4):
 * COMPARE AND WRITE, ORWRITE, WRITE AND VERIFY and WRITE ATOMIC. Each holds its LBA range
 * exclusively in the unit's {@link RangeLock} from the first read to the last write, so no other
 * command that changes the medium (every WRITE, WRITE SAME, UNMAP, SANITIZE, another of these)
 * touches those blocks in between. Plain writes take the range shared and never wait for each
 * other.
 */
final class CompareAndWriteCommands {

    /**
     * MAXIMUM COMPARE AND WRITE LENGTH: the largest value the one-byte NUMBER OF LOGICAL BLOCKS
     * field holds. VMware's ATS uses one block; larger compares cost only their own buffers.
     */
    static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;

    /** WRITE ATOMIC keeps the old data of its range to restore after a failed write: 1 MiB at most. */
    private static final int MAX_ATOMIC_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(CompareAndWriteCommands.class);

    private CompareAndWriteCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        return List.of(
                CommandDescriptor.of("WRITE AND VERIFY(10)", 0x2E, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.TEN, cdb, bs),
                        c -> writeAndVerify(c, LbaFields.TEN),
                        "2e 16 ff ff ff ff 00 ff ff 00",
                        "00 01 00 00 00 00 3f 00 00 c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("WRITE AND VERIFY(16)", 0x8E, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.SIXTEEN, cdb, bs),
                        c -> writeAndVerify(c, LbaFields.SIXTEEN),
                        "8e 16 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("COMPARE AND WRITE", 0x89, -1, OUT,
                        (cdb, bs) -> 2L * (cdb[13] & 0xFF) * bs,
                        CompareAndWriteCommands::compareAndWrite,
                        "89 18 ff ff ff ff ff ff ff ff 00 00 00 ff 00 00",
                        "00 02 00 00 00 00 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM, NEEDS_COMPARE_AND_WRITE),
                CommandDescriptor.of("ORWRITE(16)", 0x8B, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.SIXTEEN, cdb, bs),
                        CompareAndWriteCommands::orWrite,
                        "8b 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 02 00 00 00 00 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("WRITE ATOMIC(16)", 0x9C, -1, OUT,
                        (cdb, bs) -> (long) BigEndian.u16(cdb, 12) * bs,
                        CompareAndWriteCommands::writeAtomic,
                        "9c 18 ff ff ff ff ff ff ff ff 00 00 ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("WRITE AND VERIFY(12)", 0xAE, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.TWELVE, cdb, bs),
                        c -> writeAndVerify(c, LbaFields.TWELVE),
                        "ae 16 ff ff ff ff ff ff ff ff 00 00",
                        "00 01 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM));
    }

    /** MAXIMUM ATOMIC TRANSFER LENGTH in blocks: within both the atomic buffer and the transfer limit. */
    static long maxAtomicBlocks(LogicalUnit unit, TargetLimits limits) {
        return Math.min(limits.maxTransferBlocks(unit.blockSize()), MAX_ATOMIC_BYTES / unit.blockSize());
    }

    /*
     * COMPARE AND WRITE (89h): 1 WRPROTECT(3) DPO FUA reserved FUA_NV(obsolete) reserved,
     * 2-9 LOGICAL BLOCK ADDRESS, 13 NUMBER OF LOGICAL BLOCKS, 14 GROUP NUMBER. The data-out buffer
     * holds the verify data (NUMBER blocks) followed by the write data (NUMBER blocks). A
     * difference ends the command with MISCOMPARE / MISCOMPARE DURING VERIFY OPERATION and
     * INFORMATION set to the offset of the first differing byte in the data-out buffer; nothing is
     * written then. The data-out must be exactly twice the blocks: iSCSI lets the device server
     * see a wrong expected length, and half a compare is never what the initiator meant.
     */
    static ScsiResult compareAndWrite(Command cmd) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        long lba = BigEndian.u64(cdb, 2);
        int blocks = cdb[13] & 0xFF;
        BlockRange.check(lba, blocks, u.blockCount());
        if (blocks > MAX_COMPARE_AND_WRITE_BLOCKS) {
            throw CheckCondition.invalidFieldInCdb(13, 7);
        }
        int bs = u.blockSize();
        int half = blocks * bs;
        ByteBuf data = cmd.dataOut();
        if (data.readableBytes() != 2 * half) {
            throw CheckCondition.invalidFieldInCdb(13, 7);
        }
        if (blocks == 0) {
            return cmd.good();
        }
        boolean fua = (cdb[1] & 0x08) != 0;
        u.ranges().lockExclusive(lba, blocks, cmd);
        try {
            ByteBuf medium = cmd.allocator().ioBuffer(half, half);
            try {
                u.read(lba, medium.nioBuffer(0, half));
                int at = medium.nioBuffer(0, half).mismatch(data.nioBuffer(data.readerIndex(), half));
                if (at >= 0) {
                    throw new CheckCondition(Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION).withInformation(at));
                }
            } finally {
                medium.release();
            }
            cmd.checkAborted();
            u.writeUnderLock(lba, data.nioBuffer(data.readerIndex() + half, half), fua);
        } finally {
            u.ranges().unlockExclusive(lba, blocks);
        }
        return cmd.good();
    }

    /*
     * ORWRITE(16) (8Bh): 1 ORPROTECT(3) DPO FUA reserved FUA_NV(obsolete) reserved, 2-9 LBA, 10-13
     * TRANSFER LENGTH, 14 GROUP NUMBER. Each block becomes the bitwise OR of what the medium held
     * and the data-out (SBC-4 "ORWRITE"; no BMOP or generation processing: that is ORWRITE(32)).
     */
    static ScsiResult orWrite(Command cmd) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        long lba = LbaFields.SIXTEEN.lba(cdb);
        long blocks = LbaFields.SIXTEEN.blocks(cdb);
        BlockRange.check(lba, blocks, u.blockCount());
        SbcCommands.checkTransferLength(cmd, blocks, LbaFields.SIXTEEN);
        int bs = u.blockSize();
        int whole = SbcCommands.wholeBlocksReceived(cmd, blocks * bs, bs);
        if (whole == 0) {
            return cmd.good();
        }
        int bytes = whole * bs;
        ByteBuf data = cmd.dataOut();
        boolean fua = (cdb[1] & 0x08) != 0;
        u.ranges().lockExclusive(lba, whole, cmd);
        try {
            ByteBuf merged = cmd.allocator().ioBuffer(bytes, bytes);
            try {
                u.read(lba, merged.nioBuffer(0, bytes));
                int at = 0;
                for (; at + 8 <= bytes; at += 8) {
                    merged.setLong(at, merged.getLong(at) | data.getLong(data.readerIndex() + at));
                }
                for (; at < bytes; at++) {
                    merged.setByte(at, merged.getByte(at) | data.getByte(data.readerIndex() + at));
                }
                cmd.checkAborted();
                u.writeUnderLock(lba, merged.nioBuffer(0, bytes), fua);
            } finally {
                merged.release();
            }
        } finally {
            u.ranges().unlockExclusive(lba, whole);
        }
        return cmd.good();
    }

    /*
     * WRITE AND VERIFY(10/12/16) (2Eh/AEh/8Eh): 1 WRPROTECT(3) DPO reserved BYTCHK(2) obsolete,
     * LBA and TRANSFER LENGTH where WRITE has them. The blocks are written through to the medium
     * (the verify is of the medium, so no cache may stand in between), then BYTCHK 00b reads them
     * back and 01b also compares them with the data-out; 10b and 11b are reserved for this
     * command. The range stays exclusive throughout, so a difference means the medium did not
     * keep what was written, never a concurrent write. Short data-out: the whole blocks received
     * are written and verified (see SbcCommands).
     */
    static ScsiResult writeAndVerify(Command cmd, LbaFields fields) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        int bytchk = (cdb[1] >>> 1) & 0x03;
        if (bytchk > 0b01) {
            throw CheckCondition.invalidFieldInCdb(1, 2);
        }
        long lba = fields.lba(cdb);
        long blocks = fields.blocks(cdb);
        BlockRange.check(lba, blocks, u.blockCount());
        SbcCommands.checkTransferLength(cmd, blocks, fields);
        int bs = u.blockSize();
        int whole = SbcCommands.wholeBlocksReceived(cmd, blocks * bs, bs);
        if (whole == 0) {
            return cmd.good();
        }
        ByteBuf data = cmd.dataOut();
        u.ranges().lockExclusive(lba, whole, cmd);
        try {
            u.writeUnderLock(lba, data.nioBuffer(data.readerIndex(), whole * bs), true);
            if (bytchk == 0b01) {
                SbcCommands.compare(cmd, u, lba, whole, false);
            } else {
                SbcCommands.verifyMedium(cmd, u, lba, whole);
            }
        } finally {
            u.ranges().unlockExclusive(lba, whole);
        }
        return cmd.good();
    }

    /*
     * WRITE ATOMIC(16) (9Ch): 1 WRPROTECT(3) DPO FUA, 2-9 LBA, 10-11 ATOMIC BOUNDARY (no boundaries
     * are supported, so it must be zero: the usage map refuses anything else), 12-13 TRANSFER
     * LENGTH, 14 GROUP NUMBER. All or nothing (SBC-4 "Atomic write operations"): the range is
     * exclusive, so no other write interleaves, and when the backstore fails part way the old
     * data is written back. Data-out short of the whole transfer writes nothing.
     */
    static ScsiResult writeAtomic(Command cmd) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        long lba = BigEndian.u64(cdb, 2);
        int blocks = BigEndian.u16(cdb, 12);
        BlockRange.check(lba, blocks, u.blockCount());
        if (blocks > maxAtomicBlocks(u, cmd.target().limits())) {
            throw CheckCondition.invalidFieldInCdb(12, 7);
        }
        if (blocks == 0) {
            return cmd.good();
        }
        int bytes = blocks * u.blockSize();
        ByteBuf data = cmd.dataOut();
        if (data.readableBytes() < bytes) {
            throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        }
        boolean fua = (cdb[1] & 0x08) != 0;
        u.ranges().lockExclusive(lba, blocks, cmd);
        try {
            ByteBuf old = cmd.allocator().ioBuffer(bytes, bytes);
            try {
                u.read(lba, old.nioBuffer(0, bytes));
                cmd.checkAborted();
                try {
                    u.writeUnderLock(lba, data.nioBuffer(data.readerIndex(), bytes), fua);
                } catch (CheckCondition e) {
                    if (e.sense().code() == SenseCode.WRITE_ERROR) {
                        restore(u, lba, old.nioBuffer(0, bytes));
                    }
                    throw e;
                }
            } finally {
                old.release();
            }
        } finally {
            u.ranges().unlockExclusive(lba, blocks);
        }
        return cmd.good();
    }

    /** Best effort: the write already failed, so the backstore may well refuse this too. */
    private static void restore(LogicalUnit u, long lba, ByteBuffer old) {
        try {
            u.writeUnderLock(lba, old, true);
        } catch (CheckCondition e) {
            log.warn("lun {} ({}): WRITE ATOMIC at lba {} failed and the old data could not be written back: {}",
                    u.lun(), u.name(), lba, e.getMessage());
        }
    }
}
