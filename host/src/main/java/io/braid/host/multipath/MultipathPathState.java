package io.braid.host.multipath;

import java.util.EnumSet;
import java.util.Set;

/** The driver's view of one path: used for I/O, or failed until the path checker reinstates it. */
public enum MultipathPathState {
    /** I/O may be sent through the path. */
    ACTIVE,
    /** Failed by an error or a lost session; the checker probes it with TEST UNIT READY. */
    FAILED,
    /** Discovery no longer reports the path; final. */
    REMOVED;

    private Set<MultipathPathState> next() {
        return switch (this) {
            case ACTIVE -> EnumSet.of(FAILED, REMOVED);
            case FAILED -> EnumSet.of(ACTIVE, REMOVED);
            case REMOVED -> EnumSet.noneOf(MultipathPathState.class);
        };
    }

    /** Whether a path may go from this state to {@code to}. */
    public boolean canMoveTo(MultipathPathState to) {
        return next().contains(to);
    }

    /** The lower-case name used in listings and JSON. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
