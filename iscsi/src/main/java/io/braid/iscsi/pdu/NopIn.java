package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * NOP-In (RFC 7143 11.19): the answer to a NOP-Out ({@code ttt == RESERVED_TAG}) or a target's
 * own ping ({@code itt == RESERVED_TAG}, {@code ttt} to be echoed).
 */
public record NopIn(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn,
                    ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.NOP_IN;
    }
}
