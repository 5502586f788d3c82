package io.braid.scsi.internal;

/**
 * A task that ends with status RESERVATION CONFLICT (SAM-5 "Status"; SPC-5 "Reservations"): no
 * sense data, no data transfer. Thrown by the conflict check before a command runs and by the
 * reservation service actions; the dispatcher turns it into the status. Carries no stack trace:
 * it is an expected outcome.
 */
final class ReservationConflict extends RuntimeException {

    private ReservationConflict(String reason) {
        super(reason, null, false, false);
    }

    /** @param reason why, for the debug log */
    static ReservationConflict because(String reason) {
        return new ReservationConflict(reason);
    }
}
