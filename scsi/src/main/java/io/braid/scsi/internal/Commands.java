package io.braid.scsi.internal;

import java.util.ArrayList;
import java.util.List;

import static io.braid.scsi.internal.CommandFlag.IGNORES_UNIT_ATTENTION;
import static io.braid.scsi.internal.CommandFlag.SERVED_FOR_UNKNOWN_LUN;
import static io.braid.scsi.internal.CommandFlag.WRITES_MEDIUM;
import static io.braid.scsi.internal.DataDirection.IN;
import static io.braid.scsi.internal.DataDirection.NONE;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * The commands the core implements, with their CDB usage bitmaps taken from the CDB layouts of
 * SPC-5 and SBC-4. In the "ignored" column the last byte's C2h is the CONTROL byte's vendor
 * specific bits and obsolete FLAG bit; NACA and LINK are evaluated (rejected: ACA and linked
 * commands are not supported). Group numbers (3Fh) are accepted and ignored: there are no
 * grouping functions. A service action field is all ones in the usage map so any value reaches
 * the table lookup; REPORT SUPPORTED OPERATION CODES reports the service action itself there.
 */
final class Commands {

    private Commands() {
    }

    /**
     * Every command the core implements. Each command set keeps its descriptors next to its
     * handlers (a {@code descriptors()} method in its own class) and adds one line here.
     */
    static CommandTable standard() {
        List<CommandDescriptor> all = new ArrayList<>(basic());
        all.addAll(PersistentReservationCommands.descriptors());
        all.addAll(ExtendedCopyCommands.descriptors());
        all.addAll(AluaCommands.descriptors());
        all.addAll(ModeSelectCommands.descriptors());
        all.addAll(TaskManagementReport.descriptors());
        all.addAll(CompareAndWriteCommands.descriptors());
        all.addAll(ThinProvisioningCommands.descriptors());
        all.addAll(SanitizeCommands.descriptors());
        all.addAll(MediumCommands.descriptors());
        return new CommandTable(all);
    }

    /** The SPC and SBC commands of the foundation: identification, capacity, READ, WRITE, VERIFY. */
    private static List<CommandDescriptor> basic() {
        return List.of(
                CommandDescriptor.of("TEST UNIT READY", 0x00, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        SpcCommands::testUnitReady,
                        "00 00 00 00 00 00",
                        "00 00 00 00 00 c2"),
                CommandDescriptor.of("REQUEST SENSE", 0x03, -1, IN, (cdb, bs) -> cdb[4] & 0xFF,
                        SpcCommands::requestSense,
                        "03 01 00 00 ff 00",
                        "00 00 00 00 00 c2",
                        SERVED_FOR_UNKNOWN_LUN, IGNORES_UNIT_ATTENTION),
                CommandDescriptor.of("READ(6)", 0x08, -1, IN,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.SIX, cdb, bs),
                        c -> SbcCommands.read(c, LbaFields.SIX),
                        "08 1f ff ff ff 00",
                        "00 00 00 00 00 c2"),
                CommandDescriptor.of("WRITE(6)", 0x0A, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.SIX, cdb, bs),
                        c -> SbcCommands.write(c, LbaFields.SIX),
                        "0a 1f ff ff ff 00",
                        "00 00 00 00 00 c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("INQUIRY", 0x12, -1, IN, (cdb, bs) -> BigEndian.u16(cdb, 3),
                        SpcCommands::inquiry,
                        "12 01 ff ff ff 00",
                        "00 00 00 00 00 c2",
                        SERVED_FOR_UNKNOWN_LUN, IGNORES_UNIT_ATTENTION),
                CommandDescriptor.of("MODE SENSE(6)", 0x1A, -1, IN, (cdb, bs) -> cdb[4] & 0xFF,
                        SpcCommands::modeSense6,
                        "1a 08 ff ff ff 00",
                        "00 00 00 00 00 c2"),
                CommandDescriptor.of("READ CAPACITY(10)", 0x25, -1, IN, (cdb, bs) -> 8,
                        SbcCommands::readCapacity10,
                        "25 00 00 00 00 00 00 00 00 00",
                        "00 01 ff ff ff ff 00 00 01 c2"),
                CommandDescriptor.of("READ(10)", 0x28, -1, IN,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.TEN, cdb, bs),
                        c -> SbcCommands.read(c, LbaFields.TEN),
                        "28 18 ff ff ff ff 00 ff ff 00",
                        "00 07 00 00 00 00 3f 00 00 c2"),
                CommandDescriptor.of("WRITE(10)", 0x2A, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.TEN, cdb, bs),
                        c -> SbcCommands.write(c, LbaFields.TEN),
                        "2a 18 ff ff ff ff 00 ff ff 00",
                        "00 03 00 00 00 00 3f 00 00 c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("VERIFY(10)", 0x2F, -1, OUT,
                        (cdb, bs) -> SbcCommands.verifyBytes(LbaFields.TEN, cdb, bs),
                        c -> SbcCommands.verify(c, LbaFields.TEN),
                        "2f 16 ff ff ff ff 00 ff ff 00",
                        "00 01 00 00 00 00 3f 00 00 c2"),
                CommandDescriptor.of("SYNCHRONIZE CACHE(10)", 0x35, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        c -> SbcCommands.synchronizeCache(c, LbaFields.TEN),
                        "35 02 ff ff ff ff 00 ff ff 00",
                        "00 05 00 00 00 00 3f 00 00 c2"),
                CommandDescriptor.of("MODE SENSE(10)", 0x5A, -1, IN, (cdb, bs) -> BigEndian.u16(cdb, 7),
                        SpcCommands::modeSense10,
                        "5a 18 ff ff 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 00 00 00 c2"),
                CommandDescriptor.of("READ(16)", 0x88, -1, IN,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.SIXTEEN, cdb, bs),
                        c -> SbcCommands.read(c, LbaFields.SIXTEEN),
                        "88 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 06 00 00 00 00 00 00 00 00 00 00 00 00 3f c2"),
                CommandDescriptor.of("WRITE(16)", 0x8A, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.SIXTEEN, cdb, bs),
                        c -> SbcCommands.write(c, LbaFields.SIXTEEN),
                        "8a 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 02 00 00 00 00 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("VERIFY(16)", 0x8F, -1, OUT,
                        (cdb, bs) -> SbcCommands.verifyBytes(LbaFields.SIXTEEN, cdb, bs),
                        c -> SbcCommands.verify(c, LbaFields.SIXTEEN),
                        "8f 16 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 3f c2"),
                CommandDescriptor.of("SYNCHRONIZE CACHE(16)", 0x91, -1, NONE, CommandDescriptor.TransferLength.NONE,
                        c -> SbcCommands.synchronizeCache(c, LbaFields.SIXTEEN),
                        "91 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
                        "00 04 00 00 00 00 00 00 00 00 00 00 00 00 3f c2"),
                CommandDescriptor.of("READ CAPACITY(16)", 0x9E, 0x10, IN, (cdb, bs) -> BigEndian.u32(cdb, 10),
                        SbcCommands::readCapacity16,
                        "9e 1f 00 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                        "00 00 ff ff ff ff ff ff ff ff 00 00 00 00 01 c2"),
                CommandDescriptor.of("REPORT LUNS", 0xA0, -1, IN, (cdb, bs) -> BigEndian.u32(cdb, 6),
                        SpcCommands::reportLuns,
                        "a0 00 ff 00 00 00 ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 c2",
                        SERVED_FOR_UNKNOWN_LUN, IGNORES_UNIT_ATTENTION),
                CommandDescriptor.of("REPORT SUPPORTED OPERATION CODES", 0xA3, 0x0C, IN,
                        (cdb, bs) -> BigEndian.u32(cdb, 6),
                        SpcCommands::reportSupportedOperationCodes,
                        "a3 1f 87 ff ff ff ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 c2"),
                CommandDescriptor.of("READ(12)", 0xA8, -1, IN,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.TWELVE, cdb, bs),
                        c -> SbcCommands.read(c, LbaFields.TWELVE),
                        "a8 18 ff ff ff ff ff ff ff ff 00 00",
                        "00 07 00 00 00 00 00 00 00 00 3f c2"),
                CommandDescriptor.of("WRITE(12)", 0xAA, -1, OUT,
                        (cdb, bs) -> SbcCommands.readWriteBytes(LbaFields.TWELVE, cdb, bs),
                        c -> SbcCommands.write(c, LbaFields.TWELVE),
                        "aa 18 ff ff ff ff ff ff ff ff 00 00",
                        "00 03 00 00 00 00 00 00 00 00 3f c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("VERIFY(12)", 0xAF, -1, OUT,
                        (cdb, bs) -> SbcCommands.verifyBytes(LbaFields.TWELVE, cdb, bs),
                        c -> SbcCommands.verify(c, LbaFields.TWELVE),
                        "af 16 ff ff ff ff ff ff ff ff 00 00",
                        "00 01 00 00 00 00 00 00 00 00 3f c2"));
    }
}
