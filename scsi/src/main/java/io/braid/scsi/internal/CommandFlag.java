package io.braid.scsi.internal;

/** Per-command processing rules the dispatcher applies before a handler runs. */
public enum CommandFlag {
    /**
     * Processed even when the LUN addresses no logical unit (SPC-5 "Incorrect logical unit
     * selection": INQUIRY, REPORT LUNS and REQUEST SENSE answer; everything else fails with
     * LOGICAL UNIT NOT SUPPORTED). The handler then sees a null unit.
     */
    SERVED_FOR_UNKNOWN_LUN,
    /** Neither blocked by nor clearing a pending unit attention (SAM-5 "Unit attention conditions"). */
    IGNORES_UNIT_ATTENTION,
    /** Changes the medium: refused with DATA PROTECT / WRITE PROTECTED on a read-only unit (SBC-4 "Write protection"). */
    WRITES_MEDIUM,
    /**
     * Offered only by units with {@link io.braid.scsi.UnitFeature#COMPARE_AND_WRITE}; elsewhere
     * the command is unsupported (INVALID COMMAND OPERATION CODE) and not reported.
     */
    NEEDS_COMPARE_AND_WRITE,
    /** Offered only by units with {@link io.braid.scsi.UnitFeature#THIN_PROVISIONING} (GET LBA STATUS). */
    NEEDS_THIN_PROVISIONING,
    /**
     * Offered only by thin-provisioned units: the feature is on and the backstore really
     * deallocates (UNMAP, SANITIZE BLOCK ERASE).
     */
    NEEDS_UNMAP,
    /**
     * Offered only on units with {@link io.braid.scsi.UnitFeature#PERSISTENT_RESERVATIONS}:
     * elsewhere INVALID COMMAND OPERATION CODE and absent from REPORT SUPPORTED OPERATION CODES.
     */
    NEEDS_PERSISTENT_RESERVATIONS,
    /**
     * Offered only on units with {@link io.braid.scsi.UnitFeature#EXTENDED_COPY} (EXTENDED COPY,
     * RECEIVE COPY RESULTS): elsewhere INVALID COMMAND OPERATION CODE and not reported.
     */
    NEEDS_EXTENDED_COPY
}
