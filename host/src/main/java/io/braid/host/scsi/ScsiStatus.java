package io.braid.host.scsi;

/** SCSI status codes (SAM-5 "Status codes"). */
public enum ScsiStatus {
    GOOD(0x00),
    CHECK_CONDITION(0x02),
    CONDITION_MET(0x04),
    BUSY(0x08),
    RESERVATION_CONFLICT(0x18),
    TASK_SET_FULL(0x28),
    ACA_ACTIVE(0x30),
    TASK_ABORTED(0x40);

    private final int wire;

    ScsiStatus(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The status for a wire value, or null for an obsolete or reserved code. */
    public static ScsiStatus of(int value) {
        for (ScsiStatus s : values()) {
            if (s.wire == value) {
                return s;
            }
        }
        return null;
    }
}
