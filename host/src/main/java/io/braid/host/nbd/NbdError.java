package io.braid.host.nbd;

/** Error values of replies (proto.md "Error values"); zero means success and has no constant. */
public enum NbdError {
    EPERM(1),
    EIO(5),
    ENOMEM(12),
    EINVAL(22),
    ENOSPC(28),
    EOVERFLOW(75),
    ENOTSUP(95),
    ESHUTDOWN(108);

    private final int value;

    NbdError(int value) {
        this.value = value;
    }

    /** The 32-bit wire value. */
    public int value() {
        return value;
    }

    /** The error with wire value {@code value}, or null (for zero and for unknown values). */
    public static NbdError of(int value) {
        for (NbdError e : values()) {
            if (e.value == value) {
                return e;
            }
        }
        return null;
    }
}
