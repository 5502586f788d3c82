package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Task Management Function Response (RFC 7143 11.6). */
public record TaskMgmtResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.TASK_MGMT_RESPONSE;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }
}
