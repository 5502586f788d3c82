package io.braid.policy.spi;

import java.util.Objects;

/**
 * Names one path: the I_T_L nexus from a host port (initiator address) through a storage port
 * (target portal) to a target and LUN (SAM-5 "I_T_L nexus").
 *
 * @param hostPort    the local address the session was opened from, e.g. {@code 127.0.0.1}
 * @param storagePort the target portal, e.g. {@code 127.0.0.1:3260}
 * @param target      the iSCSI target name
 * @param lun         the logical unit number
 */
public record PathRef(String hostPort, String storagePort, String target, int lun) {
    public PathRef {
        Objects.requireNonNull(hostPort, "hostPort");
        Objects.requireNonNull(storagePort, "storagePort");
        Objects.requireNonNull(target, "target");
    }

    @Override
    public String toString() {
        return hostPort + "->" + storagePort + " " + target + " lun " + lun;
    }
}
