package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Response (RFC 7143 11.4). {@code response} 0 = command completed at target,
 * 1 = target failure. Flags: {@code bidiOverflow} (o), {@code bidiUnderflow} (u),
 * {@code overflow} (O), {@code underflow} (U). {@code data} is SenseLength (2 bytes) + sense
 * data + response data, or empty.
 */
public record ScsiResponse(boolean bidiOverflow, boolean bidiUnderflow, boolean overflow,
                           boolean underflow, int response, int status, int itt, int snackTag,
                           int statSn, int expCmdSn, int maxCmdSn, int expDataSn,
                           int bidiReadResidualCount, int residualCount, ByteBuf data)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.SCSI_RESPONSE;
    }
}
