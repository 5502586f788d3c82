package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;

import java.util.HashMap;
import java.util.Map;

/**
 * Which commands a reservation lets through, checked for every command after the LUN and unit
 * attention checks and before it runs (SAM-5 "Reservation conflict"). One table for every command
 * set, keyed by operation code and service action, so a command added elsewhere is classified
 * here or by the default rule: a command that writes conflicts under a write exclusive type, any
 * other under an exclusive access type.
 *
 * <p>Persistent reservations follow SPC-5 table "SPC commands that are allowed in the presence of
 * various reservations" and SBC-4 table "SBC commands that are allowed in the presence of various
 * reservations": for a non-holder, {@link Access#ALLOWED} commands never conflict, {@link
 * Access#READ} commands conflict under the exclusive access types, {@link Access#WRITE} commands
 * under every type; an I_T nexus registered under a registrants only or all registrants type is
 * treated as a holder. PERSISTENT RESERVE OUT service actions apply their own rules.
 *
 * <p>A SCSI-2 reservation (SPC-2 "Reservations") lets other I_T nexuses through only with
 * INQUIRY, REPORT LUNS, REQUEST SENSE, RELEASE, LOG SENSE, PREVENT ALLOW MEDIUM REMOVAL with
 * PREVENT 00b and REPORT TARGET PORT GROUPS, and makes every PERSISTENT RESERVE command conflict,
 * even from its holder.
 */
final class ReservationConflicts {

    /** How a command fares under a persistent reservation it does not hold. */
    enum Access {
        /** Allowed under every type. */
        ALLOWED,
        /** Allowed under the write exclusive types, conflicts under the exclusive access types. */
        READ,
        /** Conflicts under every type. */
        WRITE
    }

    private static final int ANY = 0xFFFF;
    private static final Map<Integer, Access> TABLE = new HashMap<>();

    static {
        // SPC-5: always allowed.
        allowed(0x00, ANY);       // TEST UNIT READY
        allowed(0x03, ANY);       // REQUEST SENSE
        allowed(0x12, ANY);       // INQUIRY
        allowed(0x16, ANY);       // RESERVE(6): compatible reservation handling decides
        allowed(0x17, ANY);       // RELEASE(6)
        allowed(0x4D, ANY);       // LOG SENSE
        allowed(0x56, ANY);       // RESERVE(10)
        allowed(0x57, ANY);       // RELEASE(10)
        allowed(0x5E, ANY);       // PERSISTENT RESERVE IN
        allowed(0x5F, ANY);       // PERSISTENT RESERVE OUT: the service actions check
        allowed(0x86, ANY);       // ACCESS CONTROL IN
        allowed(0x87, ANY);       // ACCESS CONTROL OUT
        allowed(0xA0, ANY);       // REPORT LUNS
        allowed(0xA3, 0x05);      // REPORT IDENTIFYING INFORMATION
        allowed(0xA3, 0x0A);      // REPORT TARGET PORT GROUPS
        allowed(0xA3, 0x0B);      // REPORT ALIASES
        allowed(0xA3, 0x0E);      // REPORT PRIORITY
        allowed(0xA3, 0x0F);      // REPORT TIMESTAMP
        allowed(0xAB, 0x01);      // READ MEDIA SERIAL NUMBER
        // SBC-4: always allowed.
        allowed(0x25, ANY);       // READ CAPACITY(10)
        allowed(0x9E, 0x10);      // READ CAPACITY(16)

        // Allowed under write exclusive, conflicts under exclusive access.
        read(0x08, ANY);          // READ(6)
        read(0x28, ANY);          // READ(10)
        read(0xA8, ANY);          // READ(12)
        read(0x88, ANY);          // READ(16)
        read(0x7F, 0x0009);       // READ(32)
        read(0x2F, ANY);          // VERIFY(10)
        read(0xAF, ANY);          // VERIFY(12)
        read(0x8F, ANY);          // VERIFY(16)
        read(0x7F, 0x000A);       // VERIFY(32)
        read(0x34, ANY);          // PRE-FETCH(10)
        read(0x90, ANY);          // PRE-FETCH(16)
        read(0x37, ANY);          // READ DEFECT DATA(10)
        read(0xB7, ANY);          // READ DEFECT DATA(12)
        read(0x3E, ANY);          // READ LONG(10)
        read(0x9E, 0x11);         // READ LONG(16)
        read(0x9E, 0x12);         // GET LBA STATUS
        read(0x9E, 0x13);         // REPORT REFERRALS
        read(0x9E, ANY);          // other SERVICE ACTION IN(16)
        read(0x1A, ANY);          // MODE SENSE(6)
        read(0x5A, ANY);          // MODE SENSE(10)
        read(0x1C, ANY);          // RECEIVE DIAGNOSTIC RESULTS
        read(0x3C, ANY);          // READ BUFFER
        read(0x8C, ANY);          // READ ATTRIBUTE
        read(0x84, ANY);          // RECEIVE COPY RESULTS / RECEIVE ROD TOKEN INFORMATION
        read(0xA2, ANY);          // SECURITY PROTOCOL IN
        read(0xA3, 0x0C);         // REPORT SUPPORTED OPERATION CODES
        read(0xA3, 0x0D);         // REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS
        read(0xA3, 0x10);         // MANAGEMENT PROTOCOL IN
        read(0xA3, ANY);          // other MAINTENANCE IN

        // Conflict under every type.
        write(0x04, ANY);         // FORMAT UNIT
        write(0x07, ANY);         // REASSIGN BLOCKS
        write(0x0A, ANY);         // WRITE(6)
        write(0x2A, ANY);         // WRITE(10)
        write(0xAA, ANY);         // WRITE(12)
        write(0x8A, ANY);         // WRITE(16)
        write(0x7F, 0x000B);      // WRITE(32)
        write(0x2E, ANY);         // WRITE AND VERIFY(10)
        write(0xAE, ANY);         // WRITE AND VERIFY(12)
        write(0x8E, ANY);         // WRITE AND VERIFY(16)
        write(0x7F, 0x000C);      // WRITE AND VERIFY(32)
        write(0x41, ANY);         // WRITE SAME(10)
        write(0x93, ANY);         // WRITE SAME(16)
        write(0x7F, 0x000D);      // WRITE SAME(32)
        write(0x42, ANY);         // UNMAP
        write(0x89, ANY);         // COMPARE AND WRITE
        write(0x8B, ANY);         // ORWRITE(16)
        write(0x7F, 0x000E);      // ORWRITE(32)
        write(0x9C, ANY);         // WRITE ATOMIC(16)
        write(0x7F, 0x000F);      // WRITE ATOMIC(32)
        write(0x3F, ANY);         // WRITE LONG(10)
        write(0x9F, ANY);         // SERVICE ACTION OUT(16): WRITE LONG(16), ...
        write(0x35, ANY);         // SYNCHRONIZE CACHE(10)
        write(0x91, ANY);         // SYNCHRONIZE CACHE(16)
        write(0x48, ANY);         // SANITIZE
        write(0x15, ANY);         // MODE SELECT(6)
        write(0x55, ANY);         // MODE SELECT(10)
        write(0x4C, ANY);         // LOG SELECT
        write(0x1D, ANY);         // SEND DIAGNOSTIC
        write(0x3B, ANY);         // WRITE BUFFER
        write(0x8D, ANY);         // WRITE ATTRIBUTE
        write(0x83, ANY);         // EXTENDED COPY, POPULATE TOKEN, WRITE USING TOKEN
        write(0xB5, ANY);         // SECURITY PROTOCOL OUT
        write(0xA4, 0x06);        // SET IDENTIFYING INFORMATION
        write(0xA4, 0x0A);        // SET TARGET PORT GROUPS
        write(0xA4, 0x0B);        // CHANGE ALIASES
        write(0xA4, 0x0E);        // SET PRIORITY
        write(0xA4, 0x0F);        // SET TIMESTAMP
        write(0xA4, 0x10);        // MANAGEMENT PROTOCOL OUT
        write(0xA4, ANY);         // other MAINTENANCE OUT
    }

    private ReservationConflicts() {
    }

    private static void allowed(int opcode, int sa) {
        TABLE.put(opcode << 16 | sa, Access.ALLOWED);
    }

    private static void read(int opcode, int sa) {
        TABLE.put(opcode << 16 | sa, Access.READ);
    }

    private static void write(int opcode, int sa) {
        TABLE.put(opcode << 16 | sa, Access.WRITE);
    }

    /**
     * The class of a command: from the table by opcode and service action, then by opcode alone,
     * then by the default rule. PREVENT ALLOW MEDIUM REMOVAL and START STOP UNIT depend on fields.
     */
    static Access classify(CommandDescriptor d, byte[] cdb) {
        int opcode = cdb[0] & 0xFF;
        switch (opcode) {
            case 0x1E -> {
                // SBC-4: PREVENT 00b is allowed, any other value conflicts.
                return cdb.length > 4 && (cdb[4] & 0x03) == 0 ? Access.ALLOWED : Access.WRITE;
            }
            case 0x1B -> {
                // SBC-4: START 1 with POWER CONDITION 0h is allowed, stopping or power changes conflict.
                return cdb.length > 4 && (cdb[4] & 0x01) != 0 && (cdb[4] & 0xF0) == 0 ? Access.ALLOWED : Access.WRITE;
            }
            default -> {
            }
        }
        int sa = d != null && d.serviceAction() >= 0 ? d.serviceAction() : ANY;
        Access a = TABLE.get(opcode << 16 | sa);
        if (a == null && sa != ANY) {
            a = TABLE.get(opcode << 16 | ANY);
        }
        if (a != null) {
            return a;
        }
        if (d != null && (d.has(CommandFlag.WRITES_MEDIUM) || d.direction() == DataDirection.OUT)) {
            return Access.WRITE;
        }
        return Access.READ;
    }

    /** Whether a command of class {@code access} from {@code nexus} conflicts with the persistent reservation. */
    static boolean conflictsWithPersistent(PrState s, Registrant nexus, Access access) {
        if (access == Access.ALLOWED || s.reservation() == null) {
            return false;
        }
        Registration mine = s.registrationOf(nexus);
        if (s.holds(mine)) {
            return false;
        }
        PrType type = s.reservation().type();
        if (mine != null && type.registrantsHaveAccess()) {
            return false;
        }
        return access == Access.WRITE || type.exclusiveAccess();
    }

    /** Whether a command from {@code nexus} conflicts with the SCSI-2 reservation of {@code holder}. */
    static boolean conflictsWithScsi2(Registrant holder, Registrant nexus, CommandDescriptor d, byte[] cdb) {
        if (holder == null) {
            return false;
        }
        int opcode = cdb[0] & 0xFF;
        if (opcode == 0x5E || opcode == 0x5F) {
            return true;
        }
        if (holder.equals(nexus)) {
            return false;
        }
        return switch (opcode) {
            case 0x03, 0x12, 0x17, 0x4D, 0x57, 0xA0 -> false;
            case 0x1E -> cdb.length <= 4 || (cdb[4] & 0x03) != 0;
            case 0xA3 -> d == null || d.serviceAction() != 0x0A;
            default -> true;
        };
    }

    /** Ends the command with RESERVATION CONFLICT when a reservation of the unit forbids it. */
    /**
     * SPC-5 "Recoverable loss of persistent reservation information": what still runs while it
     * holds — PERSISTENT RESERVE OUT with REPLACE LOST RESERVATION and the commands a logical unit
     * with nonvolatile memory not ready allows (INQUIRY, LOG SENSE, READ BUFFER, REPORT LUNS,
     * REPORT TARGET PORT GROUPS, REQUEST SENSE, START STOP UNIT with START 1 and POWER CONDITION
     * 0h, WRITE BUFFER). Everything else ends with DATA PROTECT / PERSISTENT RESERVATION
     * INFORMATION LOST.
     */
    static boolean allowedWhileLost(CommandDescriptor d, byte[] cdb) {
        return switch (d.opcode()) {
            case 0x12, 0x4D, 0x3C, 0xA0, 0x03, 0x3B -> true;
            case 0xA3 -> d.serviceAction() == 0x0A;
            case 0x5F -> d.serviceAction() == PrServiceActions.REPLACE_LOST_RESERVATION;
            case 0x1B -> (cdb[4] & 0x01) != 0 && (cdb[4] & 0xF0) == 0;
            default -> false;
        };
    }

    static void check(CommandDescriptor d, byte[] cdb, LogicalUnit unit, Nexus nexus) {
        Reservations r = unit.reservations();
        if (r.lost() && !allowedWhileLost(d, cdb) && unit.has(io.braid.scsi.UnitFeature.PERSISTENT_RESERVATIONS)) {
            throw CheckCondition.of(SenseCode.PERSISTENT_RESERVATION_INFORMATION_LOST);
        }
        Registrant scsi2 = r.scsi2Holder();
        PrState s = r.state();
        if (scsi2 == null && s.reservation() == null) {
            return; // the common case, decided without parsing the nexus
        }
        Registrant me = Registrant.of(nexus);
        if (conflictsWithScsi2(scsi2, me, d, cdb)) {
            throw ReservationConflict.because(d.name() + " conflicts with the SCSI-2 reservation of " + scsi2);
        }
        if (conflictsWithPersistent(s, me, classify(d, cdb))) {
            throw ReservationConflict.because(d.name() + " conflicts with the "
                    + s.reservation().type().abbreviation() + " persistent reservation");
        }
    }
}
