package io.braid.host.nbd;

/** Command flags, 16 bits in each request (proto.md "Command flags"). */
public enum CommandFlag {
    FUA(0),
    NO_HOLE(1),
    DF(2),
    REQ_ONE(3),
    FAST_ZERO(4);

    private final int bit;

    CommandFlag(int bit) {
        this.bit = bit;
    }

    /** The flag's mask in the 16-bit field. */
    public int mask() {
        return 1 << bit;
    }

    /** Whether {@code flags} has this flag set. */
    public boolean in(int flags) {
        return (flags & mask()) != 0;
    }

    /** {@code FUA|NO_HOLE}, plus {@code 0x40} for unknown bits; empty for none. */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        int rest = flags;
        for (CommandFlag f : values()) {
            if (f.in(flags)) {
                sb.append(sb.isEmpty() ? "" : "|").append(f.name());
                rest &= ~f.mask();
            }
        }
        if (rest != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }
}
