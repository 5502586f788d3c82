package io.braid.scsi.internal;

import io.braid.scsi.Nexus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The persistent reservation state of one logical unit (SPC-5 "Persistent reservations"): the
 * PRGENERATION counter, whether it persists through power loss, the registrations in the order
 * they were made, and the persistent reservation, if any. Immutable: every service action
 * computes a new state, which replaces the old one only once it is stored.
 *
 * @param generation    PRGENERATION, a 32-bit wrapping counter
 * @param aptpl         APTPL as last set by a registering service action (SPC-5 "Persist Through Power Loss")
 * @param registrations at most one registration covers any I_T nexus
 * @param reservation   the persistent reservation, or null
 */
record PrState(int generation, boolean aptpl, List<Registration> registrations, Reservation reservation) {

    static final PrState EMPTY = new PrState(0, false, List.of(), null);

    /**
     * Who a registration is for: an initiator port (or, without ISID, every port of an initiator)
     * with one target port, or with every target port when {@code targetPort} is null (ALL_TG_PT).
     */
    record Registrant(TransportId initiator, String targetPort) {
        Registrant {
            Objects.requireNonNull(initiator, "initiator");
        }

        /** The I_T nexus itself (a transport without target port names has one unnamed port). */
        static Registrant of(Nexus nexus) {
            return new Registrant(TransportId.of(nexus), nexus.targetPort() == null ? "" : nexus.targetPort());
        }

        boolean allTargetPorts() {
            return targetPort == null;
        }

        /** Whether this registrant includes the I_T nexus {@code nexus} (SPC-5: the nexus is registered). */
        boolean covers(Registrant nexus) {
            return initiator.covers(nexus.initiator) && (targetPort == null || targetPort.equals(nexus.targetPort));
        }

        boolean covers(Nexus nexus) {
            return covers(of(nexus));
        }

        /** Whether some I_T nexus would be covered by both. */
        boolean overlaps(Registrant other) {
            return initiator.overlaps(other.initiator)
                    && (targetPort == null || other.targetPort == null || targetPort.equals(other.targetPort));
        }
    }

    /**
     * One registration (SPC-5 "Registering").
     *
     * @param relativeTargetPortId the relative target port identifier of its target port; 0 with ALL_TG_PT
     * @param key                  the reservation key, never 0
     */
    record Registration(Registrant registrant, int relativeTargetPortId, long key) {
        Registration {
            Objects.requireNonNull(registrant, "registrant");
            if (key == 0) {
                throw new IllegalArgumentException("a registration has a non-zero key");
            }
        }

        Registration withKey(long newKey) {
            return new Registration(registrant, relativeTargetPortId, newKey);
        }
    }

    /**
     * The persistent reservation (scope LU_SCOPE, the only scope SPC-5 keeps).
     *
     * @param holder the holding registrant; null for an all registrants type, where every
     *               registrant holds it
     */
    record Reservation(Registrant holder, PrType type) {
        Reservation {
            Objects.requireNonNull(type, "type");
            if ((holder == null) != type.allRegistrants()) {
                throw new IllegalArgumentException(type + (holder == null ? " needs a holder" : " has no single holder"));
            }
        }
    }

    PrState {
        registrations = List.copyOf(registrations);
        for (int i = 0; i < registrations.size(); i++) {
            for (int j = i + 1; j < registrations.size(); j++) {
                if (registrations.get(i).registrant().overlaps(registrations.get(j).registrant())) {
                    throw new IllegalArgumentException("registrations " + registrations.get(i).registrant()
                            + " and " + registrations.get(j).registrant() + " overlap");
                }
            }
        }
        if (reservation != null) {
            if (registrations.isEmpty()) {
                throw new IllegalArgumentException("a reservation without registrations");
            }
            if (reservation.holder() != null && find(registrations, reservation.holder()) == null) {
                throw new IllegalArgumentException("the reservation holder " + reservation.holder() + " is not registered");
            }
        }
    }

    /** The registration covering this I_T nexus, or null when it is not registered. */
    Registration registrationOf(Registrant nexus) {
        for (Registration r : registrations) {
            if (r.registrant().covers(nexus)) {
                return r;
            }
        }
        return null;
    }

    Registration registrationOf(Nexus nexus) {
        return registrationOf(Registrant.of(nexus));
    }

    /** The registration of exactly this registrant, or null. */
    private static Registration find(List<Registration> regs, Registrant who) {
        for (Registration r : regs) {
            if (r.registrant().equals(who)) {
                return r;
            }
        }
        return null;
    }

    /** The holder's registration for a single-holder type, or null (none, or all registrants). */
    Registration holderRegistration() {
        return reservation == null || reservation.holder() == null ? null : find(registrations, reservation.holder());
    }

    /** SPC-5 "Persistent reservation holder": the holder, or any registrant for an all registrants type. */
    boolean holds(Registration r) {
        return reservation != null && r != null
                && (reservation.type().allRegistrants() || reservation.holder().equals(r.registrant()));
    }

    PrState withGeneration() {
        return new PrState(generation + 1, aptpl, registrations, reservation);
    }

    PrState withAptpl(boolean on) {
        return new PrState(generation, on, registrations, reservation);
    }

    PrState withReservation(Reservation r) {
        return new PrState(generation, aptpl, registrations, r);
    }

    PrState withRegistrations(List<Registration> regs) {
        return new PrState(generation, aptpl, regs, reservation);
    }

    /** Adds registrations at the end. */
    PrState plus(List<Registration> added) {
        List<Registration> regs = new ArrayList<>(registrations);
        regs.addAll(added);
        return withRegistrations(regs);
    }

    /** Replaces {@code old} by {@code now} in place, keeping the order. */
    PrState replacing(Registration old, Registration now) {
        List<Registration> regs = new ArrayList<>(registrations);
        regs.set(regs.indexOf(old), now);
        return withRegistrations(regs);
    }

    /**
     * Removes the registrations {@code gone} selects. A single holder that loses its registration
     * loses the reservation; an all registrants reservation ends with the last registration.
     */
    PrState without(Predicate<Registration> gone) {
        List<Registration> regs = new ArrayList<>(registrations);
        regs.removeIf(gone);
        Reservation res = reservation;
        if (res != null && (regs.isEmpty() || res.holder() != null && find(regs, res.holder()) == null)) {
            res = null;
        }
        return new PrState(generation, aptpl, regs, res);
    }
}
