package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Text Response (RFC 7143 11.11); {@code cont} is the C bit. */
public record TextResponse(boolean finalPdu, boolean cont, long lun, int itt, int ttt, int statSn,
                           int expCmdSn, int maxCmdSn, ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.TEXT_RESPONSE;
    }
}
