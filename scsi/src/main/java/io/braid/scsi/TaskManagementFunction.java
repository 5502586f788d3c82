package io.braid.scsi;

/** SAM-5 task management functions, numbered as in the iSCSI TMF request (RFC 7143 11.5.1). */
public enum TaskManagementFunction {
    ABORT_TASK(1), ABORT_TASK_SET(2), CLEAR_ACA(3), CLEAR_TASK_SET(4), LOGICAL_UNIT_RESET(5),
    TARGET_WARM_RESET(6), TARGET_COLD_RESET(7), TASK_REASSIGN(8), QUERY_TASK(9),
    QUERY_TASK_SET(10), QUERY_ASYNCHRONOUS_EVENT(11);

    private final int wire;

    TaskManagementFunction(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** Returns null for an unknown function code. */
    public static TaskManagementFunction fromWire(int value) {
        for (TaskManagementFunction f : values()) {
            if (f.wire == value) {
                return f;
            }
        }
        return null;
    }
}
