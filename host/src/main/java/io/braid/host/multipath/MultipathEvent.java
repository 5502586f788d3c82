package io.braid.host.multipath;

import io.braid.host.discovery.PathId;

import java.time.Instant;

/**
 * Something that happened to a device or path, kept in the driver's recent-events ring and
 * given to {@link MultipathListener}s.
 *
 * @param sequence increasing from 1; {@link Multipath#events(long)} returns those after a number
 * @param time     when
 * @param type     what
 * @param deviceId the device, or null
 * @param path     the path, or null
 * @param message  details for people
 */
public record MultipathEvent(long sequence, Instant time, Type type, String deviceId, PathId path, String message) {

    /** Kinds of event. */
    public enum Type {
        DEVICE_ADDED, DEVICE_REMOVED, PATH_ADDED, PATH_REMOVED, PATH_FAILED, PATH_REINSTATED,
        /** The device's last usable path failed: I/O waits. */
        NO_PATH,
        /** The wait without a path ran out: waiting I/O failed. */
        NO_PATH_TIMEOUT,
        /** A path is usable again after NO_PATH. */
        PATH_RESTORED,
        /** The device moved to another policy (a module loaded, unloaded, replaced or quarantined). */
        POLICY_CHANGED,
        /** A device policy module was loaded (or a new version replaced the old one). */
        MODULE_LOADED,
        /** A device policy module was unloaded. */
        MODULE_UNLOADED,
        /** A misbehaving device policy module was quarantined; the message says why. */
        MODULE_QUARANTINED,
        /** A module (or loading it) failed; the message says why. */
        MODULE_ERROR,
        /** A module switched a device deliberately to another path. */
        PATH_SWITCHED,
        /** The unit's capacity changed (CAPACITY DATA HAS CHANGED, READ CAPACITY read again). */
        DEVICE_RESIZED,
        /** No usable path was left: a standby target port group was made active (SET TARGET PORT GROUPS). */
        GROUP_ACTIVATED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
