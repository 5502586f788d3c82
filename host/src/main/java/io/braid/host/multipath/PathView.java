package io.braid.host.multipath;

import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathPriority;
import io.braid.host.scsi.AluaState;

/**
 * A live, read-only view of one path of a multipath device, as the policy hooks see it. The
 * counters move while I/O runs; read each once per decision.
 */
public interface PathView {
    /** Host port, storage port, target and LUN. */
    PathId id();

    /** The device (VPD 83h designator) the path leads to. */
    String deviceId();

    /** ACTIVE when the driver sends I/O through it, FAILED while it waits for the checker. */
    MultipathPathState state();

    /** The target port group's asymmetric access state from the last probe. */
    AluaState aluaState();

    /** PRIMARY (active/optimized, or no ALUA) or SECONDARY. */
    PathPriority priority();

    /** The PREF bit of the path's target port group. */
    boolean preferred();

    /** The target port group (VPD 83h), or -1. */
    int targetPortGroup();

    /**
     * The path's place in the device's fixed order (preferred first, then primary, then by
     * host port, storage port and LUN), from 0; failover-only prefers the lowest.
     */
    int order();

    /** Commands of this device in flight through the path now. */
    int queueDepth();

    /** Data those commands transfer (read or written), in bytes; 0 when not known. */
    default long bytesInFlight() {
        return 0;
    }

    /** Exponentially weighted mean latency of the path's commands (weight 1/8), 0 before the first. */
    long latencyNanos();

    /** Commands completed through the path. */
    long ios();
}
