package io.braid.scsi;

/**
 * How one initiator may use one logical unit under LUN masking: not at all (the LUN is absent from
 * its REPORT LUNS and answers as an unsupported LUN, SPC-5 "Incorrect logical unit selection"),
 * reading only (the unit appears write-protected to it, SBC-4 "Write protection"), or fully.
 */
public enum LunAccess {
    NONE, READ_ONLY, READ_WRITE;

    /** The narrower of two grants. */
    public LunAccess min(LunAccess other) {
        return compareTo(other) <= 0 ? this : other;
    }
}
