package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Text Request (RFC 7143 11.10); {@code cont} is the C bit. */
public record TextRequest(boolean immediate, boolean finalPdu, boolean cont, long lun, int itt,
                          int ttt, int cmdSn, int expStatSn, ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.TEXT_REQUEST;
    }
}
