package io.braid.host.pr;

import io.braid.host.discovery.PathId;
import io.braid.host.scsi.SenseData;

import java.io.IOException;

/**
 * A persistent reservation command that did not end GOOD, or could not be sent: which kind, on
 * which path, and the sense data when there is some.
 */
public final class PrException extends IOException {

    /** Why the command failed. */
    public enum Kind {
        /** Status RESERVATION CONFLICT (SPC-5: wrong key, not registered, another holder). */
        RESERVATION_CONFLICT,
        /** CHECK CONDITION with sense data (e.g. INVALID RELEASE OF PERSISTENT RESERVATION). */
        CHECK_CONDITION,
        /** Another status (BUSY, TASK SET FULL ...). */
        OTHER_STATUS,
        /** The command never got a status: connection lost, timeout. */
        TRANSPORT,
        /** No path could carry the command (none logged in). */
        NO_PATH,
        /** The request itself cannot be done (no key registered, nothing reserved). */
        INVALID_REQUEST;

        /** The lower-case name used in JSON error codes, e.g. {@code reservation_conflict}. */
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final transient PathId path;
    private final transient SenseData sense;

    public PrException(Kind kind, PathId path, SenseData sense, String message) {
        super(message);
        this.kind = kind;
        this.path = path;
        this.sense = sense;
    }

    public PrException(Kind kind, String message) {
        this(kind, null, null, message);
    }

    public Kind kind() {
        return kind;
    }

    /** The path the command went through, or null. */
    public PathId path() {
        return path;
    }

    /** The sense data of a CHECK CONDITION, or null. */
    public SenseData sense() {
        return sense;
    }
}
