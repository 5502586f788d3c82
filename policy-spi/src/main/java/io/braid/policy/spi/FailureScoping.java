package io.braid.policy.spi;

import java.util.List;
import java.util.Set;

/**
 * Optional capability of a {@link PathPolicy}: which sub-devices (LUNs) and paths a path failure
 * affects. E.g. an array whose controller failure takes down every LUN behind one storage port.
 */
public interface FailureScoping {

    /**
     * The paths to fail along with {@code failed}.
     *
     * <p><b>Thread.</b> The module's decision thread, while a session event loop waits at most
     * the decision budget (then the built-in scope decides). Must not block.
     * <b>Ownership.</b> The lists are immutable snapshots.
     *
     * @param failed the path the error arrived on
     * @param scope  what the error analysis said is broken
     * @param known  every usable path of every device the driver runs (other devices' LUNs too)
     * @return the paths to fail ({@code failed} is failed anyway); null lets the built-in scope
     *         decide (session: every path through it; port group: the device's paths in the group)
     */
    default Set<PathRef> affected(PathInfo failed, FaultScope scope, List<DevicePath> known) {
        return null;
    }

    /**
     * A usable path and the device it leads to.
     *
     * @param deviceId the device (VPD 83h designator)
     * @param path     the path
     */
    record DevicePath(String deviceId, PathInfo path) {
    }
}
