package io.braid.host.discovery;

import io.braid.host.iscsi.SessionState;
import io.braid.host.scsi.AluaState;

import java.time.Duration;

/**
 * A snapshot of one path as discovery knows it.
 *
 * @param id                 host port, storage port, target and LUN
 * @param deviceId           the device (VPD 83h logical unit designator) the path leads to, or
 *                           null when its LUN was never probed
 * @param state              CONNECTED when the session is in the full feature phase
 * @param sessionState       the session's state
 * @param stateReason        why the session is in that state
 * @param targetPortalGroupTag the portal group tag of the login, or -1
 * @param targetPortGroup    the target port group (VPD 83h), or -1
 * @param relativeTargetPort the relative target port identifier (VPD 83h), or -1
 * @param aluaState          the port group's asymmetric access state (REPORT TARGET PORT GROUPS)
 * @param preferred          the PREF bit of the port group
 * @param priority           PRIMARY or SECONDARY
 * @param queueDepth         commands outstanding in the session now (shared by the session's LUNs)
 * @param latency            average command latency of the session
 */
public record Path(PathId id, String deviceId, PathState state, SessionState sessionState, String stateReason,
                   int targetPortalGroupTag, int targetPortGroup, int relativeTargetPort, AluaState aluaState,
                   boolean preferred, PathPriority priority, int queueDepth, Duration latency) {

    public String hostPort() {
        return id.hostPort();
    }

    public String storagePort() {
        return id.storagePort();
    }

    public String targetName() {
        return id.targetName();
    }

    public int lun() {
        return id.lun();
    }

    public boolean connected() {
        return state == PathState.CONNECTED;
    }
}
