package io.braid.iscsi.target;

import java.util.List;

/**
 * Everything an {@code IscsiTargetServer} needs: where to listen, which targets to serve, who
 * may log in, and the local limits offered in negotiation (RFC 7143 13).
 *
 * @param portals                  every portal of the node (all reported by SendTargets)
 * @param targets                  target nodes served
 * @param auth                     CHAP settings
 * @param maxRecvDataSegmentLength what this target accepts per PDU (512..16777215)
 * @param maxBurstLength           upper bound offered for MaxBurstLength
 * @param firstBurstLength         upper bound offered for FirstBurstLength
 * @param maxOutstandingR2T        upper bound offered for MaxOutstandingR2T
 * @param cmdWindow                how many commands beyond ExpCmdSN the target admits (MaxCmdSN)
 * @param nopInIntervalMillis      idle time before the target pings with NOP-In; 0 disables
 * @param nopInTimeoutMillis       how long a NOP-In may stay unanswered before the connection drops
 */
public record TargetServerConfig(List<Portal> portals, List<TargetDefinition> targets,
                                 AuthConfig auth, int maxRecvDataSegmentLength,
                                 int maxBurstLength, int firstBurstLength, int maxOutstandingR2T,
                                 int cmdWindow, long nopInIntervalMillis,
                                 long nopInTimeoutMillis) {
    public TargetServerConfig {
        portals = List.copyOf(portals);
        targets = List.copyOf(targets);
        auth = auth == null ? AuthConfig.NONE : auth;
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is required");
        }
    }

    /**
     * Defaults suited to loopback and LAN use. FirstBurstLength up to 256 KiB lets a write of that
     * size travel as immediate data in its command PDU, without an R2T round trip (libiscsi and
     * open-iscsi offer 256 KiB).
     */
    public static TargetServerConfig of(List<Portal> portals, List<TargetDefinition> targets,
                                        AuthConfig auth) {
        return new TargetServerConfig(portals, targets, auth, 262144, 1048576, 262144, 1, 128,
                5000, 5000);
    }
}
