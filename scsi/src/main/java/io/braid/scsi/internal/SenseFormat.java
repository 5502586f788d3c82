package io.braid.scsi.internal;

/** SPC-5 4.4.1: the two sense data formats; the control mode page D_SENSE bit chooses one. */
public enum SenseFormat {
    /** Response code 70h (SPC-5 4.4.3). */
    FIXED,
    /** Response code 72h (SPC-5 4.4.2). */
    DESCRIPTOR
}
