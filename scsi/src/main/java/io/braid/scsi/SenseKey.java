package io.braid.scsi;

/**
 * SPC-5 "Sense key and sense code definitions": the sense key of a sense data response, as the
 * target writes it and the host agent's initiator reads it.
 */
public enum SenseKey {
    NO_SENSE(0x0),
    RECOVERED_ERROR(0x1),
    NOT_READY(0x2),
    MEDIUM_ERROR(0x3),
    HARDWARE_ERROR(0x4),
    ILLEGAL_REQUEST(0x5),
    UNIT_ATTENTION(0x6),
    DATA_PROTECT(0x7),
    BLANK_CHECK(0x8),
    VENDOR_SPECIFIC(0x9),
    COPY_ABORTED(0xA),
    ABORTED_COMMAND(0xB),
    RESERVED_C(0xC),
    VOLUME_OVERFLOW(0xD),
    MISCOMPARE(0xE),
    COMPLETED(0xF);

    private static final SenseKey[] BY_WIRE = values();

    private final int wire;

    SenseKey(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The key for the low four bits of {@code value}; every 4-bit value has one. */
    public static SenseKey of(int value) {
        return BY_WIRE[value & 0xF];
    }
}
