package io.braid.host.nbd;

/** Option types of the handshake phase (proto.md "Option types"). */
public enum NbdOption {
    EXPORT_NAME(1),
    ABORT(2),
    LIST(3),
    PEEK_EXPORT(4),
    STARTTLS(5),
    INFO(6),
    GO(7),
    STRUCTURED_REPLY(8),
    LIST_META_CONTEXT(9),
    SET_META_CONTEXT(10),
    EXTENDED_HEADERS(11);

    private static final NbdOption[] BY_VALUE = new NbdOption[12];

    static {
        for (NbdOption o : values()) {
            BY_VALUE[o.value] = o;
        }
    }

    private final int value;

    NbdOption(int value) {
        this.value = value;
    }

    /** The 32-bit wire value. */
    public int value() {
        return value;
    }

    /** The option with wire value {@code value}, or null for one this server does not know. */
    public static NbdOption of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** {@code NBD_OPT_GO}, or {@code option 42} for an unknown value, for messages and logs. */
    public static String describe(int value) {
        NbdOption o = of(value);
        return o != null ? "NBD_OPT_" + o.name() : "option " + Integer.toUnsignedString(value);
    }
}
