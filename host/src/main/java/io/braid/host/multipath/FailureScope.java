package io.braid.host.multipath;

import io.braid.host.discovery.PathId;

import java.util.Collection;
import java.util.Set;

/**
 * Decides which paths a failure takes out of service (the "affected paths and devices" hook of a
 * device policy): a lost session fails every LUN behind it, an ALUA state the whole port group.
 *
 * <p><b>Threads.</b> Called on the event loop of the session the failure arrived on, outside
 * every device lock: return at once, never block.
 */
public interface FailureScope {
    /**
     * The paths to fail, {@code failed} included.
     *
     * @param failed the path the error arrived on
     * @param fault  what the error analysis said is broken
     * @param known  every ACTIVE path of every device the driver runs
     */
    Set<PathId> affected(PathView failed, PathFault fault, Collection<? extends PathView> known);
}
