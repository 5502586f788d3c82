package io.braid.node.api;

import java.util.List;

/**
 * {@code GET /api/v1/status}: what a node is and whether it is serving.
 *
 * @param node          node name
 * @param state         lifecycle state ({@code RUNNING}, {@code STOPPING}, ...)
 * @param nodeId        stable node identity
 * @param targetIqn     the node's iSCSI target name
 * @param portals       bound portals, with real ports
 * @param volumes       number of volumes served
 * @param startedAt     ISO-8601 start time
 * @param uptimeSeconds seconds since start
 */
public record StatusView(String node, String state, String nodeId, String targetIqn,
                         List<PortalView> portals, int volumes, String startedAt,
                         long uptimeSeconds) {
    public StatusView {
        portals = portals == null ? List.of() : List.copyOf(portals);
    }

    /** A bound portal (RFC 7143 3.4.1). */
    public record PortalView(String address, int tpgt) {
    }
}
