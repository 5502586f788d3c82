package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;

import java.util.List;

/**
 * Handlers for the primary commands (SPC-5): INQUIRY, REPORT LUNS, REQUEST SENSE, TEST UNIT READY,
 * MODE SENSE, REPORT SUPPORTED OPERATION CODES.
 */
final class SpcCommands {

    private SpcCommands() {
    }

    /*
     * INQUIRY (12h): 1 EVPD (bit 0), 2 PAGE CODE, 3-4 ALLOCATION LENGTH.
     * For a LUN without a logical unit the standard data says peripheral qualifier 011b (SPC-5
     * "Incorrect logical unit selection"); its VPD page 00h lists only itself.
     */
    static ScsiResult inquiry(Command cmd) {
        byte[] cdb = cmd.cdb();
        boolean evpd = (cdb[1] & 0x01) != 0;
        int page = cdb[2] & 0xFF;
        LogicalUnit unit = cmd.unit();
        CoreTarget target = cmd.target();
        if (!evpd) {
            if (page != 0) {
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            return cmd.dataIn(InquiryData.standard(target.identity(), unit, target.accessStates().portCount() > 1));
        }
        if (unit == null) {
            if (page != 0x00) {
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            return cmd.dataIn(InquiryData.supportedPagesOfMissingUnit());
        }
        if (!InquiryData.supports(unit, page)) {
            throw CheckCondition.invalidFieldInCdb(2, 7);
        }
        byte[] data = switch (page) {
            case 0x00 -> InquiryData.supportedPages(unit);
            case 0x80 -> InquiryData.unitSerialNumber(unit);
            case 0x83 -> InquiryData.deviceIdentification(unit, target.identity(), cmd.nexus());
            case InquiryData.THIRD_PARTY_COPY -> ExtendedCopyCommands.thirdPartyCopyPage(unit);
            case 0xB0 -> InquiryData.blockLimits(unit, target.limits());
            case 0xB1 -> InquiryData.blockDeviceCharacteristics(unit);
            case 0xB2 -> InquiryData.logicalBlockProvisioning(unit);
            default -> throw CheckCondition.invalidFieldInCdb(2, 7);
        };
        return cmd.dataIn(data);
    }

    /*
     * REPORT LUNS (A0h): 2 SELECT REPORT, 6-9 ALLOCATION LENGTH. Parameter data: LUN LIST LENGTH
     * (4 bytes, n*8, not reduced by truncation), 4 reserved, then 8-byte LUNs. Braid has no well
     * known logical units, so SELECT REPORT 01h returns an empty list and 02h equals 00h. An
     * allocation length below 16 is not an error (SPC-4 dropped the SPC-3 minimum): the data is
     * truncated like any other.
     */
    static ScsiResult reportLuns(Command cmd) {
        int select = cmd.cdb()[2] & 0xFF;
        List<Long> luns = switch (select) {
            case 0x00, 0x02 -> cmd.target().luns(cmd.nexus());
            case 0x01 -> List.of();
            default -> throw CheckCondition.invalidFieldInCdb(2, 7);
        };
        byte[] b = new byte[8 + 8 * luns.size()];
        BigEndian.put32(b, 0, 8L * luns.size());
        for (int i = 0; i < luns.size(); i++) {
            BigEndian.put64(b, 8 + 8 * i, luns.get(i));
        }
        return cmd.dataIn(b);
    }

    /*
     * REQUEST SENSE (03h): 1 DESC (bit 0), 4 ALLOCATION LENGTH. Status is delivered with autosense,
     * so the only sense kept for a later REQUEST SENSE is a pending unit attention, which this
     * reports and clears (SAM-5 "Unit attention conditions"); then a sanitize operation in progress
     * (with its progress) or failed; otherwise NO SENSE. DESC selects the format for this reply
     * regardless of D_SENSE.
     */
    static ScsiResult requestSense(Command cmd) {
        SenseFormat format = (cmd.cdb()[1] & 0x01) != 0 ? SenseFormat.DESCRIPTOR : SenseFormat.FIXED;
        LogicalUnit unit = cmd.unit();
        SenseCode code;
        if (unit == null) {
            code = SenseCode.LOGICAL_UNIT_NOT_SUPPORTED;
        } else {
            SenseCode ua = unit.unitAttentions().take(cmd.nexus());
            if (ua == null) {
                // SBC-4 "Sanitize operations": REQUEST SENSE is how an initiator polls the progress.
                Sense sanitizing = unit.sanitizer().sense();
                if (sanitizing != null) {
                    return cmd.dataIn(sanitizing.encode(format));
                }
            }
            code = ua != null ? ua : SenseCode.NO_ADDITIONAL_SENSE_INFORMATION;
        }
        return cmd.dataIn(Sense.of(code).encode(format));
    }

    /** TEST UNIT READY (00h): a file backstore is always ready once the unit exists. */
    static ScsiResult testUnitReady(Command cmd) {
        return cmd.good();
    }

    /*
     * MODE SENSE(6) (1Ah): 1 DBD (bit 3), 2 PC (bits 7-6) | PAGE CODE, 3 SUBPAGE CODE, 4 ALLOCATION
     * LENGTH. Header: MODE DATA LENGTH (1 byte), MEDIUM TYPE, DEVICE-SPECIFIC PARAMETER, BLOCK
     * DESCRIPTOR LENGTH.
     */
    static ScsiResult modeSense6(Command cmd) {
        byte[] cdb = cmd.cdb();
        boolean dbd = (cdb[1] & 0x08) != 0;
        byte[] pages = selectedPages(cmd);
        byte[] descriptor = dbd ? new byte[0] : shortBlockDescriptor(cmd.unit());
        byte[] b = new byte[4 + descriptor.length + pages.length];
        b[0] = (byte) (b.length - 1);
        b[2] = (byte) deviceSpecificParameter(cmd);
        b[3] = (byte) descriptor.length;
        System.arraycopy(descriptor, 0, b, 4, descriptor.length);
        System.arraycopy(pages, 0, b, 4 + descriptor.length, pages.length);
        return cmd.dataIn(b);
    }

    /*
     * MODE SENSE(10) (5Ah): 1 LLBAA (bit 4) DBD (bit 3), 2 PC | PAGE CODE, 3 SUBPAGE CODE, 7-8
     * ALLOCATION LENGTH. Header: MODE DATA LENGTH (2 bytes), MEDIUM TYPE, DEVICE-SPECIFIC PARAMETER,
     * LONGLBA (byte 4 bit 0), reserved, BLOCK DESCRIPTOR LENGTH (2 bytes).
     */
    static ScsiResult modeSense10(Command cmd) {
        byte[] cdb = cmd.cdb();
        boolean llbaa = (cdb[1] & 0x10) != 0;
        boolean dbd = (cdb[1] & 0x08) != 0;
        byte[] pages = selectedPages(cmd);
        byte[] descriptor = dbd ? new byte[0]
                : llbaa ? longBlockDescriptor(cmd.unit()) : shortBlockDescriptor(cmd.unit());
        byte[] b = new byte[8 + descriptor.length + pages.length];
        BigEndian.put16(b, 0, b.length - 2);
        b[3] = (byte) deviceSpecificParameter(cmd);
        b[4] = (byte) (llbaa && !dbd ? 0x01 : 0x00);
        BigEndian.put16(b, 6, descriptor.length);
        System.arraycopy(descriptor, 0, b, 8, descriptor.length);
        System.arraycopy(pages, 0, b, 8 + descriptor.length, pages.length);
        return cmd.dataIn(b);
    }

    /**
     * Validates PC, PAGE CODE and SUBPAGE CODE and returns the pages (saved values are the
     * defaults until MODE SELECT saves some).
     */
    private static byte[] selectedPages(Command cmd) {
        byte[] cdb = cmd.cdb();
        ModePages.PageControl pc = ModePages.PageControl.of((cdb[2] & 0xFF) >>> 6);
        int page = cdb[2] & 0x3F;
        int subpage = cdb[3] & 0xFF;
        if (!ModePages.supported(page, 0)) {
            throw CheckCondition.invalidFieldInCdb(2, 5);
        }
        if (!ModePages.supported(page, subpage)) {
            throw CheckCondition.invalidFieldInCdb(3, 7);
        }
        return ModePages.pages(cmd.unit(), page, pc);
    }

    /**
     * SBC-4 device-specific parameter: WP (bit 7) when the unit is write-protected for this nexus
     * (read-only unit or read-only LUN masking grant), DPOFUA (bit 4).
     */
    private static int deviceSpecificParameter(Command cmd) {
        return (cmd.writeProtected() ? 0x80 : 0) | 0x10;
    }

    /*
     * SBC-4 short LBA mode parameter block descriptor: 0-3 NUMBER OF LOGICAL BLOCKS (FFFFFFFFh when
     * it does not fit), 4 reserved, 5-7 LOGICAL BLOCK LENGTH.
     */
    private static byte[] shortBlockDescriptor(LogicalUnit unit) {
        byte[] b = new byte[8];
        BigEndian.put32(b, 0, Math.min(unit.blockCount(), 0xFFFF_FFFFL));
        b[5] = (byte) (unit.blockSize() >>> 16);
        BigEndian.put16(b, 6, unit.blockSize());
        return b;
    }

    /** SBC-4 long LBA mode parameter block descriptor: 0-7 NUMBER OF LOGICAL BLOCKS, 12-15 LOGICAL BLOCK LENGTH. */
    private static byte[] longBlockDescriptor(LogicalUnit unit) {
        byte[] b = new byte[16];
        BigEndian.put64(b, 0, unit.blockCount());
        BigEndian.put32(b, 12, unit.blockSize());
        return b;
    }

    /*
     * REPORT SUPPORTED OPERATION CODES (A3h/0Ch): 2 RCTD (bit 7) REPORTING OPTIONS (bits 2-0),
     * 3 REQUESTED OPERATION CODE, 4-5 REQUESTED SERVICE ACTION, 6-9 ALLOCATION LENGTH. Answered
     * from the dispatch table, so it always says exactly what the core implements. No command has
     * a known timeout: the command timeouts descriptors (RCTD) carry 0, "not specified".
     */
    static ScsiResult reportSupportedOperationCodes(Command cmd) {
        byte[] cdb = cmd.cdb();
        boolean rctd = (cdb[2] & 0x80) != 0;
        int options = cdb[2] & 0x07;
        CommandTable table = cmd.target().commandTable();
        LogicalUnit unit = cmd.unit();
        if (options == 0b000) {
            return cmd.dataIn(allCommands(table, unit, rctd));
        }
        int opcode = cdb[3] & 0xFF;
        int sa = BigEndian.u16(cdb, 4);
        boolean hasSa = table.hasServiceActions(opcode);
        CommandDescriptor d = switch (options) {
            case 0b001 -> {
                if (hasSa) {
                    throw CheckCondition.invalidFieldInCdb(2, 2); // needs a service action
                }
                yield table.find(opcode, -1);
            }
            case 0b010 -> {
                if (!hasSa && table.find(opcode, -1) != null) {
                    throw CheckCondition.invalidFieldInCdb(2, 2); // has no service actions
                }
                yield hasSa ? table.find(opcode, sa) : null;
            }
            case 0b011 -> table.find(opcode, hasSa ? sa : -1);
            default -> throw CheckCondition.invalidFieldInCdb(2, 2);
        };
        return cmd.dataIn(oneCommand(d != null && unit.offers(d) ? d : null, rctd));
    }

    /** SPC-5 "All_commands parameter data": COMMAND DATA LENGTH, then one descriptor per command. */
    private static byte[] allCommands(CommandTable table, LogicalUnit unit, boolean rctd) {
        List<CommandDescriptor> all = table.all().stream().filter(unit::offers).toList();
        int each = 8 + (rctd ? 12 : 0);
        byte[] b = new byte[4 + each * all.size()];
        BigEndian.put32(b, 0, (long) each * all.size());
        int p = 4;
        for (CommandDescriptor d : all) {
            b[p] = (byte) d.opcode();
            BigEndian.put16(b, p + 2, Math.max(d.serviceAction(), 0));
            b[p + 5] = (byte) ((rctd ? 0x02 : 0) | (d.serviceAction() >= 0 ? 0x01 : 0)); // CTDP, SERVACTV
            BigEndian.put16(b, p + 6, d.cdbLength());
            if (rctd) {
                timeoutsDescriptor(b, p + 8);
            }
            p += each;
        }
        return b;
    }

    /**
     * SPC-5 "One_command parameter data": CTDP | SUPPORT, CDB SIZE, CDB USAGE DATA. SUPPORT is 011b
     * (supported as the standard defines it) or 001b (not supported, no usage data).
     */
    private static byte[] oneCommand(CommandDescriptor d, boolean rctd) {
        if (d == null) {
            return new byte[] {0, 0x01, 0, 0};
        }
        byte[] usage = d.usage();
        // The usage map shows the service action's own value in its field (SPC-5).
        if (d.opcode() == 0x7F) {
            BigEndian.put16(usage, 8, d.serviceAction());
        } else if (d.serviceAction() >= 0) {
            usage[1] = (byte) (usage[1] & ~0x1F | d.serviceAction());
        }
        byte[] b = new byte[4 + usage.length + (rctd ? 12 : 0)];
        b[1] = (byte) ((rctd ? 0x80 : 0) | 0x03);
        BigEndian.put16(b, 2, usage.length);
        System.arraycopy(usage, 0, b, 4, usage.length);
        if (rctd) {
            timeoutsDescriptor(b, 4 + usage.length);
        }
        return b;
    }

    /** SPC-5 "Command timeouts descriptor": DESCRIPTOR LENGTH 0Ah, timeouts 0 (not specified). */
    private static void timeoutsDescriptor(byte[] b, int at) {
        BigEndian.put16(b, at, 0x0A);
    }
}
