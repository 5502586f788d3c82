package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** SNACK Request (RFC 7143 11.16); {@code type} is the 4-bit SNACK type. */
public record Snack(int type, long lun, int itt, int tttOrSnackTag, int expStatSn, int begRun,
                    int runLength) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.SNACK;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }
}
