package io.braid.policy.spi;

import java.util.List;

/**
 * What the driver lets a module do to one of its devices on its own initiative; given to
 * {@link PolicyModule#newPolicy}. Every method is thread-safe, returns at once, and may be
 * called from any thread, the module's own threads included.
 */
public interface DeviceControl {

    /** The device's id (VPD 83h designator). */
    String deviceId();

    /** The device's usable paths now, in its order (a snapshot). */
    List<PathInfo> paths();

    /**
     * Switches the device deliberately to {@code to}: every command goes through it, without
     * asking {@link PathPolicy#select}, for as long as it is usable and in the best access state
     * group (afterwards selection resumes). Commands in flight elsewhere finish where they are.
     * An event records the switch.
     *
     * @return false when {@code to} is not a usable path of the device
     */
    boolean switchPath(PathRef to, String reason);

    /** Ends a {@link #switchPath switch}: selection decides again. */
    void clearSwitch();
}
