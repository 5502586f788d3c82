package io.braid.scsi;

/**
 * An I_T nexus (SAM-5 4.6.4): one initiator port talking to one target port. Unit attentions,
 * reservations and sense are kept per nexus.
 *
 * @param initiatorPort SCSI initiator port name, for iSCSI {@code iqn...,i,0x<ISID>} (RFC 7143 4.4.1)
 * @param initiatorName the initiator node name (IQN) used for ACLs
 * @param targetPort    SCSI target port name, for iSCSI {@code iqn...,t,0x<TPGT>}
 * @param relativeTargetPortId relative target port identifier reported in VPD 0x83 (1..65535)
 * @param targetPortGroup      target port group reported in VPD 0x83 and REPORT TARGET PORT GROUPS
 */
public record Nexus(String initiatorPort, String initiatorName, String targetPort,
                    int relativeTargetPortId, int targetPortGroup) {
}
