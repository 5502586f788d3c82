package io.braid.host.nbd;

/** Information types of NBD_OPT_INFO and NBD_OPT_GO (proto.md "NBD_REP_INFO"). */
public enum InfoType {
    EXPORT(0),
    NAME(1),
    DESCRIPTION(2),
    BLOCK_SIZE(3);

    private final int value;

    InfoType(int value) {
        this.value = value;
    }

    /** The 16-bit wire value. */
    public int value() {
        return value;
    }

    /** The type with wire value {@code value}, or null for one the server ignores. */
    public static InfoType of(int value) {
        return value >= 0 && value < values().length ? values()[value] : null;
    }
}
