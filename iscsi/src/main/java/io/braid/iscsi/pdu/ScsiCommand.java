package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Command (RFC 7143 11.3). {@code cdb} is the whole CDB: the 16 bytes of the BHS followed
 * by the Extended CDB AHS when the CDB is longer. {@code bidiReadLength} comes from the
 * Bidirectional Read Expected Data Transfer Length AHS (-1 when absent). {@code attr} is the
 * 3-bit ATTR field. {@code data} holds immediate data.
 */
public record ScsiCommand(boolean immediate, boolean finalPdu, boolean read, boolean write, int attr,
                          long lun, int itt, int expectedDataTransferLength, int cmdSn,
                          int expStatSn, byte[] cdb, int bidiReadLength, ByteBuf data)
        implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.SCSI_COMMAND;
    }
}
