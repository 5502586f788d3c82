package io.braid.node.api;

import io.braid.common.api.ApiException;

import java.util.List;

/**
 * What the management API reads from and asks of the node; called on Jetty request threads. The
 * storage operations have defaults that answer 501 so that views without a page store (test
 * fakes) need not implement them.
 */
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

    /** The page store's drives, d0 first. */
    default List<DriveView> drives() {
        throw notImplemented();
    }

    /** Fault injection: fails a drive; unknown drive 404, already FAILED 409. */
    default DriveView failDrive(String name) {
        throw notImplemented();
    }

    /** Replaces a FAILED drive and starts its rebuild; unknown 404, not FAILED 409. */
    default DriveView replaceDrive(String name) {
        throw notImplemented();
    }

    /** Grows a volume online; unknown 404, smaller or invalid size 400. */
    default VolumeView resizeVolume(String name, long sizeBytes) {
        throw notImplemented();
    }

    /** The running or last scrub. */
    default ScrubView scrub() {
        throw notImplemented();
    }

    /** Starts a scrub unless one runs. */
    default ScrubView startScrub() {
        throw notImplemented();
    }

    private static ApiException notImplemented() {
        return new ApiException(501, "not_implemented", "this node has no page store");
    }
}
