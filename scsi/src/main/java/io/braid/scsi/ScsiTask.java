package io.braid.scsi;

import io.netty.buffer.ByteBuf;

/**
 * One SCSI command handed from a transport to the core (SAM-5 5.1 Execute Command).
 *
 * @param nexus      the I_T nexus it arrived on
 * @param lun        the LUN as the 64-bit SAM LUN field (flat or peripheral addressing)
 * @param cdb        the whole CDB (longer than 16 bytes when an extended CDB AHS was sent)
 * @param tag        the transport's task tag (iSCSI ITT), unique per nexus while the task lives
 * @param attribute  task attribute
 * @param expectedDataTransferLength bytes the initiator expects to move (iSCSI EDTL)
 * @param dataOut    all data-out bytes the initiator sent for this command (length at most
 *                   EDTL); empty for commands without data-out. Owned by the core from the call
 *                   on: the core releases it.
 */
public record ScsiTask(Nexus nexus, long lun, byte[] cdb, long tag, TaskAttribute attribute,
                       int expectedDataTransferLength, ByteBuf dataOut) {
}
