package io.braid.host.multipath;

import io.braid.host.discovery.PathId;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The built-in failure scope: {@link PathFault#NEXUS} fails every path of every device through
 * the same host port, storage port and target (one session carries them all);
 * {@link PathFault#PORT_GROUP} fails the device's paths into the same target port group (the
 * asymmetric access state belongs to the group); {@link PathFault#PATH} fails the path alone.
 */
public final class DefaultFailureScope implements FailureScope {
    public static final DefaultFailureScope INSTANCE = new DefaultFailureScope();

    private DefaultFailureScope() {
    }

    @Override
    public Set<PathId> affected(PathView failed, PathFault fault, Collection<? extends PathView> known) {
        Set<PathId> out = new HashSet<>();
        out.add(failed.id());
        PathId f = failed.id();
        for (PathView p : known) {
            PathId id = p.id();
            boolean hit = switch (fault) {
                case NEXUS -> id.hostPort().equals(f.hostPort()) && id.storagePort().equals(f.storagePort())
                        && id.targetName().equals(f.targetName());
                case PORT_GROUP -> failed.targetPortGroup() >= 0 && p.deviceId().equals(failed.deviceId())
                        && p.targetPortGroup() == failed.targetPortGroup()
                        && id.targetName().equals(f.targetName());
                case PATH -> false;
            };
            if (hit) {
                out.add(id);
            }
        }
        return out;
    }
}
