package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Decodes one PDU of any of the 18 types (RFC 7143 11) from its Basic Header Segment, its
 * Additional Header Segments and its data segment, the inverse of {@link PduWriter}. It never
 * touches a socket and never copies the data segment: the buffer handed in becomes the PDU's
 * {@code data()}.
 *
 * <p>Every BHS starts the same way (RFC 7143 11.2.1):
 * <pre>
 *   Byte/     0       |       1       |       2       |       3       |
 *       +---------------+---------------+---------------+---------------+
 *      0|.|I| Opcode    |F|  Opcode-specific fields                     |
 *       +---------------+---------------+---------------+---------------+
 *      4|TotalAHSLength | DataSegmentLength                             |
 *       +---------------+---------------+---------------+---------------+
 *      8| LUN or Opcode-specific fields                                 |
 *       +                                                               +
 *     12|                                                               |
 *       +---------------+---------------+---------------+---------------+
 *     16| Initiator Task Tag                                            |
 *       +---------------+---------------+---------------+---------------+
 *     20/ Opcode-specific fields                                        /
 *     48+---------------+---------------+---------------+---------------+
 * </pre>
 * The layout of each type sits beside the method that reads it.
 */
public final class PduReader {
    /** Length of the Basic Header Segment (RFC 7143 11.2.1). */
    public static final int BHS_LENGTH = 48;
    /** AHSType of the Extended CDB AHS (RFC 7143 11.2.2.3). */
    public static final int AHS_EXTENDED_CDB = 1;
    /** AHSType of the Bidirectional Read Expected Data Transfer Length AHS (RFC 7143 11.2.2.4). */
    public static final int AHS_BIDI_READ_LENGTH = 2;
    /** The CDB bytes carried in the BHS itself (RFC 7143 11.3.5). */
    public static final int BHS_CDB_LENGTH = 16;

    static final int FLAG_F = 0x80;
    static final int FLAG_I = 0x40;

    private PduReader() {
    }

    /**
     * Decodes one PDU.
     *
     * @param bhs  exactly {@value #BHS_LENGTH} readable bytes
     * @param ahs  the Additional Header Segments, {@code TotalAHSLength * 4} readable bytes
     * @param data the data segment without padding, {@code DataSegmentLength} readable bytes; its
     *             ownership passes to this method: it ends up as the returned PDU's
     *             {@code data()} or is released, also when this method throws
     * @throws IscsiProtocolException a {@link IscsiProtocolException.Scope#PDU PDU} error for a PDU
     *                                that must be rejected, a
     *                                {@link IscsiProtocolException.Scope#CONNECTION CONNECTION}
     *                                error when the AHS lengths contradict TotalAHSLength
     */
    public static Pdu read(ByteBuf bhs, ByteBuf ahs, ByteBuf data) {
        Pdu pdu;
        try {
            ByteBuf h = bhs.slice(bhs.readerIndex(), BHS_LENGTH);
            checkLengths(h, bhs, ahs, data);
            int opcodeValue = h.getByte(0) & 0x3f;
            Opcode opcode = Opcode.of(opcodeValue);
            if (opcode == null) {
                throw IscsiProtocolException.pduError(Reject.COMMAND_NOT_SUPPORTED,
                        "Opcode 0x%02x is not supported; expected one of RFC 7143 11.2.1.2",
                        opcodeValue);
            }
            if (opcode != Opcode.SCSI_COMMAND && ahs.isReadable()) {
                throw IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                        "TotalAHSLength %d of %s; expected 0 (only a SCSI Command carries AHS)",
                        ahs.readableBytes() / 4, opcode);
            }
            pdu = switch (opcode) {
                case NOP_OUT -> readNopOut(h, data);
                case SCSI_COMMAND -> readScsiCommand(h, ahs, data);
                case TASK_MGMT_REQUEST -> readTaskMgmtRequest(h, data);
                case LOGIN_REQUEST -> readLoginRequest(h, data);
                case TEXT_REQUEST -> readTextRequest(h, data);
                case DATA_OUT -> readDataOut(h, data);
                case LOGOUT_REQUEST -> readLogoutRequest(h, data);
                case SNACK -> readSnack(h, data);
                case NOP_IN -> readNopIn(h, data);
                case SCSI_RESPONSE -> readScsiResponse(h, data);
                case TASK_MGMT_RESPONSE -> readTaskMgmtResponse(h, data);
                case LOGIN_RESPONSE -> readLoginResponse(h, data);
                case TEXT_RESPONSE -> readTextResponse(h, data);
                case DATA_IN -> readDataIn(h, data);
                case LOGOUT_RESPONSE -> readLogoutResponse(h, data);
                case R2T -> readReadyToTransfer(h, data);
                case ASYNC_MESSAGE -> readAsyncMessage(h, data);
                case REJECT -> readReject(h, data);
            };
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
        if (pdu.data() != data) {
            data.release();
        }
        return pdu;
    }

    private static void checkLengths(ByteBuf h, ByteBuf bhs, ByteBuf ahs, ByteBuf data) {
        if (bhs.readableBytes() != BHS_LENGTH) {
            throw new IllegalArgumentException("BHS has " + bhs.readableBytes()
                    + " readable bytes; expected " + BHS_LENGTH);
        }
        int totalAhsLength = h.getUnsignedByte(4) * 4;
        if (ahs.readableBytes() != totalAhsLength) {
            throw new IllegalArgumentException("AHS has " + ahs.readableBytes()
                    + " readable bytes; TotalAHSLength says " + totalAhsLength);
        }
        int dataSegmentLength = h.getUnsignedMedium(5);
        if (data.readableBytes() != dataSegmentLength) {
            throw new IllegalArgumentException("data segment has " + data.readableBytes()
                    + " readable bytes; DataSegmentLength says " + dataSegmentLength);
        }
    }

    /** PDU types whose records have no data: a data segment would be silently lost. */
    private static void noData(ByteBuf data, Opcode opcode) {
        if (data.isReadable()) {
            throw IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                    "DataSegmentLength %d of %s; expected 0", data.readableBytes(), opcode);
        }
    }

    private static boolean immediate(ByteBuf h) {
        return (h.getByte(0) & FLAG_I) != 0;
    }

    private static boolean flag(ByteBuf h, int mask) {
        return (h.getUnsignedByte(1) & mask) != 0;
    }

    /*
     * NOP-Out (RFC 7143 11.18)
     *      0|.|I| 0x00      |1| Reserved                                    |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| LUN or Reserved (8 bytes)                                     |
     *     16| Initiator Task Tag or 0xffffffff                              |
     *     20| Target Transfer Tag or 0xffffffff                             |
     *     24| CmdSN                                                         |
     *     28| ExpStatSN                                                     |
     *     32/ Reserved (16 bytes)                                           /
     */
    static NopOut readNopOut(ByteBuf h, ByteBuf data) {
        return new NopOut(immediate(h), h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24),
                h.getInt(28), data);
    }

    /*
     * SCSI Command (RFC 7143 11.3)
     *      0|.|I| 0x01      |F|R|W|. .|ATTR | Reserved                      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| Logical Unit Number (LUN) (8 bytes)                           |
     *     16| Initiator Task Tag                                            |
     *     20| Expected Data Transfer Length                                 |
     *     24| CmdSN                                                         |
     *     28| ExpStatSN                                                     |
     *     32/ SCSI Command Descriptor Block (CDB) (16 bytes)                /
     *     48/ AHS (optional)                                                /
     */
    static ScsiCommand readScsiCommand(ByteBuf h, ByteBuf ahs, ByteBuf data) {
        boolean finalPdu = flag(h, FLAG_F);
        boolean read = flag(h, 0x40);
        boolean write = flag(h, 0x20);
        if (!finalPdu && !write) {
            // RFC 7143 11.3.1: "Setting both the W and the F bit to 0 is an error."
            throw IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                    "SCSI Command flags F=0 W=0; expected F=1 when no Data-Out follows");
        }
        byte[] cdb = new byte[BHS_CDB_LENGTH];
        h.getBytes(32, cdb);
        byte[] extendedCdb = null;
        boolean bidiPresent = false;
        int bidiReadLength = -1;
        int total = ahs.readableBytes();
        for (int offset = 0; offset < total; ) {
            /*
             * AHS (RFC 7143 11.2.2), padded to a multiple of 4 bytes:
             *      0| AHSLength                     | AHSType       | AHS-Specific  |
             *      4/ AHS-Specific                                                  /
             * AHSLength counts the bytes after AHSType, without padding.
             */
            int at = ahs.readerIndex() + offset;
            int ahsLength = ahs.getUnsignedShort(at);
            int ahsType = ahs.getUnsignedByte(at + 2);
            int size = (3 + ahsLength + 3) & ~3;
            if (offset + size > total) {
                // The two length fields disagree: nothing says where this PDU really ends.
                throw IscsiProtocolException.connectionError(
                        "AHSLength %d at AHS offset %d overruns TotalAHSLength %d (%d bytes)",
                        ahsLength, offset, total / 4, total);
            }
            switch (ahsType) {
                case AHS_EXTENDED_CDB -> {
                    // AHSLength = CDB length - 15: one reserved byte plus the bytes beyond 16.
                    if (extendedCdb != null) {
                        throw duplicateAhs(ahsType);
                    }
                    if (ahsLength < 2) {
                        throw IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                                "Extended CDB AHSLength %d; expected at least 2 (a CDB of 17 bytes"
                                        + " or more)", ahsLength);
                    }
                    extendedCdb = new byte[ahsLength - 1];
                    ahs.getBytes(at + 4, extendedCdb);
                }
                case AHS_BIDI_READ_LENGTH -> {
                    if (bidiPresent) {
                        throw duplicateAhs(ahsType);
                    }
                    if (ahsLength != 5) {
                        throw IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                                "Bidirectional Read Expected Data Transfer Length AHSLength %d;"
                                        + " expected 5", ahsLength);
                    }
                    bidiPresent = true;
                    bidiReadLength = ahs.getInt(at + 4);
                }
                default -> throw IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                        "AHSType %d; expected 1 (Extended CDB) or 2 (Bidirectional Read Expected"
                                + " Data Transfer Length)", ahsType);
            }
            offset += size;
        }
        if (extendedCdb != null) {
            byte[] whole = new byte[BHS_CDB_LENGTH + extendedCdb.length];
            System.arraycopy(cdb, 0, whole, 0, BHS_CDB_LENGTH);
            System.arraycopy(extendedCdb, 0, whole, BHS_CDB_LENGTH, extendedCdb.length);
            cdb = whole;
        }
        return new ScsiCommand(immediate(h), finalPdu, read, write, h.getUnsignedByte(1) & 0x07,
                h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), cdb,
                bidiReadLength, data);
    }

    private static IscsiProtocolException duplicateAhs(int ahsType) {
        return IscsiProtocolException.pduError(Reject.INVALID_PDU_FIELD,
                "AHSType %d appears twice; expected at most once", ahsType);
    }

    /*
     * Task Management Function Request (RFC 7143 11.5)
     *      0|.|I| 0x02      |1| Function    | Reserved                      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| Logical Unit Number (LUN) or Reserved (8 bytes)               |
     *     16| Initiator Task Tag                                            |
     *     20| Referenced Task Tag or 0xffffffff                             |
     *     24| CmdSN                                                         |
     *     28| ExpStatSN                                                     |
     *     32| RefCmdSN or Reserved                                          |
     *     36| ExpDataSN or Reserved                                         |
     *     40/ Reserved (8 bytes)                                            /
     */
    static TaskMgmtRequest readTaskMgmtRequest(ByteBuf h, ByteBuf data) {
        noData(data, Opcode.TASK_MGMT_REQUEST);
        return new TaskMgmtRequest(immediate(h), h.getUnsignedByte(1) & 0x7f, h.getLong(8),
                h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), h.getInt(32),
                h.getInt(36));
    }

    /*
     * Login Request (RFC 7143 11.12)
     *      0|.|1| 0x03      |T|C|.|.|CSG|NSG| Version-max   | Version-min   |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| ISID (6 bytes)                                |
     *     14                                                | TSIH          |
     *     16| Initiator Task Tag                                            |
     *     20| CID                           | Reserved                      |
     *     24| CmdSN                                                         |
     *     28| ExpStatSN or Reserved                                         |
     *     32/ Reserved (16 bytes)                                           /
     */
    static LoginRequest readLoginRequest(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        return new LoginRequest((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 0x03,
                flags & 0x03, h.getUnsignedByte(2), h.getUnsignedByte(3), isid(h),
                h.getUnsignedShort(14), h.getInt(16), h.getUnsignedShort(20), h.getInt(24),
                h.getInt(28), data);
    }

    private static long isid(ByteBuf h) {
        return ((long) h.getUnsignedShort(8) << 32) | h.getUnsignedInt(10);
    }

    /*
     * Text Request (RFC 7143 11.10)
     *      0|.|I| 0x04      |F|C| Reserved  | Reserved                      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| Logical Unit Number (LUN) or Reserved (8 bytes)               |
     *     16| Initiator Task Tag                                            |
     *     20| Target Transfer Tag or 0xffffffff                             |
     *     24| CmdSN                                                         |
     *     28| ExpStatSN                                                     |
     *     32/ Reserved (16 bytes)                                           /
     */
    static TextRequest readTextRequest(ByteBuf h, ByteBuf data) {
        return new TextRequest(immediate(h), flag(h, FLAG_F), flag(h, 0x40), h.getLong(8),
                h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), data);
    }

    /*
     * SCSI Data-Out (RFC 7143 11.7)
     *      0|.|.| 0x05      |F| Reserved                                    |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| LUN or Reserved (8 bytes)                                     |
     *     16| Initiator Task Tag                                            |
     *     20| Target Transfer Tag or 0xffffffff                             |
     *     24| Reserved                                                      |
     *     28| ExpStatSN                                                     |
     *     32| Reserved                                                      |
     *     36| DataSN                                                        |
     *     40| Buffer Offset                                                 |
     *     44| Reserved                                                      |
     */
    static DataOut readDataOut(ByteBuf h, ByteBuf data) {
        return new DataOut(flag(h, FLAG_F), h.getLong(8), h.getInt(16), h.getInt(20),
                h.getInt(28), h.getInt(36), h.getInt(40), data);
    }

    /*
     * Logout Request (RFC 7143 11.14)
     *      0|.|I| 0x06      |1| Reason Code | Reserved                      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8/ Reserved (8 bytes)                                            /
     *     16| Initiator Task Tag                                            |
     *     20| CID or Reserved               | Reserved                      |
     *     24| CmdSN                                                         |
     *     28| ExpStatSN                                                     |
     *     32/ Reserved (16 bytes)                                           /
     */
    static LogoutRequest readLogoutRequest(ByteBuf h, ByteBuf data) {
        noData(data, Opcode.LOGOUT_REQUEST);
        return new LogoutRequest(immediate(h), h.getUnsignedByte(1) & 0x7f, h.getInt(16),
                h.getUnsignedShort(20), h.getInt(24), h.getInt(28));
    }

    /*
     * SNACK Request (RFC 7143 11.16)
     *      0|.|.| 0x10      |1|.|.|.| Type  | Reserved                      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| LUN or Reserved (8 bytes)                                     |
     *     16| Initiator Task Tag or 0xffffffff                              |
     *     20| Target Transfer Tag or SNACK Tag or 0xffffffff                |
     *     24| Reserved                                                      |
     *     28| ExpStatSN                                                     |
     *     32/ Reserved (8 bytes)                                            /
     *     40| BegRun                                                        |
     *     44| RunLength                                                     |
     */
    static Snack readSnack(ByteBuf h, ByteBuf data) {
        noData(data, Opcode.SNACK);
        return new Snack(h.getUnsignedByte(1) & 0x0f, h.getLong(8), h.getInt(16), h.getInt(20),
                h.getInt(28), h.getInt(40), h.getInt(44));
    }

    /*
     * NOP-In (RFC 7143 11.19)
     *      0|.|.| 0x20      |1| Reserved                                    |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| LUN or Reserved (8 bytes)                                     |
     *     16| Initiator Task Tag or 0xffffffff                              |
     *     20| Target Transfer Tag or 0xffffffff                             |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36/ Reserved (12 bytes)                                           /
     */
    static NopIn readNopIn(ByteBuf h, ByteBuf data) {
        return new NopIn(h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28),
                h.getInt(32), data);
    }

    /*
     * SCSI Response (RFC 7143 11.4)
     *      0|.|.| 0x21      |1|. .|o|u|O|U|.| Response      | Status        |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8/ Reserved (8 bytes)                                            /
     *     16| Initiator Task Tag                                            |
     *     20| SNACK Tag or Reserved                                         |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| ExpDataSN or Reserved                                         |
     *     40| Bidirectional Read Residual Count or Reserved                 |
     *     44| Residual Count or Reserved                                    |
     */
    static ScsiResponse readScsiResponse(ByteBuf h, ByteBuf data) {
        return new ScsiResponse(flag(h, 0x10), flag(h, 0x08), flag(h, 0x04), flag(h, 0x02),
                h.getUnsignedByte(2), h.getUnsignedByte(3), h.getInt(16), h.getInt(20),
                h.getInt(24), h.getInt(28), h.getInt(32), h.getInt(36), h.getInt(40),
                h.getInt(44), data);
    }

    /*
     * Task Management Function Response (RFC 7143 11.6)
     *      0|.|.| 0x22      |1| Reserved    | Response      | Reserved      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8/ Reserved (8 bytes)                                            /
     *     16| Initiator Task Tag                                            |
     *     20| Reserved                                                      |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36/ Reserved (12 bytes)                                           /
     */
    static TaskMgmtResponse readTaskMgmtResponse(ByteBuf h, ByteBuf data) {
        noData(data, Opcode.TASK_MGMT_RESPONSE);
        return new TaskMgmtResponse(h.getUnsignedByte(2), h.getInt(16), h.getInt(24),
                h.getInt(28), h.getInt(32));
    }

    /*
     * Login Response (RFC 7143 11.13)
     *      0|.|.| 0x23      |T|C|.|.|CSG|NSG| Version-max   | Version-active|
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| ISID (6 bytes)                                |
     *     14                                                | TSIH          |
     *     16| Initiator Task Tag                                            |
     *     20| Reserved                                                      |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| Status-Class  | Status-Detail | Reserved                      |
     *     40/ Reserved (8 bytes)                                            /
     */
    static LoginResponse readLoginResponse(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        return new LoginResponse((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 0x03,
                flags & 0x03, h.getUnsignedByte(2), h.getUnsignedByte(3), isid(h),
                h.getUnsignedShort(14), h.getInt(16), h.getInt(24), h.getInt(28), h.getInt(32),
                h.getUnsignedByte(36), h.getUnsignedByte(37), data);
    }

    /*
     * Text Response (RFC 7143 11.11)
     *      0|.|.| 0x24      |F|C| Reserved  | Reserved                      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| Logical Unit Number (LUN) or Reserved (8 bytes)               |
     *     16| Initiator Task Tag                                            |
     *     20| Target Transfer Tag or 0xffffffff                             |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36/ Reserved (12 bytes)                                           /
     */
    static TextResponse readTextResponse(ByteBuf h, ByteBuf data) {
        return new TextResponse(flag(h, FLAG_F), flag(h, 0x40), h.getLong(8), h.getInt(16),
                h.getInt(20), h.getInt(24), h.getInt(28), h.getInt(32), data);
    }

    /*
     * SCSI Data-In (RFC 7143 11.7)
     *      0|.|.| 0x25      |F|A|0 0 0|O|U|S| Reserved      |Status or Rsvd |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| LUN or Reserved (8 bytes)                                     |
     *     16| Initiator Task Tag                                            |
     *     20| Target Transfer Tag or 0xffffffff                             |
     *     24| StatSN or Reserved                                            |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| DataSN                                                        |
     *     40| Buffer Offset                                                 |
     *     44| Residual Count                                                |
     */
    static DataIn readDataIn(ByteBuf h, ByteBuf data) {
        return new DataIn(flag(h, FLAG_F), flag(h, 0x40), flag(h, 0x04), flag(h, 0x02),
                flag(h, 0x01), h.getUnsignedByte(3), h.getLong(8), h.getInt(16), h.getInt(20),
                h.getInt(24), h.getInt(28), h.getInt(32), h.getInt(36), h.getInt(40),
                h.getInt(44), data);
    }

    /*
     * Logout Response (RFC 7143 11.15)
     *      0|.|.| 0x26      |1| Reserved    | Response      | Reserved      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8/ Reserved (8 bytes)                                            /
     *     16| Initiator Task Tag                                            |
     *     20| Reserved                                                      |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| Reserved                                                      |
     *     40| Time2Wait                     | Time2Retain                   |
     *     44| Reserved                                                      |
     */
    static LogoutResponse readLogoutResponse(ByteBuf h, ByteBuf data) {
        noData(data, Opcode.LOGOUT_RESPONSE);
        return new LogoutResponse(h.getUnsignedByte(2), h.getInt(16), h.getInt(24), h.getInt(28),
                h.getInt(32), h.getUnsignedShort(40), h.getUnsignedShort(42));
    }

    /*
     * Ready To Transfer (R2T) (RFC 7143 11.8)
     *      0|.|.| 0x31      |1| Reserved                                    |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| Logical Unit Number (LUN) (8 bytes)                           |
     *     16| Initiator Task Tag                                            |
     *     20| Target Transfer Tag                                           |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| R2TSN                                                         |
     *     40| Buffer Offset                                                 |
     *     44| Desired Data Transfer Length                                  |
     */
    static ReadyToTransfer readReadyToTransfer(ByteBuf h, ByteBuf data) {
        noData(data, Opcode.R2T);
        return new ReadyToTransfer(h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24),
                h.getInt(28), h.getInt(32), h.getInt(36), h.getInt(40), h.getInt(44));
    }

    /*
     * Asynchronous Message (RFC 7143 11.9)
     *      0|.|.| 0x32      |1| Reserved                                    |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8| LUN or Reserved (8 bytes)                                     |
     *     16| 0xffffffff                                                    |
     *     20| Reserved                                                      |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| AsyncEvent    | AsyncVCode    | Parameter1 or Reserved        |
     *     40| Parameter2 or Reserved        | Parameter3 or Reserved        |
     *     44| Reserved                                                      |
     */
    static AsyncMessage readAsyncMessage(ByteBuf h, ByteBuf data) {
        return new AsyncMessage(h.getLong(8), h.getInt(24), h.getInt(28), h.getInt(32),
                h.getUnsignedByte(36), h.getUnsignedByte(37), h.getUnsignedShort(38),
                h.getUnsignedShort(40), h.getUnsignedShort(42), data);
    }

    /*
     * Reject (RFC 7143 11.17)
     *      0|.|.| 0x3f      |1| Reserved    | Reason        | Reserved      |
     *      4|TotalAHSLength | DataSegmentLength                             |
     *      8/ Reserved (8 bytes)                                            /
     *     16| 0xffffffff                                                    |
     *     20| Reserved                                                      |
     *     24| StatSN                                                        |
     *     28| ExpCmdSN                                                      |
     *     32| MaxCmdSN                                                      |
     *     36| DataSN/R2TSN or Reserved                                      |
     *     40/ Reserved (8 bytes)                                            /
     *     48/ data: Complete Header of Bad PDU                              /
     */
    static Reject readReject(ByteBuf h, ByteBuf data) {
        return new Reject(h.getUnsignedByte(2), h.getInt(24), h.getInt(28), h.getInt(32),
                h.getInt(36), data);
    }
}
