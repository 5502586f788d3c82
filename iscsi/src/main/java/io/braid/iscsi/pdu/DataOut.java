package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** SCSI Data-Out (RFC 7143 11.7); {@code ttt} is RESERVED_TAG for unsolicited data. */
public record DataOut(boolean finalPdu, long lun, int itt, int ttt, int expStatSn, int dataSn,
                      int bufferOffset, ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.DATA_OUT;
    }
}
