package io.braid.iscsi.target;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiTarget;

import java.util.List;

/** A stand-in SCSI core for transport tests: one LUN, 0, and nothing to do when a nexus comes or goes. */
abstract class OneLunCore implements ScsiTarget {
    @Override
    public void nexusAdded(Nexus nexus) {
    }

    @Override
    public void nexusRemoved(Nexus nexus) {
    }

    @Override
    public List<Long> luns(Nexus nexus) {
        return List.of(0L);
    }
}
