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
 * @param nopInTimeoutMillis       how long a NOP-In may stay unanswered before the connection
 *                                 drops; 0 never drops it for that (dead peers are found by TCP
 *                                 keep-alive, see {@link #TCP_KEEPALIVE_IDLE_SECONDS})
 */
public record TargetServerConfig(List<Portal> portals, List<TargetDefinition> targets,
                                 AuthConfig auth, int maxRecvDataSegmentLength,
                                 int maxBurstLength, int firstBurstLength, int maxOutstandingR2T,
                                 int cmdWindow, long nopInIntervalMillis,
                                 long nopInTimeoutMillis) {
    /**
     * TCP keep-alive on every connection: first probe after this much silence, then every
     * {@link #TCP_KEEPALIVE_INTERVAL_SECONDS}, the connection dropped after
     * {@link #TCP_KEEPALIVE_PROBES} unanswered probes. The peer's kernel answers them, so a dead
     * or unreachable initiator is found in about 30 s while a live one that simply does not read
     * (libiscsi's synchronous API between commands) keeps its session.
     */
    public static final int TCP_KEEPALIVE_IDLE_SECONDS = 10;
    public static final int TCP_KEEPALIVE_INTERVAL_SECONDS = 5;
    public static final int TCP_KEEPALIVE_PROBES = 4;

    public TargetServerConfig {
        portals = List.copyOf(portals);
        targets = List.copyOf(targets);
        auth = auth == null ? AuthConfig.NONE : auth;
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is required");
        }
    }

    /**
     * Defaults suited to loopback and LAN use. An unanswered NOP-In does not drop the connection:
     * an initiator that is alive but not reading (libiscsi's test tool sleeps a minute between
     * commands) would lose its session and see a new unit attention on every reconnect, forever.
     * FirstBurstLength up to 256 KiB lets a write of that size travel as immediate data in its
     * command PDU, without an R2T round trip (libiscsi and open-iscsi offer 256 KiB).
     */
    public static TargetServerConfig of(List<Portal> portals, List<TargetDefinition> targets,
                                        AuthConfig auth) {
        return new TargetServerConfig(portals, targets, auth, 262144, 1048576, 262144, 1, 128,
                5000, 0);
    }
}
