package io.braid.host.multipath;

import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathPriority;
import io.braid.host.scsi.AluaState;

/** A path with fixed attributes, for the policy hooks' unit tests. */
record FixedPath(PathId id, String deviceId, MultipathPathState state, AluaState aluaState, PathPriority priority,
                 boolean preferred, int targetPortGroup, int order, int queueDepth, long latencyNanos, long ios)
        implements PathView {

    static FixedPath of(String host, String storage, int order, int queueDepth, long latencyNanos) {
        return new FixedPath(new PathId(host, storage, "iqn.2026-11.io.braid:t", 0), "naa.1", MultipathPathState.ACTIVE,
                AluaState.NOT_REPORTED, PathPriority.PRIMARY, false, 1, order, queueDepth, latencyNanos, 0);
    }

    FixedPath withGroup(int group, String device, int lun) {
        return new FixedPath(new PathId(id.hostPort(), id.storagePort(), id.targetName(), lun), device, state, aluaState,
                priority, preferred, group, order, queueDepth, latencyNanos, ios);
    }
}
