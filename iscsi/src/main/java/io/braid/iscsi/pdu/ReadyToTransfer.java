package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Ready To Transfer, R2T (RFC 7143 11.8). */
public record ReadyToTransfer(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn,
                              int r2tSn, int bufferOffset, int desiredDataTransferLength)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.R2T;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }
}
