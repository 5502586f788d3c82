package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import io.braid.scsi.internal.PrState.Reservation;
import io.braid.scsi.internal.ReservationConflicts.Access;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The conflict table of SPC-5 and SBC-4 "commands that are allowed in the presence of various reservations". */
class ReservationConflictsTest {

    private static final Registrant HOLDER = new Registrant(new TransportId("iqn.h", 1), "t1");
    private static final Registrant REGISTERED = new Registrant(new TransportId("iqn.r", 2), "t1");
    private static final Registrant STRANGER = new Registrant(new TransportId("iqn.s", 3), "t1");

    /** A descriptor as another command set would register it. */
    private static CommandDescriptor d(int opcode, int sa, DataDirection dir, CommandFlag... flags) {
        String usage = String.format("%02x", opcode) + " 00".repeat(9);
        return CommandDescriptor.of("X", opcode, sa, dir, CommandDescriptor.TransferLength.NONE,
                c -> new ScsiResult(0, null, null, 0), usage, "00" + " 00".repeat(9), flags);
    }

    private static Access classify(int opcode, int sa) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        return ReservationConflicts.classify(d(opcode, sa, DataDirection.NONE), cdb);
    }

    @Test
    void commandsOfEveryCommandSetAreClassified() {
        assertThat(classify(0x89, -1)).as("COMPARE AND WRITE").isEqualTo(Access.WRITE);
        assertThat(classify(0x41, -1)).as("WRITE SAME(10)").isEqualTo(Access.WRITE);
        assertThat(classify(0x93, -1)).as("WRITE SAME(16)").isEqualTo(Access.WRITE);
        assertThat(classify(0x42, -1)).as("UNMAP").isEqualTo(Access.WRITE);
        assertThat(classify(0x9E, 0x12)).as("GET LBA STATUS").isEqualTo(Access.READ);
        assertThat(classify(0x9E, 0x10)).as("READ CAPACITY(16)").isEqualTo(Access.ALLOWED);
        assertThat(classify(0x83, 0x00)).as("EXTENDED COPY").isEqualTo(Access.WRITE);
        assertThat(classify(0x84, 0x03)).as("RECEIVE COPY RESULTS").isEqualTo(Access.READ);
        assertThat(classify(0x8B, -1)).as("ORWRITE").isEqualTo(Access.WRITE);
        for (int op : new int[] {0x2E, 0xAE, 0x8E}) {
            assertThat(classify(op, -1)).as("WRITE AND VERIFY").isEqualTo(Access.WRITE);
        }
        assertThat(classify(0x34, -1)).as("PRE-FETCH(10)").isEqualTo(Access.READ);
        assertThat(classify(0x90, -1)).as("PRE-FETCH(16)").isEqualTo(Access.READ);
        assertThat(classify(0x48, 0x01)).as("SANITIZE").isEqualTo(Access.WRITE);
        assertThat(classify(0x37, -1)).as("READ DEFECT DATA(10)").isEqualTo(Access.READ);
        assertThat(classify(0xB7, -1)).as("READ DEFECT DATA(12)").isEqualTo(Access.READ);
        assertThat(classify(0x15, -1)).as("MODE SELECT(6)").isEqualTo(Access.WRITE);
        assertThat(classify(0x55, -1)).as("MODE SELECT(10)").isEqualTo(Access.WRITE);
        assertThat(classify(0x1A, -1)).as("MODE SENSE(6)").isEqualTo(Access.READ);
        assertThat(classify(0xA3, 0x0A)).as("REPORT TARGET PORT GROUPS").isEqualTo(Access.ALLOWED);
        assertThat(classify(0xA4, 0x0A)).as("SET TARGET PORT GROUPS").isEqualTo(Access.WRITE);
        assertThat(classify(0xA3, 0x0C)).as("REPORT SUPPORTED OPERATION CODES").isEqualTo(Access.READ);
        assertThat(classify(0xA3, 0x0D)).as("REPORT SUPPORTED TMFS").isEqualTo(Access.READ);
        assertThat(classify(0xA3, 0x1F)).as("unknown MAINTENANCE IN").isEqualTo(Access.READ);
        assertThat(classify(0xA4, 0x1F)).as("unknown MAINTENANCE OUT").isEqualTo(Access.WRITE);
        assertThat(classify(0x9C, -1)).as("WRITE ATOMIC(16)").isEqualTo(Access.WRITE);
        assertThat(classify(0x35, -1)).as("SYNCHRONIZE CACHE(10)").isEqualTo(Access.WRITE);
        assertThat(classify(0x2F, -1)).as("VERIFY(10)").isEqualTo(Access.READ);
        for (int op : new int[] {0x00, 0x03, 0x12, 0x25, 0xA0, 0x5E, 0x5F, 0x16, 0x17, 0x56, 0x57}) {
            assertThat(classify(op, op == 0x5E || op == 0x5F ? 0 : -1)).as("%02X", op).isEqualTo(Access.ALLOWED);
        }
    }

    @Test
    void fieldDependentCommands() {
        byte[] prevent = {0x1E, 0, 0, 0, 0x01, 0};
        byte[] allow = {0x1E, 0, 0, 0, 0x00, 0};
        assertThat(ReservationConflicts.classify(null, prevent)).isEqualTo(Access.WRITE);
        assertThat(ReservationConflicts.classify(null, allow)).isEqualTo(Access.ALLOWED);
        byte[] start = {0x1B, 0, 0, 0, 0x01, 0};
        byte[] stop = {0x1B, 0, 0, 0, 0x00, 0};
        byte[] powerCondition = {0x1B, 0, 0, 0, 0x31, 0};
        assertThat(ReservationConflicts.classify(null, start)).isEqualTo(Access.ALLOWED);
        assertThat(ReservationConflicts.classify(null, stop)).isEqualTo(Access.WRITE);
        assertThat(ReservationConflicts.classify(null, powerCondition)).isEqualTo(Access.WRITE);
    }

    @Test
    void unknownCommandsFollowTheDefaultRule() {
        byte[] cdb = {(byte) 0xC5, 0, 0, 0, 0, 0};
        assertThat(ReservationConflicts.classify(d(0xC5, -1, DataDirection.OUT), cdb)).isEqualTo(Access.WRITE);
        assertThat(ReservationConflicts.classify(d(0xC5, -1, DataDirection.NONE, CommandFlag.WRITES_MEDIUM), cdb))
                .isEqualTo(Access.WRITE);
        assertThat(ReservationConflicts.classify(d(0xC5, -1, DataDirection.IN), cdb)).isEqualTo(Access.READ);
        assertThat(ReservationConflicts.classify(d(0xC5, -1, DataDirection.NONE), cdb)).isEqualTo(Access.READ);
    }

    /** The whole matrix: type x who asks x class of command. */
    @Test
    void persistentMatrix() {
        for (PrType type : PrType.values()) {
            PrState s = new PrState(1, false, List.of(new Registration(HOLDER, 1, 0xA), new Registration(REGISTERED, 1, 0xB)),
                    new Reservation(type.allRegistrants() ? null : HOLDER, type));
            for (Access a : Access.values()) {
                assertThat(ReservationConflicts.conflictsWithPersistent(s, HOLDER, a)).as("holder %s %s", type, a).isFalse();
                boolean registeredConflicts = !type.registrantsHaveAccess()
                        && (a == Access.WRITE || a == Access.READ && type.exclusiveAccess());
                assertThat(ReservationConflicts.conflictsWithPersistent(s, REGISTERED, a)).as("registered %s %s", type, a)
                        .isEqualTo(registeredConflicts);
                boolean strangerConflicts = a == Access.WRITE || a == Access.READ && type.exclusiveAccess();
                assertThat(ReservationConflicts.conflictsWithPersistent(s, STRANGER, a)).as("stranger %s %s", type, a)
                        .isEqualTo(strangerConflicts);
            }
        }
        PrState registeredOnly = new PrState(1, false, List.of(new Registration(HOLDER, 1, 0xA)), null);
        assertThat(ReservationConflicts.conflictsWithPersistent(registeredOnly, STRANGER, Access.WRITE))
                .as("registrations alone restrict nothing").isFalse();
    }

    @Test
    void scsi2Matrix() {
        byte[] read = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
        byte[] inquiry = {0x12, 0, 0, 0, 0x24, 0};
        byte[] prin = {0x5E, 0, 0, 0, 0, 0, 0, 0, 8, 0};
        assertThat(ReservationConflicts.conflictsWithScsi2(null, STRANGER, null, read)).isFalse();
        assertThat(ReservationConflicts.conflictsWithScsi2(HOLDER, HOLDER, null, read)).isFalse();
        assertThat(ReservationConflicts.conflictsWithScsi2(HOLDER, STRANGER, null, read)).isTrue();
        assertThat(ReservationConflicts.conflictsWithScsi2(HOLDER, STRANGER, null, inquiry)).isFalse();
        assertThat(ReservationConflicts.conflictsWithScsi2(HOLDER, HOLDER, null, prin)).isTrue();
        byte[] rtpg = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0};
        assertThat(ReservationConflicts.conflictsWithScsi2(HOLDER, STRANGER, d(0xA3, 0x0A, DataDirection.IN), rtpg))
                .isFalse();
        assertThat(ReservationConflicts.conflictsWithScsi2(HOLDER, STRANGER, d(0xA3, 0x0C, DataDirection.IN), rtpg))
                .isTrue();
    }
}
