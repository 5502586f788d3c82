package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.UnitStateStore;
import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.IntFunction;

/**
 * The reservations of one logical unit: its persistent reservation state (SPC-5 "Persistent
 * reservations") and the SCSI-2 reservation of RESERVE(6)/RESERVE(10) (SPC-2 "Reservations"),
 * with the compatible reservation handling rules between them (CRH 1, SPC-5 "Exceptions to SPC-2
 * RESERVE and RELEASE behavior").
 *
 * <p>Changes are serialised on this object; the conflict check on the I/O path reads the current
 * immutable {@link PrState} without locking. While APTPL is on every change is stored in the
 * unit's {@link UnitStateStore} before it takes effect, so a failed store leaves the old state.
 */
final class Reservations {

    private static final Logger log = LoggerFactory.getLogger(Reservations.class);

    private final String unitName;
    private final UnitStateStore store;
    private volatile PrState state;
    private volatile Registrant scsi2Holder;
    /**
     * SPC-5 "Recoverable loss of persistent reservation information": the APTPL record exists but
     * could not be read back, so the registrations and the reservation it held are lost. Until a
     * REPLACE LOST RESERVATION succeeds the unit refuses almost every command with DATA PROTECT /
     * PERSISTENT RESERVATION INFORMATION LOST, so no host writes through a reservation it no longer
     * sees. The store itself still works (it answered), which is what makes the loss recoverable.
     */
    private volatile boolean lost;

    /**
     * Loads a persisted state. No record: no reservations. A record that cannot be read or decoded:
     * no reservations and the recoverable lost persistent reservation condition.
     */
    Reservations(String unitName, UnitStateStore store) {
        this.unitName = unitName;
        this.store = store;
        PrState loaded = load(unitName, store);
        this.state = loaded == null ? PrState.EMPTY : loaded;
        this.lost = loaded == null;
    }

    /** The stored state, EMPTY without a record, or null when the record is lost. */
    private static PrState load(String unitName, UnitStateStore store) {
        byte[] record;
        try {
            record = store.load(PrStateCodec.RECORD);
        } catch (IOException | RuntimeException e) {
            log.error("volume {}: cannot read the persistent reservation record: persistent reservation information"
                    + " lost, commands refused until REPLACE LOST RESERVATION: {}", unitName, e.toString());
            return null;
        }
        if (record == null) {
            return PrState.EMPTY;
        }
        try {
            PrState s = PrStateCodec.decode(record);
            log.info("volume {}: {} persistent reservation registrations restored (APTPL), reservation {}",
                    unitName, s.registrations().size(),
                    s.reservation() == null ? "none" : s.reservation().type().abbreviation());
            return s;
        } catch (IOException e) {
            log.error("volume {}: persistent reservation record unusable: persistent reservation information lost,"
                    + " commands refused until REPLACE LOST RESERVATION: {}", unitName, e.getMessage());
            return null;
        }
    }

    PrState state() {
        return state;
    }

    /** Whether the recoverable lost persistent reservation condition holds. */
    boolean lost() {
        return lost;
    }

    /** The I_T nexus holding a SCSI-2 reservation, or null. */
    Registrant scsi2Holder() {
        return scsi2Holder;
    }

    /**
     * Runs a PERSISTENT RESERVE OUT service action. Every PERSISTENT RESERVE command conflicts
     * while a SCSI-2 reservation exists (SPC-2 "Reservations").
     */
    synchronized PrServiceActions.Outcome apply(PrServiceActions.Caller caller, PrServiceActions.Request request,
                                                IntFunction<String> targetPortOf) {
        if (scsi2Holder != null) {
            throw ReservationConflict.because("PERSISTENT RESERVE OUT while a SCSI-2 reservation exists");
        }
        PrState before = state;
        if (request.serviceAction() == PrServiceActions.REPLACE_LOST_RESERVATION) {
            if (!lost) {
                throw CheckCondition.of(SenseCode.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
            }
            PrServiceActions.Outcome outcome = PrServiceActions.apply(before, caller, request, targetPortOf);
            // The unreadable record goes too: either the new state replaces it or, without APTPL, nothing does.
            persist(before.withAptpl(true), outcome.state());
            state = outcome.state();
            lost = false;
            log.warn("volume {}: lost persistent reservation replaced by {} ({})", unitName, caller.nexus(),
                    outcome.state().reservation().type().abbreviation());
            return outcome;
        }
        PrServiceActions.Outcome outcome = PrServiceActions.apply(before, caller, request, targetPortOf);
        PrState after = outcome.state();
        if (after != before) {
            persist(before, after);
            state = after;
        }
        return outcome;
    }

    /** Stores the state while APTPL is on, removes the record when APTPL goes off. */
    private void persist(PrState before, PrState after) {
        try {
            if (after.aptpl()) {
                store.store(PrStateCodec.RECORD, PrStateCodec.encode(after));
            } else if (before.aptpl()) {
                store.delete(PrStateCodec.RECORD);
            }
        } catch (IOException | RuntimeException e) {
            log.error("volume {}: cannot store the persistent reservation state; the command fails and the state"
                    + " stays as it was: {}", unitName, e.toString());
            throw CheckCondition.of(SenseCode.INTERNAL_TARGET_FAILURE);
        }
    }

    /** What a SCSI-2 RESERVE or RELEASE did. */
    enum Scsi2Result {
        /** Reserved, re-reserved, released, or a RELEASE with nothing of ours to release. */
        DONE,
        /** CRH: the I_T nexus holds (or shares) the persistent reservation, so nothing changes. */
        NO_ACTION_PERSISTENT
    }

    /**
     * RESERVE(6)/RESERVE(10) (SPC-2), with CRH: a persistent reservation holder, or a registrant
     * under a registrants only or all registrants type, gets GOOD and no change; any other
     * registration makes it conflict; otherwise it conflicts only with another I_T nexus's SCSI-2
     * reservation.
     */
    synchronized Scsi2Result reserve(Nexus nexus) {
        Scsi2Result crh = compatibleHandling(nexus, "RESERVE");
        if (crh != null) {
            return crh;
        }
        Registrant me = Registrant.of(nexus);
        if (scsi2Holder != null && !scsi2Holder.equals(me)) {
            throw ReservationConflict.because("RESERVE while another I_T nexus holds the SCSI-2 reservation");
        }
        scsi2Holder = me;
        return Scsi2Result.DONE;
    }

    /** RELEASE(6)/RELEASE(10) (SPC-2): releases only the caller's own reservation; otherwise GOOD and nothing. */
    synchronized Scsi2Result release(Nexus nexus) {
        Scsi2Result crh = compatibleHandling(nexus, "RELEASE");
        if (crh != null) {
            return crh;
        }
        if (Registrant.of(nexus).equals(scsi2Holder)) {
            scsi2Holder = null;
        }
        return Scsi2Result.DONE;
    }

    private Scsi2Result compatibleHandling(Nexus nexus, String command) {
        PrState s = state;
        if (s.registrations().isEmpty()) {
            return null;
        }
        Registration mine = s.registrationOf(nexus);
        if (mine != null && s.reservation() != null
                && (s.holds(mine) || s.reservation().type().registrantsHaveAccess())) {
            return Scsi2Result.NO_ACTION_PERSISTENT;
        }
        throw ReservationConflict.because(command + " while persistent reservation registrations exist");
    }

    /** SPC-2: a logical unit reset, a target reset or power on releases the SCSI-2 reservation; PR stays. */
    synchronized void reset() {
        scsi2Holder = null;
    }

    /** SPC-2: the loss of the I_T nexus that holds the SCSI-2 reservation releases it. */
    synchronized void nexusLost(Nexus nexus) {
        if (Registrant.of(nexus).equals(scsi2Holder)) {
            scsi2Holder = null;
            log.debug("volume {}: SCSI-2 reservation of {} released by I_T nexus loss", unitName, nexus);
        }
    }
}
