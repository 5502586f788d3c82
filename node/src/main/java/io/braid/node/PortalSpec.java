package io.braid.node;

import java.util.Objects;

/**
 * A network portal of the node (RFC 7143 3.4.1): where it listens and in which target portal
 * group.
 *
 * @param address listening address; port 0 picks a free port
 * @param tpgt    target portal group tag, 1..65535
 */
public record PortalSpec(HostPort address, int tpgt) {
    public static final int DEFAULT_PORT = 3260;
    public static final int DEFAULT_TPGT = 1;

    public PortalSpec {
        Objects.requireNonNull(address, "address");
        checkTpgt(tpgt);
    }

    /** @throws IllegalArgumentException unless {@code tpgt} is a valid portal group tag */
    public static void checkTpgt(int tpgt) {
        if (tpgt < 1 || tpgt > 65535) {
            throw new IllegalArgumentException(tpgt + " is out of range 1..65535");
        }
    }
}
