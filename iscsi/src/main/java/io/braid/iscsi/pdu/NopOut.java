package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * NOP-Out (RFC 7143 11.18): a ping from the initiator, or the answer to a target's NOP-In.
 * {@code itt == RESERVED_TAG} means no answer is wanted; {@code ttt} echoes a target's ping.
 */
public record NopOut(boolean immediate, long lun, int itt, int ttt, int cmdSn, int expStatSn,
                     ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.NOP_OUT;
    }
}
