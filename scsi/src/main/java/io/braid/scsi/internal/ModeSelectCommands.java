package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * MODE SELECT(6) and MODE SELECT(10) (SPC-5 "MODE SELECT(6) command", "MODE SELECT(10) command"):
 * the changeable fields of the control and caching mode pages ({@link ModePages}), with SP to save
 * them in the unit's state store. Every page is checked before anything changes, so a list with one
 * bad page changes nothing. A change of the current values gives every other I_T nexus MODE
 * PARAMETERS CHANGED (SPC-5: the parameters are shared by all I_T nexuses).
 */
final class ModeSelectCommands {

    private static final Logger log = LoggerFactory.getLogger(ModeSelectCommands.class);

    private static final int PF = 0x10;
    private static final int SP = 0x01;

    private ModeSelectCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        return List.of(
                // 1 PF (bit 4) SP (bit 0); RTD (bit 1) is not supported; 4 PARAMETER LIST LENGTH.
                CommandDescriptor.of("MODE SELECT(6)", 0x15, -1, OUT, (cdb, bs) -> cdb[4] & 0xFF,
                        c -> modeSelect(c, false),
                        "15 11 00 00 ff 00",
                        "00 00 00 00 00 c2"),
                // 1 PF SP, 7-8 PARAMETER LIST LENGTH.
                CommandDescriptor.of("MODE SELECT(10)", 0x55, -1, OUT, (cdb, bs) -> BigEndian.u16(cdb, 7),
                        c -> modeSelect(c, true),
                        "55 11 00 00 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 00 00 00 c2"));
    }

    /*
     * Parameter list: a mode parameter header, block descriptors, then pages.
     *  MODE SELECT(6) header:  0 MODE DATA LENGTH (reserved)  1 MEDIUM TYPE  2 DEVICE-SPECIFIC
     *                          PARAMETER  3 BLOCK DESCRIPTOR LENGTH
     *  MODE SELECT(10) header: 0-1 MODE DATA LENGTH (reserved)  2 MEDIUM TYPE  3 DEVICE-SPECIFIC
     *                          PARAMETER  4 LONGLBA (bit 0)  5 reserved  6-7 BLOCK DESCRIPTOR LENGTH
     *  page: 0 PS SPF PAGE CODE  1 PAGE LENGTH  2.. parameters
     * The mode data length is reserved for MODE SELECT and ignored, as is the device-specific
     * parameter (SBC-4: WP and DPOFUA are not set through MODE SELECT).
     */
    private static ScsiResult modeSelect(Command cmd, boolean ten) {
        byte[] cdb = cmd.cdb();
        LogicalUnit unit = cmd.unit();
        if ((cdb[1] & PF) == 0) {
            // PF 0 means vendor specific (SCSI-1) pages; Braid only speaks the SPC page format.
            throw CheckCondition.invalidFieldInCdb(1, 4);
        }
        boolean save = (cdb[1] & SP) != 0;
        int length = (int) Math.min(cmd.transferLength(), cmd.dataOut().readableBytes());
        if (length == 0) {
            return cmd.good(); // SPC-5: no parameter list is not an error, and changes nothing
        }
        byte[] list = new byte[length];
        ByteBuf data = cmd.dataOut();
        data.getBytes(data.readerIndex(), list);

        int headerLength = ten ? 8 : 4;
        if (length < headerLength) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int mediumType = ten ? list[2] & 0xFF : list[1] & 0xFF;
        if (mediumType != 0) {
            throw invalidField(ten ? 2 : 1, -1);
        }
        if (ten && (list[4] & 0xFE) != 0) {
            throw invalidField(4, 7);
        }
        if (ten && list[5] != 0) {
            throw invalidField(5, 7);
        }
        boolean longLba = ten && (list[4] & 0x01) != 0;
        int descriptorLength = ten ? BigEndian.u16(list, 6) : list[3] & 0xFF;
        int at = headerLength;
        if (headerLength + (long) descriptorLength > length) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        checkBlockDescriptors(unit, list, at, descriptorLength, longLba, ten ? 6 : 3);
        at += descriptorLength;

        ModeParameters.Values values = unit.modeParameters().current();
        while (at < length) {
            if (length - at < 2) {
                throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            int code = list[at] & 0x3F;
            if ((list[at] & 0x80) != 0) {
                throw invalidField(at, 7); // PS is reserved in MODE SELECT
            }
            if ((list[at] & 0x40) != 0 || !ModePages.known(code)) {
                // SPF: none of the pages has subpages; or a page this unit does not have.
                throw invalidField(at, (list[at] & 0x40) != 0 ? 6 : 5);
            }
            byte[] current = ModePages.page(unit, code, ModePages.PageControl.CURRENT);
            byte[] changeable = ModePages.page(unit, code, ModePages.PageControl.CHANGEABLE);
            int pageLength = list[at + 1] & 0xFF;
            if (pageLength != current.length - 2) {
                throw invalidField(at + 1, -1);
            }
            if (at + 2 + pageLength > length) {
                throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            for (int i = 2; i < current.length; i++) {
                int bad = (list[at + i] ^ current[i]) & ~changeable[i] & 0xFF;
                if (bad != 0) {
                    // SPC-5: a field that is not changeable must be sent with its current value.
                    throw invalidField(at + i, 31 - Integer.numberOfLeadingZeros(bad));
                }
            }
            byte[] sent = new byte[current.length];
            System.arraycopy(list, at, sent, 0, sent.length);
            values = ModePages.select(unit, code, sent, values);
            at += 2 + pageLength;
        }

        boolean wasProtected = unit.modeParameters().current().softwareWriteProtect();
        if (values.softwareWriteProtect() && !wasProtected) {
            // SPC-5 SWP: writing stops after the cached data is written.
            unit.flush();
        }
        boolean changed;
        try {
            changed = unit.modeParameters().apply(values, save);
        } catch (IOException e) {
            log.warn("lun {} ({}): saving mode parameters failed: {}", unit.lun(), unit.name(), e.toString());
            throw CheckCondition.of(SenseCode.INTERNAL_TARGET_FAILURE);
        }
        if (changed) {
            Nexus self = cmd.nexus();
            Set<Nexus> all = cmd.target().nexuses();
            unit.unitAttentions().establishAll(all.stream().filter(n -> !n.equals(self)).toList(),
                    SenseCode.MODE_PARAMETERS_CHANGED);
        }
        return cmd.good();
    }

    /*
     * Block descriptors may repeat what MODE SENSE reports; Braid cannot reformat, so the number of
     * blocks must be zero (no change) or the capacity, and the block length the current one.
     *  short (8 bytes): 0-3 NUMBER OF LOGICAL BLOCKS, 4 reserved, 5-7 LOGICAL BLOCK LENGTH
     *  long (16 bytes): 0-7 NUMBER OF LOGICAL BLOCKS, 8-11 reserved, 12-15 LOGICAL BLOCK LENGTH
     */
    private static void checkBlockDescriptors(LogicalUnit unit, byte[] list, int at, int length, boolean longLba,
                                              int lengthField) {
        int size = longLba ? 16 : 8;
        if (length % size != 0) {
            throw invalidField(lengthField, -1);
        }
        for (int d = at; d < at + length; d += size) {
            long blocks = longLba ? BigEndian.u64(list, d) : BigEndian.u32(list, d);
            long capacity = unit.blockCount();
            boolean sameCount = blocks == 0 || blocks == capacity
                    || !longLba && blocks == 0xFFFF_FFFFL && capacity >= 0xFFFF_FFFFL;
            if (!sameCount) {
                throw invalidField(d, 7);
            }
            long blockLength = longLba ? BigEndian.u32(list, d + 12) : BigEndian.u24(list, d + 5);
            if (blockLength != unit.blockSize()) {
                throw invalidField(longLba ? d + 12 : d + 5, 7);
            }
            if (longLba ? BigEndian.u32(list, d + 8) != 0 : list[d + 4] != 0) {
                throw invalidField(longLba ? d + 8 : d + 4, 7);
            }
        }
    }

    private static CheckCondition invalidField(int byteIndex, int bit) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameterList(byteIndex, bit)));
    }
}
