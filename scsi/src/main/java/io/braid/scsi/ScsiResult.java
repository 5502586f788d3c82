package io.braid.scsi;

import io.netty.buffer.ByteBuf;

/**
 * The core's answer to a {@link ScsiTask}.
 *
 * @param status          SAM status byte (GOOD 0x00, CHECK CONDITION 0x02, BUSY 0x08,
 *                        RESERVATION CONFLICT 0x18, TASK SET FULL 0x28, ACA ACTIVE 0x30,
 *                        TASK ABORTED 0x40)
 * @param sense           sense data (fixed or descriptor format) or null; only with CHECK CONDITION
 * @param dataIn          data-in bytes or null; owned by the transport, which releases it
 * @param transferLength  the number of bytes the CDB asked to move (for data-in: what the core
 *                        would have returned; for data-out: what the CDB describes). The
 *                        transport compares it with EDTL to report residual overflow/underflow.
 */
public record ScsiResult(int status, byte[] sense, ByteBuf dataIn, int transferLength) {

    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int ACA_ACTIVE = 0x30;
    public static final int TASK_ABORTED = 0x40;

    /** A task that ended by task management: no response is sent for it. */
    public static final ScsiResult ABORTED = new ScsiResult(TASK_ABORTED, null, null, 0);
}
