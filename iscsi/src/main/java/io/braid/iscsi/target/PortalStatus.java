package io.braid.iscsi.target;

import java.net.InetSocketAddress;

/**
 * A portal (RFC 7143 3.4.1) as it is now: where it listens, whether it is up or was taken down
 * for a fault drill, and how many TCP connections it holds.
 *
 * @param portal      the portal with its real port
 * @param bound       the address bound
 * @param up          false after {@link IscsiTargetServer#portalDown} until {@link IscsiTargetServer#portalUp}
 * @param connections open connections accepted on this portal
 */
public record PortalStatus(Portal portal, InetSocketAddress bound, boolean up, int connections) {
}
