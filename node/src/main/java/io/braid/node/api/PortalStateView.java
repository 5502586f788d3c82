package io.braid.node.api;

/**
 * One entry of {@code GET /api/v1/portals}, and the answer to taking a portal down or up.
 *
 * @param address     the portal as bound, {@code HOST:PORT}
 * @param tpgt        target portal group tag (RFC 7143 3.4.1)
 * @param state       {@code up}, or {@code down} after {@code braid portal down} (not listening)
 * @param connections open TCP connections on this portal
 */
public record PortalStateView(String address, int tpgt, String state, int connections) {
    public static final String UP = "up";
    public static final String DOWN = "down";
}
