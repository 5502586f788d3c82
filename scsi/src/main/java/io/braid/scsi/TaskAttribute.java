package io.braid.scsi;

/** SAM-5 task attributes, numbered as in the iSCSI SCSI Command ATTR field (RFC 7143 11.3.1). */
public enum TaskAttribute {
    UNTAGGED(0), SIMPLE(1), ORDERED(2), HEAD_OF_QUEUE(3), ACA(4);

    private final int wire;

    TaskAttribute(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** values() copies its array on every call; this runs once per SCSI command. */
    private static final TaskAttribute[] ALL = values();

    public static TaskAttribute fromWire(int value) {
        for (TaskAttribute a : ALL) {
            if (a.wire == value) {
                return a;
            }
        }
        return SIMPLE; // RFC 7143: values 5..7 are reserved; treat as simple
    }
}
