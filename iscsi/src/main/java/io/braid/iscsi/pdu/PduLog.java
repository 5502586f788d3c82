package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * One greppable line per PDU for trace logging (RFC 7143 11 field names), in the manner of
 * OkHttp's {@code Http2.frameLog}: {@code SCSI_CMD itt=0x00000010 flags=FR cmdSn=7 ...}. Tags are
 * hex, sequence numbers unsigned decimal. Data segments are never printed, only their length:
 * login and text data carry CHAP secrets and responses.
 */
public final class PduLog {
    private PduLog() {
    }

    /** The line with a direction: {@code << } for a PDU received, {@code >> } for one sent. */
    public static String format(boolean inbound, Pdu pdu) {
        return (inbound ? "<< " : ">> ") + format(pdu);
    }

    /** The line without a direction. */
    public static String format(Pdu pdu) {
        Line l = new Line();
        switch (pdu) {
            case NopOut p -> l.name("NOP_OUT").itt(p.itt()).flags("I", p.immediate())
                    .tag("ttt", p.ttt()).lun(p.lun()).sn("cmdSn", p.cmdSn())
                    .sn("expStatSn", p.expStatSn());
            case ScsiCommand p -> l.name("SCSI_CMD").itt(p.itt())
                    .flags("I", p.immediate(), "F", p.finalPdu(), "R", p.read(), "W", p.write())
                    .num("attr", p.attr()).sn("cmdSn", p.cmdSn()).sn("expStatSn", p.expStatSn())
                    .lun(p.lun()).sn("edtl", p.expectedDataTransferLength()).cdb(p.cdb())
                    .bidi(p.bidiReadLength());
            case TaskMgmtRequest p -> l.name("TMF_REQ").itt(p.itt()).flags("I", p.immediate())
                    .num("function", p.function()).lun(p.lun()).tag("rtt", p.referencedTaskTag())
                    .sn("cmdSn", p.cmdSn()).sn("expStatSn", p.expStatSn())
                    .sn("refCmdSn", p.refCmdSn()).sn("expDataSn", p.expDataSn());
            case LoginRequest p -> l.name("LOGIN_REQ").itt(p.itt())
                    .flags("T", p.transit(), "C", p.cont()).num("csg", p.csg())
                    .num("nsg", p.nsg()).hex("isid", p.isid(), 12).num("tsih", p.tsih())
                    .num("cid", p.cid()).sn("cmdSn", p.cmdSn()).sn("expStatSn", p.expStatSn())
                    .text("versions", p.versionMin() + "-" + p.versionMax());
            case TextRequest p -> l.name("TEXT_REQ").itt(p.itt())
                    .flags("I", p.immediate(), "F", p.finalPdu(), "C", p.cont())
                    .tag("ttt", p.ttt()).sn("cmdSn", p.cmdSn()).sn("expStatSn", p.expStatSn());
            case DataOut p -> l.name("DATA_OUT").itt(p.itt()).flags("F", p.finalPdu())
                    .tag("ttt", p.ttt()).lun(p.lun()).sn("expStatSn", p.expStatSn())
                    .sn("dataSn", p.dataSn()).sn("offset", p.bufferOffset());
            case LogoutRequest p -> l.name("LOGOUT_REQ").itt(p.itt()).flags("I", p.immediate())
                    .num("reason", p.reasonCode()).num("cid", p.cid()).sn("cmdSn", p.cmdSn())
                    .sn("expStatSn", p.expStatSn());
            case Snack p -> l.name("SNACK").itt(p.itt()).num("type", p.type())
                    .tag("ttt", p.tttOrSnackTag()).lun(p.lun()).sn("expStatSn", p.expStatSn())
                    .sn("begRun", p.begRun()).sn("runLength", p.runLength());
            case NopIn p -> l.name("NOP_IN").itt(p.itt()).tag("ttt", p.ttt()).lun(p.lun())
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn());
            case ScsiResponse p -> l.name("SCSI_RSP").itt(p.itt())
                    .flags("o", p.bidiOverflow(), "u", p.bidiUnderflow(), "O", p.overflow(),
                            "U", p.underflow())
                    .hex("response", p.response(), 2).hex("status", p.status(), 2)
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn())
                    .sn("expDataSn", p.expDataSn()).sn("residual", p.residualCount())
                    .sn("bidiResidual", p.bidiReadResidualCount());
            case TaskMgmtResponse p -> l.name("TMF_RSP").itt(p.itt())
                    .num("response", p.response()).statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn());
            case LoginResponse p -> l.name("LOGIN_RSP").itt(p.itt())
                    .flags("T", p.transit(), "C", p.cont()).num("csg", p.csg())
                    .num("nsg", p.nsg()).hex("isid", p.isid(), 12).num("tsih", p.tsih())
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn())
                    .text("status", String.format("0x%02x%02x", p.statusClass(), p.statusDetail()))
                    .num("version", p.versionActive());
            case TextResponse p -> l.name("TEXT_RSP").itt(p.itt())
                    .flags("F", p.finalPdu(), "C", p.cont()).tag("ttt", p.ttt())
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn());
            case DataIn p -> l.name("DATA_IN").itt(p.itt())
                    .flags("F", p.finalPdu(), "A", p.acknowledge(), "O", p.overflow(),
                            "U", p.underflow(), "S", p.statusPresent())
                    .tag("ttt", p.ttt()).lun(p.lun())
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn()).sn("dataSn", p.dataSn())
                    .sn("offset", p.bufferOffset()).status(p.statusPresent(), p.status(),
                            p.residualCount());
            case LogoutResponse p -> l.name("LOGOUT_RSP").itt(p.itt())
                    .num("response", p.response()).statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn())
                    .num("time2Wait", p.time2Wait()).num("time2Retain", p.time2Retain());
            case ReadyToTransfer p -> l.name("R2T").itt(p.itt()).tag("ttt", p.ttt()).lun(p.lun())
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn()).sn("r2tSn", p.r2tSn())
                    .sn("offset", p.bufferOffset()).sn("desired", p.desiredDataTransferLength());
            case AsyncMessage p -> l.name("ASYNC").lun(p.lun())
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn()).num("event", p.asyncEvent())
                    .num("vcode", p.asyncVCode()).num("p1", p.parameter1())
                    .num("p2", p.parameter2()).num("p3", p.parameter3());
            case Reject p -> l.name("REJECT").hex("reason", p.reason(), 2)
                    .statSns(p.statSn(), p.expCmdSn(), p.maxCmdSn())
                    .sn("dataSn", p.dataSnOrR2tSn()).rejected(p.data());
        }
        return l.len(pdu.data()).toString();
    }

    /** The line for a PDU the decoder could not accept. */
    public static String format(InvalidPdu invalid) {
        return new Line().name("INVALID").hex("opcode", invalid.opcodeValue(), 2)
                .itt(invalid.itt()).hex("reason", invalid.rejectReason(), 2)
                .text("error", invalid.message()).toString();
    }

    private static final class Line {
        private final StringBuilder sb = new StringBuilder(128);

        Line name(String name) {
            sb.append(name);
            return this;
        }

        Line text(String key, String value) {
            sb.append(' ').append(key).append('=').append(value);
            return this;
        }

        Line itt(int itt) {
            return tag("itt", itt);
        }

        Line tag(String key, int tag) {
            return text(key, String.format("0x%08x", tag));
        }

        Line hex(String key, long value, int digits) {
            return text(key, String.format("0x%0" + digits + "x", value));
        }

        Line sn(String key, int value) {
            return text(key, Integer.toUnsignedString(value));
        }

        Line num(String key, int value) {
            return text(key, Integer.toString(value));
        }

        Line lun(long lun) {
            return text("lun", String.format("0x%016x", lun));
        }

        Line statSns(int statSn, int expCmdSn, int maxCmdSn) {
            return sn("statSn", statSn).sn("expCmdSn", expCmdSn).sn("maxCmdSn", maxCmdSn);
        }

        /** Pairs of flag letter and value; prints only the set flags, nothing when none is set. */
        Line flags(Object... letterAndValue) {
            StringBuilder f = new StringBuilder();
            for (int i = 0; i < letterAndValue.length; i += 2) {
                if ((Boolean) letterAndValue[i + 1]) {
                    f.append(letterAndValue[i]);
                }
            }
            return f.isEmpty() ? this : text("flags", f.toString());
        }

        Line cdb(byte[] cdb) {
            int length = Math.min(cdb.length, cdbLength(cdb));
            StringBuilder hex = new StringBuilder(length * 2);
            for (int i = 0; i < length; i++) {
                hex.append(Character.forDigit((cdb[i] >> 4) & 0xf, 16))
                        .append(Character.forDigit(cdb[i] & 0xf, 16));
            }
            return text("cdb", hex.toString());
        }

        Line bidi(int bidiReadLength) {
            return bidiReadLength == -1 ? this : sn("bidiReadLength", bidiReadLength);
        }

        Line status(boolean present, int status, int residual) {
            return present ? hex("status", status, 2).sn("residual", residual) : this;
        }

        Line rejected(ByteBuf header) {
            if (header.readableBytes() >= 20) {
                int at = header.readerIndex();
                hex("rejectedOpcode", header.getByte(at) & 0x3f, 2)
                        .tag("rejectedItt", header.getInt(at + 16));
            }
            return this;
        }

        Line len(ByteBuf data) {
            return num("len", data.readableBytes());
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }

    /**
     * The length of a CDB from its operation code group (SPC-4 4.2.5.1), so a 10-byte CDB is not
     * printed with the zeros that fill the 16-byte BHS field.
     */
    static int cdbLength(byte[] cdb) {
        int opcode = cdb[0] & 0xff;
        return switch (opcode >> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            // Group 3 holds the variable-length CDB 0x7f: ADDITIONAL CDB LENGTH in byte 7.
            case 3 -> opcode == 0x7f && cdb.length > 7 ? 8 + (cdb[7] & 0xff) : cdb.length;
            default -> cdb.length; // vendor specific: unknown length, print it all
        };
    }
}
