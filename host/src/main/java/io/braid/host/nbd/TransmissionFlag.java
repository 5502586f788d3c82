package io.braid.host.nbd;

import java.util.EnumSet;
import java.util.Set;

/** Transmission flags, 16 bits sent with the export size (proto.md "Transmission flags"). */
public enum TransmissionFlag {
    HAS_FLAGS(0),
    READ_ONLY(1),
    SEND_FLUSH(2),
    SEND_FUA(3),
    ROTATIONAL(4),
    SEND_TRIM(5),
    SEND_WRITE_ZEROES(6),
    SEND_DF(7),
    CAN_MULTI_CONN(8),
    SEND_RESIZE(9),
    SEND_CACHE(10),
    SEND_FAST_ZERO(11);

    private final int bit;

    TransmissionFlag(int bit) {
        this.bit = bit;
    }

    /** The flag's mask in the 16-bit field. */
    public int mask() {
        return 1 << bit;
    }

    /** The 16-bit field holding {@code flags}. */
    public static int toBits(Set<TransmissionFlag> flags) {
        int bits = 0;
        for (TransmissionFlag f : flags) {
            bits |= f.mask();
        }
        return bits;
    }

    /** The flags set in {@code bits}; unknown bits are left out. */
    public static Set<TransmissionFlag> fromBits(int bits) {
        Set<TransmissionFlag> flags = EnumSet.noneOf(TransmissionFlag.class);
        for (TransmissionFlag f : values()) {
            if ((bits & f.mask()) != 0) {
                flags.add(f);
            }
        }
        return flags;
    }
}
