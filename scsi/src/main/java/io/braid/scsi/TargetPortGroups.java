package io.braid.scsi;

import java.util.Map;
import java.util.Set;

/**
 * Asymmetric logical unit access for one SCSI target device (SPC-5 "Asymmetric logical unit
 * access"): its target port groups, the relative target ports in each, and each group's access
 * state, which every logical unit of the target shares. Initiators read it with REPORT TARGET PORT
 * GROUPS and change it with SET TARGET PORT GROUPS (explicit ALUA); the node changes it with
 * {@link #transition} (implicit ALUA), e.g. when it stops owning the pages behind a port.
 *
 * <p>A group is known once a port in it is declared with {@link #addTargetPort} or an I_T nexus
 * arrives through one (the transport passes the relative target port and its group in each
 * {@link Nexus}); a new group starts ACTIVE/OPTIMIZED. All methods are thread-safe and cheap.
 */
public interface TargetPortGroups {

    /**
     * Declares a target port so REPORT TARGET PORT GROUPS lists it before any initiator logs in
     * through it. Declaring the same port again is harmless.
     *
     * @param targetPortGroup      0..65535
     * @param relativeTargetPortId 1..65535
     * @throws IllegalArgumentException for values out of range, or a port already in another group
     */
    void addTargetPort(int targetPortGroup, int relativeTargetPortId);

    /** The state of a group; ACTIVE/OPTIMIZED for a group that is not known. */
    AsymmetricAccessState state(int targetPortGroup);

    /**
     * An implicit transition (SPC-5 "Implicit asymmetric logical unit access management"): the
     * group takes {@code state} and, when that is a change, every I_T nexus gets a unit attention
     * ASYMMETRIC ACCESS STATE CHANGED on every logical unit, so host multipath re-reads the groups.
     *
     * @throws IllegalArgumentException when the group is not known, or for {@link AsymmetricAccessState#OFFLINE}
     *                                  (a state of a port: {@link #setOffline})
     */
    void transition(int targetPortGroup, AsymmetricAccessState state);

    /**
     * Puts one target port into the offline secondary state (SPC-5 "Offline state") or takes it
     * out again (an implicit transition): while offline, every command through the port ends with
     * NOT READY / LOGICAL UNIT NOT READY, OFFLINE, whatever the state of its group. A change gives
     * every I_T nexus ASYMMETRIC ACCESS STATE CHANGED on every logical unit. SET TARGET PORT GROUPS
     * can put a port offline; only this brings it back.
     *
     * @throws IllegalArgumentException when the port is not known
     */
    void setOffline(int relativeTargetPortId, boolean offline);

    /** Whether the port is in the offline secondary state. */
    boolean isOffline(int relativeTargetPortId);

    /** The known groups and the relative target port identifiers in each, for diagnostics. */
    Map<Integer, Set<Integer>> groups();
}
