package io.braid.host.multipath;

/**
 * Hears about devices coming and going and about path events. Called from I/O threads (session
 * event loops, the driver's timer thread): return quickly and never block. An exception thrown
 * here is logged and ignored.
 */
public interface MultipathListener {
    /** A device is ready for I/O (its limits are known). */
    default void deviceAdded(MultipathDevice device) {
    }

    /** Discovery no longer reports the device; its waiting I/O failed. */
    default void deviceRemoved(MultipathDevice device) {
    }

    default void event(MultipathEvent event) {
    }
}
