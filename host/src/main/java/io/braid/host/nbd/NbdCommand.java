package io.braid.host.nbd;

/** Request types of the transmission phase (proto.md "Request types"). */
public enum NbdCommand {
    READ(0),
    WRITE(1),
    DISC(2),
    FLUSH(3),
    TRIM(4),
    CACHE(5),
    WRITE_ZEROES(6),
    BLOCK_STATUS(7),
    RESIZE(8);

    private final int value;

    NbdCommand(int value) {
        this.value = value;
    }

    /** The 16-bit wire value. */
    public int value() {
        return value;
    }

    /** The command with wire value {@code value}, or null for an unknown one. */
    public static NbdCommand of(int value) {
        return value >= 0 && value < values().length ? values()[value] : null;
    }

    /** {@code NBD_CMD_READ}, or {@code command 42} for an unknown value. */
    public static String describe(int value) {
        NbdCommand c = of(value);
        return c != null ? "NBD_CMD_" + c.name() : "command " + value;
    }
}
