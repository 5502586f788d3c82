package io.braid.scsi.internal;

/** SPC-5 "Sense data": the two formats; the control mode page D_SENSE bit chooses one. */
public enum SenseFormat {
    /** Response code 70h (SPC-5 "Fixed format sense data"). */
    FIXED,
    /** Response code 72h (SPC-5 "Descriptor format sense data"). */
    DESCRIPTOR
}
