package io.braid.host.pr;

import java.util.List;

/**
 * What {@code braid host pr show} prints: the keeper's own state, the reservation, and every
 * registration as READ FULL STATUS reports it, ours mapped to our paths. Keys are {@code 0x}
 * and 16 hex digits.
 *
 * @param device      export name
 * @param deviceId    VPD 83h designator
 * @param key         the key this host registered through the keeper, or null
 * @param generation  PRGENERATION
 * @param reservation the persistent reservation, or null
 * @param paths       each path of the device, with its registration
 * @param others      registrations of I_T nexuses that are not paths of this host
 * @param preempted   whether the key was found removed by another initiator (it is then not registered again)
 * @param lastError   the keeper's last failure, or null
 */
public record PrStatus(String device, String deviceId, String key, long generation, Reservation reservation,
                       List<PathRegistration> paths, List<Registrant> others, boolean preempted, String lastError) {

    /**
     * @param key        the holder's key (0 for all registrants types)
     * @param type       the type label, e.g. {@code wr-ex}
     * @param holderPath our path holding it ({@code host->storage}), or null (another host, or all registrants)
     * @param holder     the holding initiator port, or null for all registrants
     */
    public record Reservation(String key, String type, String holderPath, String holder) {
    }

    /**
     * @param hostPort    the path's host port
     * @param storagePort the path's storage port
     * @param state       the driver's state of the path (active, failed)
     * @param isid        the session's ISID in hex
     * @param key         the key registered for this I_T nexus, or null when it is not registered
     * @param holder      whether this I_T nexus holds the reservation
     */
    public record PathRegistration(String hostPort, String storagePort, String state, String isid, String key,
                                   boolean holder) {
    }

    /**
     * @param initiatorPort        {@code name,i,0x<isid>}
     * @param key                  the registered key
     * @param holder               whether it holds the reservation
     * @param relativeTargetPortId the target port it registered through (0 with ALL_TG_PT)
     */
    public record Registrant(String initiatorPort, String key, boolean holder, int relativeTargetPortId) {
    }
}
