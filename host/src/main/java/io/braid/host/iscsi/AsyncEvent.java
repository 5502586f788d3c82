package io.braid.host.iscsi;

import io.braid.host.scsi.SenseData;

/**
 * An Asynchronous Message from the target (RFC 7143 11.9), as listeners see it.
 *
 * @param lun        LUN number of a SCSI async event, or -1
 * @param event      AsyncEvent: 0 SCSI async event, 1 logout requested, 2 connection drop,
 *                   3 session drop, 4 renegotiation requested, 255 vendor specific
 * @param vendorCode AsyncVCode
 * @param parameter1 Parameter1 (CID for events 2, 3 concern)
 * @param parameter2 Parameter2 (Time2Wait for events 2, 3)
 * @param parameter3 Parameter3 (Time2Retain for 2, 3; seconds to log out within for 1)
 * @param sense      the sense data of a SCSI async event, else null
 */
public record AsyncEvent(int lun, int event, int vendorCode, int parameter1, int parameter2,
                         int parameter3, SenseData sense) {
    public static final int SCSI_EVENT = 0;
    public static final int LOGOUT_REQUESTED = 1;
    public static final int CONNECTION_DROP = 2;
    public static final int SESSION_DROP = 3;
    public static final int RENEGOTIATE = 4;
    public static final int VENDOR = 255;
}
