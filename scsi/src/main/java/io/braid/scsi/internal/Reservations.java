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

    /** Loads a persisted state; a record that cannot be read is logged and the unit starts without reservations. */
    Reservations(String unitName, UnitStateStore store) {
        this.unitName = unitName;
        this.store = store;
        this.state = load(unitName, store);
    }

    private static PrState load(String unitName, UnitStateStore store) {
        byte[] record;
        try {
            record = store.load(PrStateCodec.RECORD);
        } catch (IOException | RuntimeException e) {
            log.error("volume {}: cannot read the persistent reservation record, starting without reservations: {}",
                    unitName, e.toString());
            return PrState.EMPTY;
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
            log.error("volume {}: persistent reservation record unusable, starting without reservations: {}",
                    unitName, e.getMessage());
            return PrState.EMPTY;
        }
    }

    PrState state() {
        return state;
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
