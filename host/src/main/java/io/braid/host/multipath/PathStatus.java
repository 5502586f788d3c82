package io.braid.host.multipath;

import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathPriority;
import io.braid.host.discovery.PathState;
import io.braid.host.iscsi.SessionState;
import io.braid.host.scsi.AluaState;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one path of a multipath device, for listings.
 *
 * @param id              host port, storage port, target, LUN
 * @param deviceId        the device
 * @param state           ACTIVE or FAILED (the driver's view)
 * @param connection      CONNECTED when the session is in the full feature phase
 * @param sessionState    the session's state
 * @param aluaState       the port group's asymmetric access state (last probe)
 * @param priority        PRIMARY or SECONDARY
 * @param preferred       the port group's PREF bit
 * @param targetPortGroup the target port group, or -1
 * @param queueDepth      commands of this device in flight through the path
 * @param latency         mean latency (weight 1/8)
 * @param ios             commands completed through the path
 * @param errors          commands through the path that did not end GOOD
 * @param failures        times the path was failed
 * @param lastError       the last error seen on the path, or null
 * @param since           when the path entered its state
 */
public record PathStatus(PathId id, String deviceId, MultipathPathState state, PathState connection,
                         SessionState sessionState, AluaState aluaState, PathPriority priority, boolean preferred,
                         int targetPortGroup, int queueDepth, Duration latency, long ios, long errors, long failures,
                         String lastError, Instant since) {
}
