package io.braid.iscsi.pdu;

import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBuf;

/** Task Management Function Request (RFC 7143 11.5); {@code function} is the 7-bit code. */
public record TaskMgmtRequest(boolean immediate, int function, long lun, int itt,
                              int referencedTaskTag, int cmdSn, int expStatSn, int refCmdSn,
                              int expDataSn) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.TASK_MGMT_REQUEST;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }
}
