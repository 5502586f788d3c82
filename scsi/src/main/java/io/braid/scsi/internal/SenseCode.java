package io.braid.scsi.internal;

/**
 * SPC-5 "ASC and ASCQ assignments": every sense key, ASC and ASCQ combination the core reports. This table is
 * the only source of those three values (the LIO {@code sense_detail_table} model); {@link Sense}
 * is the only place they become bytes.
 */
public enum SenseCode {
    NO_ADDITIONAL_SENSE_INFORMATION(SenseKey.NO_SENSE, 0x00, 0x00),
    LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE(SenseKey.NOT_READY, 0x04, 0x00),
    WRITE_ERROR(SenseKey.MEDIUM_ERROR, 0x0C, 0x00),
    UNRECOVERED_READ_ERROR(SenseKey.MEDIUM_ERROR, 0x11, 0x00),
    INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT(SenseKey.ILLEGAL_REQUEST, 0x0E, 0x03),
    PARAMETER_LIST_LENGTH_ERROR(SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00),
    MISCOMPARE_DURING_VERIFY_OPERATION(SenseKey.MISCOMPARE, 0x1D, 0x00),
    INVALID_COMMAND_OPERATION_CODE(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00),
    LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00),
    INVALID_FIELD_IN_CDB(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00),
    LOGICAL_UNIT_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00),
    INVALID_FIELD_IN_PARAMETER_LIST(SenseKey.ILLEGAL_REQUEST, 0x26, 0x00),
    INVALID_RELEASE_OF_PERSISTENT_RESERVATION(SenseKey.ILLEGAL_REQUEST, 0x26, 0x04),
    WRITE_PROTECTED(SenseKey.DATA_PROTECT, 0x27, 0x00),
    POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED(SenseKey.UNIT_ATTENTION, 0x29, 0x00),
    BUS_DEVICE_RESET_FUNCTION_OCCURRED(SenseKey.UNIT_ATTENTION, 0x29, 0x03),
    MODE_PARAMETERS_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x01),
    RESERVATIONS_PREEMPTED(SenseKey.UNIT_ATTENTION, 0x2A, 0x03),
    RESERVATIONS_RELEASED(SenseKey.UNIT_ATTENTION, 0x2A, 0x04),
    REGISTRATIONS_PREEMPTED(SenseKey.UNIT_ATTENTION, 0x2A, 0x05),
    ASYMMETRIC_ACCESS_STATE_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x06),
    CAPACITY_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x09),
    COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(SenseKey.UNIT_ATTENTION, 0x2F, 0x00),
    SAVING_PARAMETERS_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x39, 0x00),
    INQUIRY_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x3F, 0x03),
    REPORTED_LUNS_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E),
    INTERNAL_TARGET_FAILURE(SenseKey.HARDWARE_ERROR, 0x44, 0x00),
    OVERLAPPED_COMMANDS_ATTEMPTED(SenseKey.ABORTED_COMMAND, 0x4E, 0x00),
    INSUFFICIENT_REGISTRATION_RESOURCES(SenseKey.ILLEGAL_REQUEST, 0x55, 0x04);

    private final SenseKey key;
    private final int asc;
    private final int ascq;

    SenseCode(SenseKey key, int asc, int ascq) {
        this.key = key;
        this.asc = asc;
        this.ascq = ascq;
    }

    public SenseKey key() {
        return key;
    }

    /** Additional sense code. */
    public int asc() {
        return asc;
    }

    /** Additional sense code qualifier. */
    public int ascq() {
        return ascq;
    }
}
