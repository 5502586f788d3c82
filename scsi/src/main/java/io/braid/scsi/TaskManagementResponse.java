package io.braid.scsi;

/** TMF service responses, numbered as in the iSCSI TMF response (RFC 7143 11.6.1). */
public enum TaskManagementResponse {
    FUNCTION_COMPLETE(0), TASK_DOES_NOT_EXIST(1), LUN_DOES_NOT_EXIST(2), TASK_STILL_ALLEGIANT(3),
    TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED(4), FUNCTION_NOT_SUPPORTED(5),
    FUNCTION_AUTHORIZATION_FAILED(6), FUNCTION_SUCCEEDED(7), FUNCTION_REJECTED(255);

    private final int wire;

    TaskManagementResponse(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }
}
