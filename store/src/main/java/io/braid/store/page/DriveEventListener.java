package io.braid.store.page;

/**
 * Receives drive state changes. Called on the store's event thread, one event at a time in the
 * order the changes happened, never on an I/O thread; an exception thrown here is logged and
 * ignored.
 */
@FunctionalInterface
public interface DriveEventListener {
    void driveStateChanged(DriveEvent event);
}
