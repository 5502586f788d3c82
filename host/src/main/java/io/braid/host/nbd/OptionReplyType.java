package io.braid.host.nbd;

/** Reply types of the handshake phase (proto.md "Option reply types"); errors have bit 31 set. */
public enum OptionReplyType {
    ACK(1),
    SERVER(2),
    INFO(3),
    META_CONTEXT(4),
    ERR_UNSUP(0x8000_0001),
    ERR_POLICY(0x8000_0002),
    ERR_INVALID(0x8000_0003),
    ERR_PLATFORM(0x8000_0004),
    ERR_TLS_REQD(0x8000_0005),
    ERR_UNKNOWN(0x8000_0006),
    ERR_SHUTDOWN(0x8000_0007),
    ERR_BLOCK_SIZE_REQD(0x8000_0008),
    ERR_TOO_BIG(0x8000_0009);

    private final int value;

    OptionReplyType(int value) {
        this.value = value;
    }

    /** The 32-bit wire value. */
    public int value() {
        return value;
    }

    /** Whether this is an error reply (bit 31). */
    public boolean isError() {
        return value < 0;
    }

    /** The type with wire value {@code value}, or null. */
    public static OptionReplyType of(int value) {
        for (OptionReplyType t : values()) {
            if (t.value == value) {
                return t;
            }
        }
        return null;
    }
}
