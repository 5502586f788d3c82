package io.braid.scsi;

/**
 * Per-LUN switches for behaviours that some initiators handle badly. All are on by default; a
 * switched-off feature is not advertised (INQUIRY, VPD pages, REPORT SUPPORTED OPERATION CODES)
 * and its commands fail with INVALID COMMAND OPERATION CODE, exactly as on a target without it.
 */
public enum UnitFeature {
    /** COMPARE AND WRITE (VMware ATS). */
    COMPARE_AND_WRITE,
    /** EXTENDED COPY and RECEIVE COPY RESULTS with the Third-party Copy VPD page (VMware XCOPY). */
    EXTENDED_COPY,
    /** Thin provisioning: UNMAP, WRITE SAME with UNMAP, GET LBA STATUS, LBPME. */
    THIN_PROVISIONING,
    /** PERSISTENT RESERVE IN/OUT and SCSI-2 RESERVE/RELEASE. */
    PERSISTENT_RESERVATIONS
}
