package io.braid.iscsi.pdu;

import static io.braid.iscsi.pdu.PduReader.AHS_BIDI_READ_LENGTH;
import static io.braid.iscsi.pdu.PduReader.AHS_EXTENDED_CDB;
import static io.braid.iscsi.pdu.PduReader.BHS_CDB_LENGTH;
import static io.braid.iscsi.pdu.PduReader.BHS_LENGTH;
import static io.braid.iscsi.pdu.PduReader.FLAG_F;
import static io.braid.iscsi.pdu.PduReader.FLAG_I;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Encodes PDUs (RFC 7143 11), the inverse of {@link PduReader}: one exhaustive switch over the
 * sealed {@link Pdu}, every BHS written through {@link #bhs}, which checks the fields common to
 * all PDUs. Field layouts are drawn beside the matching methods of {@link PduReader}.
 *
 * <p>Out-of-range record fields are programming errors of the caller and raise
 * {@link IllegalArgumentException} naming the field, the value and the allowed range.
 */
public final class PduWriter {
    /** Largest DataSegmentLength the 24-bit field can carry. */
    public static final int MAX_DATA_SEGMENT_LENGTH = 0xff_ffff;
    /** Largest AHS in bytes: TotalAHSLength is one byte counting 4-byte words. */
    public static final int MAX_AHS_LENGTH = 255 * 4;

    private PduWriter() {
    }

    /**
     * Frames {@code pdu} for the wire and adds the parts to {@code out} in order: the header
     * (BHS, AHS, header digest) in a small buffer from {@code alloc}; the data segment as a
     * retained slice of {@code pdu.data()}, never copied; then a trailer with the padding to a
     * multiple of 4 bytes and the data digest. Parts that would be empty are left out.
     *
     * <p>The caller keeps its reference to {@code pdu}; the buffers added to {@code out} are new
     * references for the caller to write or release. Nothing is added when this method throws.
     */
    public static void write(Pdu pdu, ByteBufAllocator alloc, boolean headerDigest,
                             boolean dataDigest, List<Object> out) {
        ByteBuf data = pdu.data();
        int dataLength = data.readableBytes();
        int padding = padding(dataLength);
        int headerLength = BHS_LENGTH + ahsLength(pdu);
        ByteBuf header = alloc.buffer(headerLength + (headerDigest ? Crc32c.DIGEST_LENGTH : 0));
        ByteBuf trailer = null;
        try {
            writeHeader(pdu, header);
            if (headerDigest) {
                Crc32c.writeDigest(header, Crc32c.compute(header));
            }
            // RFC 7143 11.1: no data segment, no padding and no data digest.
            int trailerLength = dataLength == 0 ? 0
                    : padding + (dataDigest ? Crc32c.DIGEST_LENGTH : 0);
            if (trailerLength > 0) {
                trailer = alloc.buffer(trailerLength);
                trailer.writeZero(padding);
                if (dataDigest) {
                    Crc32c.writeDigest(trailer, Crc32c.computePadded(data, padding));
                }
            }
        } catch (RuntimeException e) {
            header.release();
            if (trailer != null) {
                trailer.release();
            }
            throw e;
        }
        out.add(header);
        if (dataLength > 0) {
            out.add(data.retainedSlice());
        }
        if (trailer != null) {
            out.add(trailer);
        }
    }

    /** Padding after a data segment of {@code length} bytes (RFC 7143 11.1). */
    public static int padding(int length) {
        return -length & 3;
    }

    /** Writes the BHS and the AHS of {@code pdu} into {@code out}; no digest, no data. */
    public static void writeHeader(Pdu pdu, ByteBuf out) {
        int start = out.writerIndex();
        switch (pdu) {
            case NopOut p -> writeNopOut(p, out);
            case ScsiCommand p -> writeScsiCommand(p, out);
            case TaskMgmtRequest p -> writeTaskMgmtRequest(p, out);
            case LoginRequest p -> writeLoginRequest(p, out);
            case TextRequest p -> writeTextRequest(p, out);
            case DataOut p -> writeDataOut(p, out);
            case LogoutRequest p -> writeLogoutRequest(p, out);
            case Snack p -> writeSnack(p, out);
            case NopIn p -> writeNopIn(p, out);
            case ScsiResponse p -> writeScsiResponse(p, out);
            case TaskMgmtResponse p -> writeTaskMgmtResponse(p, out);
            case LoginResponse p -> writeLoginResponse(p, out);
            case TextResponse p -> writeTextResponse(p, out);
            case DataIn p -> writeDataIn(p, out);
            case LogoutResponse p -> writeLogoutResponse(p, out);
            case ReadyToTransfer p -> writeReadyToTransfer(p, out);
            case AsyncMessage p -> writeAsyncMessage(p, out);
            case Reject p -> writeReject(p, out);
        }
        assert out.writerIndex() - start == BHS_LENGTH + ahsLength(pdu) : pdu.opcode();
    }

    /**
     * Writes one BHS, row by row as drawn in RFC 7143 11.2.1; the only place a header is
     * written. Checks the fields every PDU shares.
     *
     * @param byte1           the flags byte (F bit and opcode-specific bits)
     * @param totalAhsLength  AHS bytes that will follow, a multiple of 4
     * @param data            the data segment, whose length goes into DataSegmentLength
     * @param bytes8          bytes 8-15: LUN, ISID+TSIH, or reserved (0)
     */
    static void bhs(ByteBuf out, Opcode opcode, boolean immediate, int byte1, int byte2,
                    int byte3, int totalAhsLength, ByteBuf data, long bytes8, int itt,
                    int word20, int word24, int word28, int word32, int word36, int word40,
                    int word44) {
        if (immediate && !opcode.fromInitiator()) {
            throw new IllegalArgumentException(opcode + " immediate bit set; only initiator"
                    + " PDUs carry the I bit");
        }
        range(opcode, "flags byte", byte1, 0, 0xff);
        range(opcode, "byte 2", byte2, 0, 0xff);
        range(opcode, "byte 3", byte3, 0, 0xff);
        if (totalAhsLength % 4 != 0 || totalAhsLength > MAX_AHS_LENGTH) {
            throw new IllegalArgumentException(opcode + " AHS length " + totalAhsLength
                    + " bytes; expected a multiple of 4 up to " + MAX_AHS_LENGTH);
        }
        range(opcode, "DataSegmentLength", data.readableBytes(), 0, MAX_DATA_SEGMENT_LENGTH);
        out.writeByte((immediate ? FLAG_I : 0) | opcode.value());
        out.writeByte(byte1);
        out.writeByte(byte2);
        out.writeByte(byte3);
        out.writeByte(totalAhsLength / 4);
        out.writeMedium(data.readableBytes());
        out.writeLong(bytes8);
        out.writeInt(itt);
        out.writeInt(word20);
        out.writeInt(word24);
        out.writeInt(word28);
        out.writeInt(word32);
        out.writeInt(word36);
        out.writeInt(word40);
        out.writeInt(word44);
    }

    private static void range(Object where, String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(where + " " + field + " " + value
                    + " out of range " + min + ".." + max);
        }
    }

    private static void noData(Pdu pdu) {
        range(pdu.opcode(), "DataSegmentLength", pdu.data().readableBytes(), 0, 0);
    }

    private static void writeNopOut(NopOut p, ByteBuf out) {
        bhs(out, Opcode.NOP_OUT, p.immediate(), FLAG_F, 0, 0, 0, p.data(), p.lun(), p.itt(),
                p.ttt(), p.cmdSn(), p.expStatSn(), 0, 0, 0, 0);
    }

    private static int ahsLength(Pdu pdu) {
        if (!(pdu instanceof ScsiCommand c)) {
            return 0;
        }
        int length = 0;
        if (c.cdb() != null && c.cdb().length > BHS_CDB_LENGTH) {
            length += extendedCdbAhsLength(c.cdb().length);
        }
        if (c.bidiReadLength() != -1) {
            length += 8;
        }
        return length;
    }

    /** Size of an Extended CDB AHS with padding: header (3) + AHSLength (CDB length - 15). */
    private static int extendedCdbAhsLength(int cdbLength) {
        return (3 + (cdbLength - 15) + 3) & ~3;
    }

    private static void writeScsiCommand(ScsiCommand p, ByteBuf out) {
        byte[] cdb = p.cdb();
        if (cdb == null || cdb.length == 0) {
            throw new IllegalArgumentException("SCSI_COMMAND cdb is empty");
        }
        range(Opcode.SCSI_COMMAND, "attr", p.attr(), 0, 7);
        int ahs = ahsLength(p);
        if (ahs > MAX_AHS_LENGTH) {
            throw new IllegalArgumentException("SCSI_COMMAND cdb length " + cdb.length + " needs "
                    + ahs + " AHS bytes; at most " + MAX_AHS_LENGTH + " fit");
        }
        int flags = (p.finalPdu() ? FLAG_F : 0) | (p.read() ? 0x40 : 0) | (p.write() ? 0x20 : 0)
                | p.attr();
        byte[] bhsCdb = new byte[BHS_CDB_LENGTH];
        System.arraycopy(cdb, 0, bhsCdb, 0, Math.min(cdb.length, BHS_CDB_LENGTH));
        bhs(out, Opcode.SCSI_COMMAND, p.immediate(), flags, 0, 0, ahs, p.data(), p.lun(),
                p.itt(), p.expectedDataTransferLength(), p.cmdSn(), p.expStatSn(),
                word(bhsCdb, 0), word(bhsCdb, 4), word(bhsCdb, 8), word(bhsCdb, 12));
        if (cdb.length > BHS_CDB_LENGTH) {
            // Extended CDB AHS (RFC 7143 11.2.2.3): AHSLength = CDB length - 15, type 1,
            // a reserved byte, then the CDB bytes beyond the 16th, padded.
            int start = out.writerIndex();
            out.writeShort(cdb.length - 15);
            out.writeByte(AHS_EXTENDED_CDB);
            out.writeByte(0);
            out.writeBytes(cdb, BHS_CDB_LENGTH, cdb.length - BHS_CDB_LENGTH);
            out.writeZero(extendedCdbAhsLength(cdb.length) - (out.writerIndex() - start));
        }
        if (p.bidiReadLength() != -1) {
            // Bidirectional Read Expected Data Transfer Length AHS (RFC 7143 11.2.2.4).
            out.writeShort(5);
            out.writeByte(AHS_BIDI_READ_LENGTH);
            out.writeByte(0);
            out.writeInt(p.bidiReadLength());
        }
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8
                | (b[i + 3] & 0xff);
    }

    private static void writeTaskMgmtRequest(TaskMgmtRequest p, ByteBuf out) {
        range(p.opcode(), "function", p.function(), 0, 0x7f);
        noData(p);
        bhs(out, Opcode.TASK_MGMT_REQUEST, p.immediate(), FLAG_F | p.function(), 0, 0, 0,
                p.data(), p.lun(), p.itt(), p.referencedTaskTag(), p.cmdSn(), p.expStatSn(),
                p.refCmdSn(), p.expDataSn(), 0, 0);
    }

    private static int loginFlags(Opcode opcode, boolean transit, boolean cont, int csg,
                                  int nsg) {
        range(opcode, "csg", csg, 0, 3);
        range(opcode, "nsg", nsg, 0, 3);
        return (transit ? 0x80 : 0) | (cont ? 0x40 : 0) | csg << 2 | nsg;
    }

    private static long isidTsih(Opcode opcode, long isid, int tsih) {
        range(opcode, "isid", isid, 0, 0xffff_ffff_ffffL);
        range(opcode, "tsih", tsih, 0, 0xffff);
        return isid << 16 | tsih;
    }

    private static void writeLoginRequest(LoginRequest p, ByteBuf out) {
        range(p.opcode(), "cid", p.cid(), 0, 0xffff);
        // RFC 7143 11.12: the I bit of a Login Request is always 1.
        bhs(out, Opcode.LOGIN_REQUEST, true,
                loginFlags(p.opcode(), p.transit(), p.cont(), p.csg(), p.nsg()), p.versionMax(),
                p.versionMin(), 0, p.data(), isidTsih(p.opcode(), p.isid(), p.tsih()), p.itt(),
                p.cid() << 16, p.cmdSn(), p.expStatSn(), 0, 0, 0, 0);
    }

    private static void writeTextRequest(TextRequest p, ByteBuf out) {
        bhs(out, Opcode.TEXT_REQUEST, p.immediate(),
                (p.finalPdu() ? FLAG_F : 0) | (p.cont() ? 0x40 : 0), 0, 0, 0, p.data(), p.lun(),
                p.itt(), p.ttt(), p.cmdSn(), p.expStatSn(), 0, 0, 0, 0);
    }

    private static void writeDataOut(DataOut p, ByteBuf out) {
        bhs(out, Opcode.DATA_OUT, false, p.finalPdu() ? FLAG_F : 0, 0, 0, 0, p.data(), p.lun(),
                p.itt(), p.ttt(), 0, p.expStatSn(), 0, p.dataSn(), p.bufferOffset(), 0);
    }

    private static void writeLogoutRequest(LogoutRequest p, ByteBuf out) {
        range(p.opcode(), "reasonCode", p.reasonCode(), 0, 0x7f);
        range(p.opcode(), "cid", p.cid(), 0, 0xffff);
        noData(p);
        bhs(out, Opcode.LOGOUT_REQUEST, p.immediate(), FLAG_F | p.reasonCode(), 0, 0, 0,
                p.data(), 0, p.itt(), p.cid() << 16, p.cmdSn(), p.expStatSn(), 0, 0, 0, 0);
    }

    private static void writeSnack(Snack p, ByteBuf out) {
        range(p.opcode(), "type", p.type(), 0, 0x0f);
        noData(p);
        bhs(out, Opcode.SNACK, false, FLAG_F | p.type(), 0, 0, 0, p.data(), p.lun(), p.itt(),
                p.tttOrSnackTag(), 0, p.expStatSn(), 0, 0, p.begRun(), p.runLength());
    }

    private static void writeNopIn(NopIn p, ByteBuf out) {
        bhs(out, Opcode.NOP_IN, false, FLAG_F, 0, 0, 0, p.data(), p.lun(), p.itt(), p.ttt(),
                p.statSn(), p.expCmdSn(), p.maxCmdSn(), 0, 0, 0);
    }

    private static void writeScsiResponse(ScsiResponse p, ByteBuf out) {
        int flags = FLAG_F | (p.bidiOverflow() ? 0x10 : 0) | (p.bidiUnderflow() ? 0x08 : 0)
                | (p.overflow() ? 0x04 : 0) | (p.underflow() ? 0x02 : 0);
        bhs(out, Opcode.SCSI_RESPONSE, false, flags, p.response(), p.status(), 0, p.data(), 0,
                p.itt(), p.snackTag(), p.statSn(), p.expCmdSn(), p.maxCmdSn(), p.expDataSn(),
                p.bidiReadResidualCount(), p.residualCount());
    }

    private static void writeTaskMgmtResponse(TaskMgmtResponse p, ByteBuf out) {
        noData(p);
        bhs(out, Opcode.TASK_MGMT_RESPONSE, false, FLAG_F, p.response(), 0, 0, p.data(), 0,
                p.itt(), 0, p.statSn(), p.expCmdSn(), p.maxCmdSn(), 0, 0, 0);
    }

    private static void writeLoginResponse(LoginResponse p, ByteBuf out) {
        range(p.opcode(), "statusClass", p.statusClass(), 0, 0xff);
        range(p.opcode(), "statusDetail", p.statusDetail(), 0, 0xff);
        bhs(out, Opcode.LOGIN_RESPONSE, false,
                loginFlags(p.opcode(), p.transit(), p.cont(), p.csg(), p.nsg()), p.versionMax(),
                p.versionActive(), 0, p.data(), isidTsih(p.opcode(), p.isid(), p.tsih()),
                p.itt(), 0, p.statSn(), p.expCmdSn(), p.maxCmdSn(),
                p.statusClass() << 24 | p.statusDetail() << 16, 0, 0);
    }

    private static void writeTextResponse(TextResponse p, ByteBuf out) {
        bhs(out, Opcode.TEXT_RESPONSE, false,
                (p.finalPdu() ? FLAG_F : 0) | (p.cont() ? 0x40 : 0), 0, 0, 0, p.data(), p.lun(),
                p.itt(), p.ttt(), p.statSn(), p.expCmdSn(), p.maxCmdSn(), 0, 0, 0);
    }

    private static void writeDataIn(DataIn p, ByteBuf out) {
        int flags = (p.finalPdu() ? FLAG_F : 0) | (p.acknowledge() ? 0x40 : 0)
                | (p.overflow() ? 0x04 : 0) | (p.underflow() ? 0x02 : 0)
                | (p.statusPresent() ? 0x01 : 0);
        bhs(out, Opcode.DATA_IN, false, flags, 0, p.status(), 0, p.data(), p.lun(), p.itt(),
                p.ttt(), p.statSn(), p.expCmdSn(), p.maxCmdSn(), p.dataSn(), p.bufferOffset(),
                p.residualCount());
    }

    private static void writeLogoutResponse(LogoutResponse p, ByteBuf out) {
        range(p.opcode(), "time2Wait", p.time2Wait(), 0, 0xffff);
        range(p.opcode(), "time2Retain", p.time2Retain(), 0, 0xffff);
        noData(p);
        bhs(out, Opcode.LOGOUT_RESPONSE, false, FLAG_F, p.response(), 0, 0, p.data(), 0,
                p.itt(), 0, p.statSn(), p.expCmdSn(), p.maxCmdSn(), 0,
                p.time2Wait() << 16 | p.time2Retain(), 0);
    }

    private static void writeReadyToTransfer(ReadyToTransfer p, ByteBuf out) {
        noData(p);
        bhs(out, Opcode.R2T, false, FLAG_F, 0, 0, 0, p.data(), p.lun(), p.itt(), p.ttt(),
                p.statSn(), p.expCmdSn(), p.maxCmdSn(), p.r2tSn(), p.bufferOffset(),
                p.desiredDataTransferLength());
    }

    private static void writeAsyncMessage(AsyncMessage p, ByteBuf out) {
        range(p.opcode(), "asyncEvent", p.asyncEvent(), 0, 0xff);
        range(p.opcode(), "asyncVCode", p.asyncVCode(), 0, 0xff);
        range(p.opcode(), "parameter1", p.parameter1(), 0, 0xffff);
        range(p.opcode(), "parameter2", p.parameter2(), 0, 0xffff);
        range(p.opcode(), "parameter3", p.parameter3(), 0, 0xffff);
        bhs(out, Opcode.ASYNC_MESSAGE, false, FLAG_F, 0, 0, 0, p.data(), p.lun(),
                Pdu.RESERVED_TAG, 0, p.statSn(), p.expCmdSn(), p.maxCmdSn(),
                p.asyncEvent() << 24 | p.asyncVCode() << 16 | p.parameter1(),
                p.parameter2() << 16 | p.parameter3(), 0);
    }

    private static void writeReject(Reject p, ByteBuf out) {
        bhs(out, Opcode.REJECT, false, FLAG_F, p.reason(), 0, 0, p.data(), 0, Pdu.RESERVED_TAG,
                0, p.statSn(), p.expCmdSn(), p.maxCmdSn(), p.dataSnOrR2tSn(), 0, 0);
    }
}
