package io.braid.node.api;

import java.util.List;

/** What the management API reads from the node; called on Jetty request threads. */
public interface NodeView {
    StatusView status();

    List<VolumeView> volumes();

    /** Every portal with its state; a view without portal control has none to show. */
    default List<PortalStateView> portals() {
        return List.of();
    }

    /**
     * Takes the portal {@code address} ({@code HOST:PORT}) down for a fault drill: its
     * connections are closed and new ones refused until {@link #portalUp}.
     *
     * @throws ApiException 400 for a malformed address, 404 for no such portal
     */
    default PortalStateView portalDown(String address) {
        throw ApiException.notFound("no portal " + address);
    }

    /** Brings a portal taken down back up; same errors as {@link #portalDown}. */
    default PortalStateView portalUp(String address) {
        throw ApiException.notFound("no portal " + address);
    }
}
