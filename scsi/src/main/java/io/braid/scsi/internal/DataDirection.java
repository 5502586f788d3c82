package io.braid.scsi.internal;

/** Direction of a command's data transfer as seen from the initiator (SAM-5 "Data transfer SCSI transport protocol services"). */
public enum DataDirection {
    NONE,
    /** Data-in: device server to application client. */
    IN,
    /** Data-out: application client to device server. */
    OUT
}
