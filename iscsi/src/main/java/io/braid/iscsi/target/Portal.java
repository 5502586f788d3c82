package io.braid.iscsi.target;

/**
 * A network portal (RFC 7143 3.4.1): an address a node listens on, in a target portal group.
 *
 * @param host address to bind, e.g. 127.0.0.1 or [::1]
 * @param port TCP port; 0 picks a free one (tests)
 * @param tpgt target portal group tag, 1..65535
 */
public record Portal(String host, int port, int tpgt) {
    public Portal {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("portal port " + port + " out of range 0..65535");
        }
        if (tpgt < 1 || tpgt > 65535) {
            throw new IllegalArgumentException("portal group tag " + tpgt + " out of range 1..65535");
        }
    }
}
