package io.braid.store.page;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Life cycle of one drive of a page store (docs/storage.md "Drive states and failure"). */
public enum DriveState {
    /** In service: read and written. */
    ONLINE,
    /** Out of service after an I/O error or {@code fail}: never read or written again until replaced. */
    FAILED,
    /** A replacement being filled from the mirror copies: written, never read, until the rebuild ends. */
    REBUILDING;

    private static final Map<DriveState, Set<DriveState>> ALLOWED = Map.of(
            ONLINE, EnumSet.of(FAILED),
            FAILED, EnumSet.of(REBUILDING),
            REBUILDING, EnumSet.of(ONLINE, FAILED));

    /** Whether the table of transitions allows {@code this -> next}. */
    public boolean canMoveTo(DriveState next) {
        return ALLOWED.get(this).contains(next);
    }

    /** Whether reads may be served from copies on a drive in this state. */
    public boolean readable() {
        return this == ONLINE;
    }

    /** Whether writes go to copies on a drive in this state. */
    public boolean writable() {
        return this != FAILED;
    }
}
