package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Logout Response (RFC 7143 11.15). */
public record LogoutResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn,
                             int time2Wait, int time2Retain) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_RESPONSE;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }
}
