package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Asynchronous Message (RFC 7143 11.9). {@code asyncEvent} 0 = SCSI async event (data carries
 * SenseLength + sense), 1 = logout request, 2 = connection drop, 3 = session drop,
 * 4 = renegotiate, 255 = vendor specific.
 */
public record AsyncMessage(long lun, int statSn, int expCmdSn, int maxCmdSn, int asyncEvent,
                           int asyncVCode, int parameter1, int parameter2, int parameter3,
                           ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.ASYNC_MESSAGE;
    }

    @Override
    public int itt() {
        return RESERVED_TAG;
    }
}
