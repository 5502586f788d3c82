package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;

import java.util.List;

import static io.braid.scsi.internal.DataDirection.IN;
import static io.braid.scsi.internal.DataDirection.NONE;

/**
 * Commands about the medium rather than its data (SBC-4): START STOP UNIT, PREVENT ALLOW MEDIUM
 * REMOVAL, PRE-FETCH and READ DEFECT DATA. A Braid volume is a shared, non-removable (RMB 0),
 * always-ready unit with no device-server cache and no media defects, and these commands say so
 * truthfully.
 */
final class MediumCommands {

    private MediumCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        return List.of(
                CommandDescriptor.of("START STOP UNIT", 0x1B, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        MediumCommands::startStopUnit,
                        "1b 01 00 0f f7 00",
                        "00 00 00 00 00 c2"),
                CommandDescriptor.of("PREVENT ALLOW MEDIUM REMOVAL", 0x1E, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        MediumCommands::preventAllowMediumRemoval,
                        "1e 00 00 00 03 00",
                        "00 00 00 00 00 c2"),
                CommandDescriptor.of("PRE-FETCH(10)", 0x34, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        c -> preFetch(c, LbaFields.TEN),
                        "34 02 ff ff ff ff 00 ff ff 00",
                        "00 01 00 00 00 00 3f 00 00 c2"),
                CommandDescriptor.of("READ DEFECT DATA(10)", 0x37, -1, IN, (cdb, bs) -> BigEndian.u16(cdb, 7),
                        MediumCommands::readDefectData10,
                        "37 00 1f 00 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 00 00 00 c2"),
                CommandDescriptor.of("PRE-FETCH(16)", 0x90, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        c -> preFetch(c, LbaFields.SIXTEEN),
                        "90 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 3f c2"),
                CommandDescriptor.of("READ DEFECT DATA(12)", 0xB7, -1, IN, (cdb, bs) -> BigEndian.u32(cdb, 6),
                        MediumCommands::readDefectData12,
                        "b7 1f ff ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 c2"));
    }

    /*
     * START STOP UNIT (1Bh): 1 IMMED, 3 POWER CONDITION MODIFIER(3:0), 4 POWER CONDITION(7:4)
     * NO_FLUSH LOEJ START. A Braid volume is one logical unit shared by every host of the array:
     * one host stopping it would take it away from all the others (a cluster node shutting down
     * must not stop its peers' disk), so START 0 is refused as an unsupported value, the way LIO
     * refuses it, and LOEJ too: there is no medium to unload (MEDIUM REMOVAL PREVENTED when a
     * host prevents removal). START 1 finds the unit running. The power conditions ACTIVE, IDLE,
     * STANDBY, LU_CONTROL, FORCE_IDLE_0 and FORCE_STANDBY_0 are accepted and change nothing: a
     * virtual unit draws no power of its own. IMMED changes nothing either: the answer is
     * immediate anyway.
     */
    static ScsiResult startStopUnit(Command cmd) {
        byte[] cdb = cmd.cdb();
        int modifier = cdb[3] & 0x0F;
        int condition = (cdb[4] & 0xFF) >>> 4;
        boolean loej = (cdb[4] & 0x02) != 0;
        boolean start = (cdb[4] & 0x01) != 0;
        if (condition != 0) {
            int maxModifier = switch (condition) {
                case 0x1, 0x7, 0xA, 0xB -> 0;
                case 0x2 -> 2; // IDLE_A .. IDLE_C
                case 0x3 -> 1; // STANDBY_Z, STANDBY_Y
                default -> throw CheckCondition.invalidFieldInCdb(4, 7);
            };
            if (modifier > maxModifier) {
                throw CheckCondition.invalidFieldInCdb(3, 3);
            }
            return cmd.good();
        }
        if (modifier != 0) {
            throw CheckCondition.invalidFieldInCdb(3, 3);
        }
        if (loej) {
            if (!start && cmd.unit().mediumRemoval().prevented()) {
                throw CheckCondition.of(SenseCode.MEDIUM_REMOVAL_PREVENTED);
            }
            throw CheckCondition.invalidFieldInCdb(4, 1);
        }
        if (!start) {
            throw CheckCondition.invalidFieldInCdb(4, 0);
        }
        return cmd.good();
    }

    /*
     * PREVENT ALLOW MEDIUM REMOVAL (1Eh): 4 PREVENT(1:0). 00b allows and 01b prevents removal for
     * the I_T nexus that sends it; 10b and 11b (medium changers) are obsolete. The prevention
     * ends with ALLOW, I_T nexus loss and resets (see MediumRemoval).
     */
    static ScsiResult preventAllowMediumRemoval(Command cmd) {
        int prevent = cmd.cdb()[4] & 0x03;
        if (prevent > 1) {
            throw CheckCondition.invalidFieldInCdb(4, 1);
        }
        cmd.unit().mediumRemoval().prevent(cmd.nexus(), prevent == 1);
        return cmd.good();
    }

    /*
     * PRE-FETCH(10) (34h): 1 IMMED(1), 2-5 LBA, 6 GROUP NUMBER, 7-8 PREFETCH LENGTH.
     * PRE-FETCH(16) (90h): 1 IMMED(1), 2-9 LBA, 10-13 PREFETCH LENGTH, 14 GROUP NUMBER.
     * A length of zero means "to the last LBA". The range is checked; the device server has no
     * cache of its own to load, which SBC-4 answers with GOOD ("the cache does not have enough
     * capacity"), never CONDITION MET.
     */
    static ScsiResult preFetch(Command cmd, LbaFields fields) {
        byte[] cdb = cmd.cdb();
        BlockRange.check(fields.lba(cdb), fields.blocks(cdb), cmd.unit().blockCount());
        return cmd.good();
    }

    /*
     * READ DEFECT DATA(10) (37h): 2 REQ_PLIST REQ_GLIST DEFECT LIST FORMAT(3), 7-8 ALLOCATION
     * LENGTH. Header: 1 PLISTV GLISTV DEFECT LIST FORMAT, 2-3 DEFECT LIST LENGTH. A virtual unit
     * has no defects: the lists asked for are returned, empty, in the format asked for (111b is
     * reserved).
     */
    static ScsiResult readDefectData10(Command cmd) {
        int request = cmd.cdb()[2] & 0x1F;
        if ((request & 0x07) == 0x07) {
            throw CheckCondition.invalidFieldInCdb(2, 2);
        }
        byte[] b = new byte[4];
        b[1] = (byte) request;
        return cmd.dataIn(b);
    }

    /*
     * READ DEFECT DATA(12) (B7h): 1 REQ_PLIST REQ_GLIST DEFECT LIST FORMAT(3), 2-5 ADDRESS
     * DESCRIPTOR INDEX, 6-9 ALLOCATION LENGTH. Header: 1 PLISTV GLISTV DEFECT LIST FORMAT, 2-3
     * GENERATION CODE (0: not reported), 4-7 DEFECT LIST LENGTH. Empty lists, as for (10).
     */
    static ScsiResult readDefectData12(Command cmd) {
        int request = cmd.cdb()[1] & 0x1F;
        if ((request & 0x07) == 0x07) {
            throw CheckCondition.invalidFieldInCdb(1, 2);
        }
        byte[] b = new byte[8];
        b[1] = (byte) request;
        return cmd.dataIn(b);
    }
}
