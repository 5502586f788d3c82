package io.braid.host.discovery;

import java.util.List;

/**
 * Observes the paths and devices the discovery module knows. Called on the event loop thread of
 * the session the change concerns: return quickly and never block. An exception thrown here is
 * logged and ignored.
 */
public interface PathListener {
    /**
     * A path went from {@code from} to {@code to}: DISCONNECTED as soon as its session leaves
     * the full feature phase, CONNECTED once the session is logged in again and its LUNs were
     * probed. Called once per LUN path of the session.
     */
    default void pathStateChanged(Path path, PathState from, PathState to, String reason) {
    }

    /** A probe finished; {@code devices} is the complete new device list. */
    default void devicesChanged(List<Device> devices) {
    }
}
