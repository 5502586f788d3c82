package io.braid.host.discovery;

/**
 * Names one path to a logical unit: host port (local address) × storage port (target portal) ×
 * target × LUN. The first three name the I_T nexus (one iSCSI session).
 *
 * @param hostPort    the local address, e.g. {@code 127.0.0.1}, or {@code *} for any
 * @param storagePort the target portal, {@code host:port}
 * @param targetName  the target's iSCSI name
 * @param lun         the LUN number, or -1 for a nexus whose LUNs are not known yet
 */
public record PathId(String hostPort, String storagePort, String targetName, int lun) {
    @Override
    public String toString() {
        return hostPort + "->" + storagePort + " " + targetName + (lun >= 0 ? " lun " + lun : "");
    }
}
