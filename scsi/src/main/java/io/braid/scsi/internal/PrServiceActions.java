package io.braid.scsi.internal;

import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import io.braid.scsi.internal.PrState.Reservation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The PERSISTENT RESERVE OUT service actions as pure functions from one {@link PrState} to the
 * next (SPC-5 "Persistent reservations" and "PERSISTENT RESERVE OUT command"): each returns the
 * new state and the unit attentions and task aborts it causes, or throws the command's error
 * ({@link ReservationConflict} or {@link CheckCondition}) leaving the state untouched.
 */
final class PrServiceActions {

    static final int REGISTER = 0x00;
    static final int RESERVE = 0x01;
    static final int RELEASE = 0x02;
    static final int CLEAR = 0x03;
    static final int PREEMPT = 0x04;
    static final int PREEMPT_AND_ABORT = 0x05;
    static final int REGISTER_AND_IGNORE_EXISTING_KEY = 0x06;
    static final int REGISTER_AND_MOVE = 0x07;
    static final int REPLACE_LOST_RESERVATION = 0x08;

    /** Registrations one logical unit keeps; beyond, INSUFFICIENT REGISTRATION RESOURCES. */
    static final int MAX_REGISTRATIONS = 1024;

    /** SCOPE LU_SCOPE, the only scope SPC-5 defines. */
    static final int LU_SCOPE = 0;

    private PrServiceActions() {
    }

    /**
     * One PERSISTENT RESERVE OUT as parsed from the CDB and the parameter list.
     *
     * @param typeCode             the TYPE field (validated only by the service actions that use it)
     * @param transportIds         SPEC_I_PT TransportIDs, or the REGISTER AND MOVE destination
     * @param relativeTargetPortId REGISTER AND MOVE: the destination's relative target port
     */
    record Request(int serviceAction, int scope, int typeCode, long key, long serviceActionKey,
                   boolean specIPt, boolean allTgPt, boolean aptpl, boolean unreg,
                   List<TransportId> transportIds, int relativeTargetPortId) {
        Request {
            transportIds = List.copyOf(transportIds);
        }

        static Request basic(int serviceAction, int typeCode, long key, long serviceActionKey) {
            return new Request(serviceAction, LU_SCOPE, typeCode, key, serviceActionKey, false, false, false,
                    false, List.of(), 0);
        }
    }

    /** The I_T nexus a command came in on. */
    record Caller(Registrant nexus, int relativeTargetPortId) {
    }

    /** A unit attention for every I_T nexus {@code to} covers, and whether its tasks are aborted. */
    record Notice(Registrant to, SenseCode condition, boolean abortTasks) {
    }

    record Outcome(PrState state, List<Notice> notices) {
        Outcome {
            notices = List.copyOf(notices);
        }
    }

    /**
     * Applies a service action.
     *
     * @param targetPortOf the SCSI target port name of a relative target port identifier, or null
     *                     when the target has no such port (REGISTER AND MOVE)
     */
    static Outcome apply(PrState s, Caller caller, Request r, IntFunction<String> targetPortOf) {
        if (r.specIPt() && r.serviceAction() != REGISTER) {
            throw invalidParameter(20, 3);
        }
        return switch (r.serviceAction()) {
            case REGISTER, REGISTER_AND_IGNORE_EXISTING_KEY -> register(s, caller, r);
            case RESERVE -> reserve(s, caller, r);
            case RELEASE -> release(s, caller, r);
            case CLEAR -> clear(s, caller, r);
            case PREEMPT, PREEMPT_AND_ABORT -> preempt(s, caller, r);
            case REGISTER_AND_MOVE -> registerAndMove(s, caller, r, targetPortOf);
            case REPLACE_LOST_RESERVATION -> replaceLostReservation(caller, r);
            default -> throw CheckCondition.invalidFieldInCdb(1, 4);
        };
    }

    /** SPC-5 "Registering" and "Unregistering" (REGISTER, REGISTER AND IGNORE EXISTING KEY). */
    private static Outcome register(PrState s, Caller caller, Request r) {
        boolean ignoreKey = r.serviceAction() == REGISTER_AND_IGNORE_EXISTING_KEY;
        Registration mine = s.registrationOf(caller.nexus());
        if (mine == null) {
            if (!ignoreKey && r.key() != 0) {
                throw ReservationConflict.because("REGISTER from an unregistered I_T nexus with a non-zero key");
            }
            if (r.serviceActionKey() == 0) {
                return unchanged(s); // nothing to register, nothing to unregister
            }
            Registrant me = new Registrant(caller.nexus().initiator(), r.allTgPt() ? null : caller.nexus().targetPort());
            List<Registration> added = new ArrayList<>();
            added.add(new Registration(me, r.allTgPt() ? 0 : caller.relativeTargetPortId(), r.serviceActionKey()));
            if (overlapsAny(s, me)) {
                // The initiator port is registered through another target port already, so an
                // ALL_TG_PT registration would register one I_T nexus twice.
                throw invalidParameter(20, 2);
            }
            if (r.specIPt()) {
                for (TransportId tid : r.transportIds()) {
                    Registrant other = new Registrant(tid, r.allTgPt() ? null : caller.nexus().targetPort());
                    // An I_T nexus that is registered already (or named twice) keeps its registration.
                    if (overlapsAny(s, other) || added.stream().anyMatch(a -> a.registrant().overlaps(other))) {
                        continue;
                    }
                    added.add(new Registration(other, r.allTgPt() ? 0 : caller.relativeTargetPortId(),
                            r.serviceActionKey()));
                }
            }
            if (s.registrations().size() + added.size() > MAX_REGISTRATIONS) {
                throw CheckCondition.of(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
            }
            return new Outcome(s.plus(added).withAptpl(r.aptpl()).withGeneration(), List.of());
        }
        if (!ignoreKey && r.key() != mine.key()) {
            throw ReservationConflict.because("REGISTER with a key other than the registered one");
        }
        if (r.specIPt()) {
            throw invalidParameter(20, 3);
        }
        if (r.serviceActionKey() != 0) {
            return new Outcome(s.replacing(mine, mine.withKey(r.serviceActionKey())).withAptpl(r.aptpl()).withGeneration(),
                    List.of());
        }
        return unregister(s, caller, mine, r.aptpl());
    }

    /**
     * SPC-5 "Unregistering": the registration goes; a holder that unregisters releases the
     * reservation, and for a registrants only type the other registrants hear RESERVATIONS RELEASED.
     */
    private static Outcome unregister(PrState s, Caller caller, Registration mine, boolean aptpl) {
        PrState next = s.without(reg -> reg.equals(mine)).withAptpl(aptpl).withGeneration();
        List<Notice> notices = new ArrayList<>();
        Reservation res = s.reservation();
        if (res != null && next.reservation() == null && res.type().registrantsOnly()) {
            for (Registration other : next.registrations()) {
                notices.add(new Notice(other.registrant(), SenseCode.RESERVATIONS_RELEASED, false));
            }
        }
        return new Outcome(next, notices);
    }

    /** SPC-5 "Creating a persistent reservation". */
    private static Outcome reserve(PrState s, Caller caller, Request r) {
        Registration mine = registered(s, caller, r);
        PrType type = type(r);
        Reservation res = s.reservation();
        if (res != null) {
            if (!s.holds(mine)) {
                throw ReservationConflict.because("RESERVE while another I_T nexus holds the reservation");
            }
            if (res.type() != type) {
                throw ReservationConflict.because("RESERVE by the holder with another type");
            }
            return unchanged(s);
        }
        return new Outcome(s.withReservation(new Reservation(type.allRegistrants() ? null : mine.registrant(), type)),
                List.of());
    }

    /** SPC-5 "Releasing". */
    private static Outcome release(PrState s, Caller caller, Request r) {
        Registration mine = registered(s, caller, r);
        Reservation res = s.reservation();
        if (res == null || !s.holds(mine)) {
            return unchanged(s);
        }
        if (r.scope() != LU_SCOPE || r.typeCode() != res.type().code()) {
            throw CheckCondition.of(SenseCode.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        }
        List<Notice> notices = new ArrayList<>();
        if (res.type().registrantsHaveAccess()) {
            for (Registration other : s.registrations()) {
                if (!other.equals(mine)) {
                    notices.add(new Notice(other.registrant(), SenseCode.RESERVATIONS_RELEASED, false));
                }
            }
        }
        return new Outcome(s.withReservation(null), notices);
    }

    /** SPC-5 "Clearing": every registration and the reservation go; the others hear RESERVATIONS PREEMPTED. */
    private static Outcome clear(PrState s, Caller caller, Request r) {
        Registration mine = registered(s, caller, r);
        List<Notice> notices = new ArrayList<>();
        for (Registration other : s.registrations()) {
            if (!other.equals(mine)) {
                notices.add(new Notice(other.registrant(), SenseCode.RESERVATIONS_PREEMPTED, false));
            }
        }
        return new Outcome(s.without(reg -> true).withGeneration(), notices);
    }

    /**
     * SPC-5 "Preempting": PREEMPT and PREEMPT AND ABORT. With a reservation whose holder the
     * SERVICE ACTION RESERVATION KEY names (or key 0 against an all registrants type) the caller
     * takes the reservation; otherwise only registrations are removed.
     */
    private static Outcome preempt(PrState s, Caller caller, Request r) {
        Registration mine = registered(s, caller, r);
        boolean abort = r.serviceAction() == PREEMPT_AND_ABORT;
        long victimKey = r.serviceActionKey();
        Reservation res = s.reservation();
        Registration holder = s.holderRegistration();
        boolean takesReservation = res != null
                && (res.type().allRegistrants() ? victimKey == 0 : holder.key() == victimKey);
        List<Notice> notices = new ArrayList<>();
        if (takesReservation) {
            PrType type = type(r);
            List<Registration> victims = new ArrayList<>();
            for (Registration reg : s.registrations()) {
                boolean named = res.type().allRegistrants() || reg.key() == victimKey;
                if (named && !reg.equals(mine)) {
                    victims.add(reg);
                }
            }
            PrState next = s.without(victims::contains)
                    .withReservation(new Reservation(type.allRegistrants() ? null : mine.registrant(), type))
                    .withGeneration();
            for (Registration v : victims) {
                notices.add(new Notice(v.registrant(), SenseCode.REGISTRATIONS_PREEMPTED, abort));
            }
            if (res.type() != type) {
                // Those who kept their registration see the old reservation gone.
                for (Registration kept : next.registrations()) {
                    if (!kept.equals(mine)) {
                        notices.add(new Notice(kept.registrant(), SenseCode.RESERVATIONS_RELEASED, false));
                    }
                }
            }
            return new Outcome(next, notices);
        }
        if (victimKey == 0) {
            throw invalidParameter(8, -1);
        }
        List<Registration> victims = s.registrations().stream().filter(reg -> reg.key() == victimKey).toList();
        if (victims.isEmpty()) {
            throw ReservationConflict.because("PREEMPT of a key nobody has registered");
        }
        for (Registration v : victims) {
            if (!v.equals(mine)) {
                notices.add(new Notice(v.registrant(), SenseCode.REGISTRATIONS_PREEMPTED, abort));
            }
        }
        return new Outcome(s.without(victims::contains).withGeneration(), notices);
    }

    /**
     * SPC-5 "Registering and moving the reservation": the holder registers the I_T nexus named by
     * the TransportID and the relative target port, moves the reservation to it, and with UNREG
     * unregisters itself.
     */
    private static Outcome registerAndMove(PrState s, Caller caller, Request r, IntFunction<String> targetPortOf) {
        Registration mine = registered(s, caller, r);
        Reservation res = s.reservation();
        if (res == null || !s.holds(mine) || res.type().allRegistrants()) {
            throw ReservationConflict.because("REGISTER AND MOVE by an I_T nexus that is not the single holder");
        }
        PrType type = type(r);
        if (type.allRegistrants()) {
            // The moved reservation has one holder, the destination; an all-registrants TYPE
            // cannot name one, so the field is refused rather than the state left inconsistent.
            throw CheckCondition.invalidFieldInCdb(2, 3);
        }
        if (r.serviceActionKey() == 0) {
            throw invalidParameter(8, -1);
        }
        String targetPort = targetPortOf.apply(r.relativeTargetPortId());
        if (targetPort == null) {
            throw invalidParameter(18, -1);
        }
        if (r.transportIds().size() != 1) {
            throw invalidParameter(24, -1);
        }
        Registrant destination = new Registrant(r.transportIds().get(0), targetPort);
        if (destination.overlaps(mine.registrant())) {
            throw invalidParameter(24, -1);
        }
        PrState next = s;
        Registration existing = null;
        for (Registration reg : s.registrations()) {
            if (reg.registrant().overlaps(destination)) {
                existing = reg;
            }
        }
        Registrant holder;
        if (existing != null) {
            holder = existing.registrant();
        } else {
            if (s.registrations().size() >= MAX_REGISTRATIONS) {
                throw CheckCondition.of(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
            }
            next = next.plus(List.of(new Registration(destination, r.relativeTargetPortId(), r.serviceActionKey())));
            holder = destination;
        }
        next = next.withReservation(new Reservation(holder, type));
        if (r.unreg()) {
            next = next.without(reg -> reg.equals(mine));
        }
        return new Outcome(next.withAptpl(r.aptpl()).withGeneration(), List.of());
    }

    /**
     * SPC-5 "Replacing lost reservations", once the caller ({@link Reservations}) has checked that a
     * recoverable lost persistent reservation condition exists: every prior registration goes
     * without unit attentions, the caller is registered with the SERVICE ACTION RESERVATION KEY
     * (through every target port with ALL_TG_PT) and holds a new reservation of SCOPE and TYPE,
     * PRGENERATION starts again at zero and APTPL is as the list says. The RESERVATION KEY must be
     * zero and the new key non-zero (INVALID FIELD IN PARAMETER LIST: a conflict is what the lost
     * condition rules out).
     */
    private static Outcome replaceLostReservation(Caller caller, Request r) {
        PrType type = type(r);
        if (r.key() != 0) {
            throw invalidParameter(0, -1);
        }
        if (r.serviceActionKey() == 0) {
            throw invalidParameter(8, -1);
        }
        Registrant me = new Registrant(caller.nexus().initiator(), r.allTgPt() ? null : caller.nexus().targetPort());
        Registration mine = new Registration(me, r.allTgPt() ? 0 : caller.relativeTargetPortId(), r.serviceActionKey());
        PrState next = new PrState(0, r.aptpl(), List.of(mine),
                new Reservation(type.allRegistrants() ? null : me, type));
        return new Outcome(next, List.of());
    }

    /** The caller's registration, checked against RESERVATION KEY: otherwise RESERVATION CONFLICT. */
    private static Registration registered(PrState s, Caller caller, Request r) {
        Registration mine = s.registrationOf(caller.nexus());
        if (mine == null) {
            throw ReservationConflict.because("service action " + r.serviceAction() + " from an unregistered I_T nexus");
        }
        if (mine.key() != r.key()) {
            throw ReservationConflict.because("RESERVATION KEY does not match the registered key");
        }
        return mine;
    }

    /** SCOPE and TYPE of the CDB, for the service actions that create a reservation. */
    private static PrType type(Request r) {
        if (r.scope() != LU_SCOPE) {
            throw CheckCondition.invalidFieldInCdb(2, 7);
        }
        PrType type = PrType.of(r.typeCode());
        if (type == null) {
            throw CheckCondition.invalidFieldInCdb(2, 3);
        }
        return type;
    }

    private static boolean overlapsAny(PrState s, Registrant who) {
        return s.registrations().stream().anyMatch(reg -> reg.registrant().overlaps(who));
    }

    private static Outcome unchanged(PrState s) {
        return new Outcome(s, List.of());
    }

    private static CheckCondition invalidParameter(int byteIndex, int bit) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameterList(byteIndex, bit)));
    }
}
