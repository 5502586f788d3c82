package io.braid.iscsi.pdu;

/**
 * Which end of an iSCSI connection this is (RFC 7143 11.2.1.2): a target receives the
 * initiator's opcodes, an initiator receives the target's.
 */
public enum Side {
    TARGET,
    INITIATOR;

    /** Whether a PDU with this opcode may arrive at this side. */
    public boolean receives(Opcode opcode) {
        return opcode.fromInitiator() == (this == TARGET);
    }
}
