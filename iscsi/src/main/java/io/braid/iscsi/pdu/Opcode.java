package io.braid.iscsi.pdu;

/** iSCSI opcodes with their wire values (RFC 7143 11.2.1.2). */
public enum Opcode {
    NOP_OUT(0x00, true),
    SCSI_COMMAND(0x01, true),
    TASK_MGMT_REQUEST(0x02, true),
    LOGIN_REQUEST(0x03, true),
    TEXT_REQUEST(0x04, true),
    DATA_OUT(0x05, true),
    LOGOUT_REQUEST(0x06, true),
    SNACK(0x10, true),
    NOP_IN(0x20, false),
    SCSI_RESPONSE(0x21, false),
    TASK_MGMT_RESPONSE(0x22, false),
    LOGIN_RESPONSE(0x23, false),
    TEXT_RESPONSE(0x24, false),
    DATA_IN(0x25, false),
    LOGOUT_RESPONSE(0x26, false),
    R2T(0x31, false),
    ASYNC_MESSAGE(0x32, false),
    REJECT(0x3f, false);

    private static final Opcode[] BY_VALUE = new Opcode[64];

    static {
        for (Opcode o : values()) {
            BY_VALUE[o.value] = o;
        }
    }

    private final int value;
    private final boolean initiator;

    Opcode(int value, boolean initiator) {
        this.value = value;
        this.initiator = initiator;
    }

    /** The 6-bit wire value. */
    public int value() {
        return value;
    }

    /** True for PDUs an initiator sends, false for those a target sends. */
    public boolean fromInitiator() {
        return initiator;
    }

    /** The opcode for a 6-bit wire value, or null when it is not defined (vendor or reserved). */
    public static Opcode of(int value) {
        return value >= 0 && value < 64 ? BY_VALUE[value] : null;
    }
}
