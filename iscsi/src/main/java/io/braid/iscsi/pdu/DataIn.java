package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Data-In (RFC 7143 11.7). {@code acknowledge} is the A bit; with {@code statusPresent}
 * (S) the PDU also carries {@code status}, {@code statSn} and the residual flags and count.
 */
public record DataIn(boolean finalPdu, boolean acknowledge, boolean overflow, boolean underflow,
                     boolean statusPresent, int status, long lun, int itt, int ttt, int statSn,
                     int expCmdSn, int maxCmdSn, int dataSn, int bufferOffset, int residualCount,
                     ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.DATA_IN;
    }
}
