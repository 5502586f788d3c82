package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.internal.PrServiceActions.Caller;
import io.braid.scsi.internal.PrServiceActions.Notice;
import io.braid.scsi.internal.PrServiceActions.Outcome;
import io.braid.scsi.internal.PrServiceActions.Request;
import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static io.braid.scsi.internal.CommandFlag.NEEDS_PERSISTENT_RESERVATIONS;
import static io.braid.scsi.internal.DataDirection.IN;
import static io.braid.scsi.internal.DataDirection.NONE;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * PERSISTENT RESERVE IN (5Eh) and OUT (5Fh) (SPC-5) and the SCSI-2 RESERVE/RELEASE(6) and (10)
 * commands (SPC-2), offered on units with {@link io.braid.scsi.UnitFeature#PERSISTENT_RESERVATIONS}.
 * The state lives in each unit's {@link Reservations}; {@link ReservationConflicts} applies it to
 * every other command.
 */
final class PersistentReservationCommands {

    private static final Logger log = LoggerFactory.getLogger(PersistentReservationCommands.class);

    static final int READ_KEYS = 0x00;
    static final int READ_RESERVATION = 0x01;
    static final int REPORT_CAPABILITIES = 0x02;
    static final int READ_FULL_STATUS = 0x03;

    /** Basic PERSISTENT RESERVE OUT parameter list length (SPEC_I_PT 0). */
    static final int BASIC_LENGTH = 24;

    private PersistentReservationCommands() {
    }

    /*
     * PERSISTENT RESERVE IN: 1 SERVICE ACTION (4-0), 7-8 ALLOCATION LENGTH.
     * PERSISTENT RESERVE OUT: 1 SERVICE ACTION (4-0), 2 SCOPE (7-4) | TYPE (3-0), 5-8 PARAMETER LIST LENGTH.
     * RESERVE(6)/RELEASE(6): byte 1 bits 4-0 were SCSI-2's third party and extent fields: third
     * party and extent reservations are not supported, so those bits are refused; bytes 2-4 only
     * meant something with them and are ignored, as are the old LUN bits.
     * RESERVE(10)/RELEASE(10): 1 3RDPTY (bit 4, not supported) LONGID (bit 1), 3 THIRD-PARTY
     * DEVICE ID, 7-8 PARAMETER LIST LENGTH, all ignored when 3RDPTY is 0 (SPC-2).
     */
    static List<CommandDescriptor> descriptors() {
        List<CommandDescriptor> all = new ArrayList<>();
        all.add(CommandDescriptor.of("RESERVE(6)", 0x16, -1, NONE, CommandDescriptor.TransferLength.NONE,
                PersistentReservationCommands::reserve,
                "16 00 00 00 00 00", "00 e0 ff ff ff c2", NEEDS_PERSISTENT_RESERVATIONS));
        all.add(CommandDescriptor.of("RELEASE(6)", 0x17, -1, NONE, CommandDescriptor.TransferLength.NONE,
                PersistentReservationCommands::release,
                "17 00 00 00 00 00", "00 e0 ff ff ff c2", NEEDS_PERSISTENT_RESERVATIONS));
        all.add(CommandDescriptor.of("RESERVE(10)", 0x56, -1, NONE, CommandDescriptor.TransferLength.NONE,
                PersistentReservationCommands::reserve,
                "56 00 00 00 00 00 00 00 00 00", "00 e2 ff ff 00 00 00 ff ff c2", NEEDS_PERSISTENT_RESERVATIONS));
        all.add(CommandDescriptor.of("RELEASE(10)", 0x57, -1, NONE, CommandDescriptor.TransferLength.NONE,
                PersistentReservationCommands::release,
                "57 00 00 00 00 00 00 00 00 00", "00 e2 ff ff 00 00 00 ff ff c2", NEEDS_PERSISTENT_RESERVATIONS));
        String[] in = {"READ KEYS", "READ RESERVATION", "REPORT CAPABILITIES", "READ FULL STATUS"};
        for (int sa = 0; sa < in.length; sa++) {
            all.add(CommandDescriptor.of("PERSISTENT RESERVE IN/" + in[sa], 0x5E, sa, IN,
                    (cdb, bs) -> BigEndian.u16(cdb, 7),
                    PersistentReservationCommands::persistentReserveIn,
                    "5e 1f 00 00 00 00 00 ff ff 00", "00 00 00 00 00 00 00 00 00 c2",
                    NEEDS_PERSISTENT_RESERVATIONS));
        }
        String[] out = {"REGISTER", "RESERVE", "RELEASE", "CLEAR", "PREEMPT", "PREEMPT AND ABORT",
                "REGISTER AND IGNORE EXISTING KEY", "REGISTER AND MOVE", "REPLACE LOST RESERVATION"};
        for (int sa = 0; sa < out.length; sa++) {
            all.add(CommandDescriptor.of("PERSISTENT RESERVE OUT/" + out[sa], 0x5F, sa, OUT,
                    (cdb, bs) -> BigEndian.u32(cdb, 5),
                    PersistentReservationCommands::persistentReserveOut,
                    "5f 1f ff 00 00 ff ff ff ff 00", "00 00 00 00 00 00 00 00 00 c2",
                    NEEDS_PERSISTENT_RESERVATIONS));
        }
        return List.copyOf(all);
    }

    static ScsiResult persistentReserveIn(Command cmd) {
        PrState s = cmd.unit().reservations().state();
        byte[] data = switch (cmd.cdb()[1] & 0x1F) {
            case READ_KEYS -> readKeys(s);
            case READ_RESERVATION -> readReservation(s);
            case REPORT_CAPABILITIES -> reportCapabilities(s);
            case READ_FULL_STATUS -> readFullStatus(s);
            default -> throw CheckCondition.invalidFieldInCdb(1, 4);
        };
        return cmd.dataIn(data);
    }

    /** SPC-5 "READ KEYS parameter data": PRGENERATION, ADDITIONAL LENGTH, one key per registration. */
    static byte[] readKeys(PrState s) {
        List<Registration> regs = s.registrations();
        byte[] b = new byte[8 + 8 * regs.size()];
        BigEndian.put32(b, 0, s.generation() & 0xFFFF_FFFFL);
        BigEndian.put32(b, 4, 8L * regs.size());
        for (int i = 0; i < regs.size(); i++) {
            BigEndian.put64(b, 8 + 8 * i, regs.get(i).key());
        }
        return b;
    }

    /*
     * SPC-5 "READ RESERVATION parameter data": PRGENERATION, ADDITIONAL LENGTH (0 or 10h), then
     * 8-15 RESERVATION KEY (0 for an all registrants type), 21 SCOPE | TYPE.
     */
    static byte[] readReservation(PrState s) {
        PrState.Reservation res = s.reservation();
        byte[] b = new byte[res == null ? 8 : 24];
        BigEndian.put32(b, 0, s.generation() & 0xFFFF_FFFFL);
        if (res != null) {
            BigEndian.put32(b, 4, 16);
            Registration holder = s.holderRegistration();
            BigEndian.put64(b, 8, holder == null ? 0 : holder.key());
            b[21] = (byte) (PrServiceActions.LU_SCOPE << 4 | res.type().code());
        }
        return b;
    }

    /*
     * SPC-5 "REPORT CAPABILITIES parameter data": 0-1 LENGTH (8), 2 RLR_C CRH SIP_C ATP_C PTPL_C,
     * 3 TMV ALLOW COMMANDS (6-4) PTPL_A, 4-5 PERSISTENT RESERVATION TYPE MASK.
     * RLR_C: REPLACE LOST RESERVATION is supported (a lost APTPL record is a recoverable loss).
     * CRH: RESERVE/RELEASE follow the exceptions for persistent reservations. ALLOW COMMANDS 001b:
     * TEST UNIT READY passes write exclusive and exclusive access reservations.
     */
    static byte[] reportCapabilities(PrState s) {
        byte[] b = new byte[8];
        BigEndian.put16(b, 0, 8);
        b[2] = (byte) (0x80 | 0x10 | 0x08 | 0x04 | 0x01); // RLR_C, CRH, SIP_C, ATP_C, PTPL_C
        b[3] = (byte) (0x80 | 0b001 << 4 | (s.aptpl() ? 0x01 : 0)); // TMV, ALLOW COMMANDS, PTPL_A
        // WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX | EX_AC_AR: all six types.
        b[4] = (byte) (0x80 | 0x40 | 0x20 | 0x08 | 0x02);
        b[5] = 0x01;
        return b;
    }

    /*
     * SPC-5 "READ FULL STATUS parameter data": PRGENERATION, ADDITIONAL LENGTH, then per registration
     *  0-7 RESERVATION KEY      18-19 RELATIVE TARGET PORT IDENTIFIER
     *  12  ALL_TG_PT R_HOLDER   20-23 ADDITIONAL DESCRIPTOR LENGTH (n-23)
     *  13  SCOPE | TYPE         24-n  TransportID of the initiator port
     */
    static byte[] readFullStatus(PrState s) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        for (Registration r : s.registrations()) {
            byte[] tid = r.registrant().initiator().encode();
            byte[] desc = new byte[24 + tid.length];
            BigEndian.put64(desc, 0, r.key());
            boolean holder = s.holds(r);
            desc[12] = (byte) ((r.registrant().allTargetPorts() ? 0x02 : 0) | (holder ? 0x01 : 0));
            if (holder) {
                desc[13] = (byte) (PrServiceActions.LU_SCOPE << 4 | s.reservation().type().code());
            }
            BigEndian.put16(desc, 18, r.registrant().allTargetPorts() ? 0 : r.relativeTargetPortId());
            BigEndian.put32(desc, 20, tid.length);
            System.arraycopy(tid, 0, desc, 24, tid.length);
            d.writeBytes(desc);
        }
        byte[] body = d.toByteArray();
        byte[] b = new byte[8 + body.length];
        BigEndian.put32(b, 0, s.generation() & 0xFFFF_FFFFL);
        BigEndian.put32(b, 4, body.length);
        System.arraycopy(body, 0, b, 8, body.length);
        return b;
    }

    /*
     * PERSISTENT RESERVE OUT parameter list (SPC-5 "Basic PERSISTENT RESERVE OUT parameter list"):
     *  0-7 RESERVATION KEY, 8-15 SERVICE ACTION RESERVATION KEY, 16-19 obsolete,
     *  20 SPEC_I_PT (3) ALL_TG_PT (2) APTPL (0), 22-23 obsolete,
     *  24-27 TRANSPORTID PARAMETER DATA LENGTH and the TransportIDs (SPEC_I_PT 1 only).
     * REGISTER AND MOVE (SPC-5 "REGISTER AND MOVE service action parameter list"):
     *  0-7 RESERVATION KEY, 8-15 SERVICE ACTION RESERVATION KEY, 17 UNREG (1) APTPL (0),
     *  18-19 RELATIVE TARGET PORT IDENTIFIER, 20-23 TRANSPORTID PARAMETER DATA LENGTH, 24-n TransportID.
     */
    static ScsiResult persistentReserveOut(Command cmd) {
        byte[] cdb = cmd.cdb();
        int sa = cdb[1] & 0x1F;
        long length = BigEndian.u32(cdb, 5);
        ByteBuf data = cmd.dataOut();
        if (length > data.readableBytes()) {
            // Fewer bytes arrived than the CDB announces: the list cannot be what it says.
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        Request request = sa == PrServiceActions.REGISTER_AND_MOVE
                ? registerAndMoveList(cdb, data, (int) length)
                : basicList(cdb, data, (int) length);
        LogicalUnit unit = cmd.unit();
        CoreTarget target = cmd.target();
        Nexus nexus = cmd.nexus();
        Caller caller = new Caller(Registrant.of(nexus), nexus.relativeTargetPortId());
        Outcome outcome = unit.reservations().apply(caller, request, rtpi -> targetPortName(target, unit, rtpi));
        if (log.isDebugEnabled()) {
            log.debug("lun {}: PERSISTENT RESERVE OUT sa {} from {} -> generation {}, {} registrations, reservation {}",
                    unit.lun(), sa, nexus.initiatorPort(), outcome.state().generation(),
                    outcome.state().registrations().size(),
                    outcome.state().reservation() == null ? "none" : outcome.state().reservation().type().abbreviation());
        }
        deliver(cmd, outcome.notices());
        return cmd.good();
    }

    /** A target port by relative identifier: one a nexus uses now, or one a registration names. */
    private static String targetPortName(CoreTarget target, LogicalUnit unit, int relativeTargetPortId) {
        String name = target.targetPortName(relativeTargetPortId);
        if (name != null) {
            return name;
        }
        for (Registration r : unit.reservations().state().registrations()) {
            if (!r.registrant().allTargetPorts() && r.relativeTargetPortId() == relativeTargetPortId) {
                return r.registrant().targetPort();
            }
        }
        return null;
    }

    private static Request basicList(byte[] cdb, ByteBuf data, int length) {
        int sa = cdb[1] & 0x1F;
        if (length < BASIC_LENGTH) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = new byte[BASIC_LENGTH];
        data.getBytes(data.readerIndex(), list);
        boolean specIPt = (list[20] & 0x08) != 0;
        List<TransportId> tids = List.of();
        if (specIPt && sa == PrServiceActions.REGISTER) {
            if (length < BASIC_LENGTH + 4) {
                throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            byte[] full = new byte[length];
            data.getBytes(data.readerIndex(), full);
            long tidLength = BigEndian.u32(full, 24);
            if (tidLength != length - BASIC_LENGTH - 4L) {
                throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            tids = transportIds(full, BASIC_LENGTH + 4, length);
        } else if (length != BASIC_LENGTH && !specIPt) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if ((list[20] & 0xF2) != 0 || list[21] != 0) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameterList(list[21] != 0 ? 21 : 20, -1)));
        }
        return new Request(sa, (cdb[2] & 0xF0) >>> 4, cdb[2] & 0x0F, BigEndian.u64(list, 0), BigEndian.u64(list, 8),
                specIPt, (list[20] & 0x04) != 0, (list[20] & 0x01) != 0, false, tids, 0);
    }

    /** The TransportIDs of a SPEC_I_PT list, bounded by the list itself. */
    private static List<TransportId> transportIds(byte[] list, int from, int end) {
        List<TransportId> ids = new ArrayList<>();
        int at = from;
        while (at < end) {
            TransportId.Parsed p = TransportId.parse(list, at, end);
            ids.add(p.id());
            at += p.length();
        }
        return ids;
    }

    private static Request registerAndMoveList(byte[] cdb, ByteBuf data, int length) {
        if (length < BASIC_LENGTH) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = new byte[length];
        data.getBytes(data.readerIndex(), list);
        long tidLength = BigEndian.u32(list, 20);
        if (tidLength < 24 || tidLength > length - BASIC_LENGTH) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (list[16] != 0 || (list[17] & 0xFC) != 0) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameterList(list[16] != 0 ? 16 : 17, -1)));
        }
        TransportId.Parsed p = TransportId.parse(list, BASIC_LENGTH, BASIC_LENGTH + (int) tidLength);
        return new Request(PrServiceActions.REGISTER_AND_MOVE, (cdb[2] & 0xF0) >>> 4, cdb[2] & 0x0F,
                BigEndian.u64(list, 0), BigEndian.u64(list, 8), false, false, (list[17] & 0x01) != 0,
                (list[17] & 0x02) != 0, List.of(p.id()), BigEndian.u16(list, 18));
    }

    /**
     * Establishes the unit attentions of a service action on the I_T nexuses the registrants cover
     * (never on the nexus that sent it) and, for PREEMPT AND ABORT, aborts their tasks on this
     * unit and waits until they are gone (SPC-5 "Preempting and aborting").
     */
    private static void deliver(Command cmd, List<Notice> notices) {
        if (notices.isEmpty()) {
            return;
        }
        LogicalUnit unit = cmd.unit();
        Nexus self = cmd.nexus();
        List<Registrant> aborted = new ArrayList<>();
        for (Nexus n : cmd.target().nexuses()) {
            if (n.equals(self)) {
                continue;
            }
            Registrant it = Registrant.of(n);
            for (Notice notice : notices) {
                if (notice.to().covers(it)) {
                    unit.unitAttentions().establish(n, notice.condition());
                }
            }
        }
        for (Notice notice : notices) {
            if (notice.abortTasks()) {
                aborted.add(notice.to());
            }
        }
        if (!aborted.isEmpty()) {
            cmd.target().abortTasks(unit, n -> !n.equals(self) && aborted.stream().anyMatch(a -> a.covers(n)));
        }
    }

    /** RESERVE(6) and RESERVE(10) (SPC-2 "RESERVE(10)"), with compatible reservation handling. */
    static ScsiResult reserve(Command cmd) {
        cmd.unit().reservations().reserve(cmd.nexus());
        return cmd.good();
    }

    /** RELEASE(6) and RELEASE(10) (SPC-2 "RELEASE(10)"), with compatible reservation handling. */
    static ScsiResult release(Command cmd) {
        cmd.unit().reservations().release(cmd.nexus());
        return cmd.good();
    }
}
