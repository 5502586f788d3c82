package io.braid.host.api;

import io.braid.host.discovery.Path;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.PathStatus;

/**
 * One path in {@code GET /api/v1/paths} and in each device's {@code paths}.
 *
 * @param device          the device's export name, or null for a session whose LUNs are unknown
 * @param deviceId        the device id, or null
 * @param hostPort        the local address, or {@code *}
 * @param storagePort     the target portal, {@code host:port}
 * @param target          the target's iSCSI name
 * @param lun             the LUN, or -1 when the session was never probed
 * @param state           {@code active} or {@code failed} (the driver's view); {@code unprobed}
 *                        for a session whose LUNs are unknown, {@code pending} for a path whose
 *                        device is not ready yet
 * @param connection      {@code connected} or {@code disconnected} (the session)
 * @param sessionState    the session's state, e.g. {@code LOGGED_IN}, {@code RECOVERY}
 * @param aluaState       e.g. {@code active/optimized}, {@code standby}, {@code not reported}
 * @param priority        {@code primary} or {@code secondary}
 * @param preferred       the port group's PREF bit
 * @param targetPortGroup the target port group, or -1
 * @param queueDepth      commands of the device in flight through the path
 * @param latencyMicros   mean command latency in microseconds (weight 1/8)
 * @param ios             commands completed through the path
 * @param errors          commands that did not end GOOD
 * @param failures        times the path was failed
 * @param lastError       the last error, or null
 * @param since           when the path entered its state (ISO-8601), or null
 */
public record DevicePathView(String device, String deviceId, String hostPort, String storagePort, String target,
                             int lun, String state, String connection, String sessionState, String aluaState,
                             String priority, boolean preferred, int targetPortGroup, int queueDepth,
                             long latencyMicros, long ios, long errors, long failures, String lastError,
                             String since) {

    public static DevicePathView of(MultipathDevice d, PathStatus p) {
        return new DevicePathView(d.name(), d.id(), p.id().hostPort(), p.id().storagePort(), p.id().targetName(),
                p.id().lun(), p.state().label(), p.connection().name().toLowerCase(java.util.Locale.ROOT),
                p.sessionState().name(), p.aluaState().label(), p.priority().name().toLowerCase(java.util.Locale.ROOT),
                p.preferred(), p.targetPortGroup(), p.queueDepth(), p.latency().toNanos() / 1000, p.ios(), p.errors(),
                p.failures(), p.lastError(), p.since() == null ? null : p.since().toString());
    }

    /** A discovered path that no multipath device holds (e.g. a session that never logged in). */
    public static DevicePathView unprobed(Path p) {
        return new DevicePathView(null, p.deviceId(), p.hostPort(), p.storagePort(), p.targetName(), p.lun(),
                p.deviceId() == null ? "unprobed" : "pending", p.connected() ? "connected" : "disconnected", p.sessionState().name(),
                p.aluaState().label(), p.priority().name().toLowerCase(java.util.Locale.ROOT), p.preferred(),
                p.targetPortGroup(), p.queueDepth(), p.latency().toNanos() / 1000, 0, 0, 0, p.stateReason(), null);
    }
}
