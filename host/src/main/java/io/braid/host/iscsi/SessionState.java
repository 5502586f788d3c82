package io.braid.host.iscsi;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Life cycle of an initiator session with ErrorRecoveryLevel 0 and one connection (RFC 7143
 * 7.1.3 initiator connection states, 7.3 session states, simplified): connect, log in, full
 * feature phase, log out; a lost connection takes the session to RECOVERY, from which it
 * reconnects with backoff (session reinstatement, RFC 7143 6.3.5). CLOSED is final.
 */
public enum SessionState {
    NEW,
    /** The TCP connection is being opened from the host port to the portal. */
    CONNECTING,
    LOGGING_IN,
    /** Full feature phase: commands are accepted. */
    LOGGED_IN,
    /** A logout is under way (on close, or because the target asked); no new commands. */
    LOGGING_OUT,
    /** The connection is gone; the next attempt waits for the backoff delay. */
    RECOVERY,
    CLOSED;

    private static final Map<SessionState, Set<SessionState>> NEXT = Map.of(
            NEW, EnumSet.of(CONNECTING, CLOSED),
            CONNECTING, EnumSet.of(LOGGING_IN, RECOVERY, CLOSED),
            LOGGING_IN, EnumSet.of(LOGGED_IN, RECOVERY, CLOSED),
            LOGGED_IN, EnumSet.of(LOGGING_OUT, RECOVERY, CLOSED),
            LOGGING_OUT, EnumSet.of(RECOVERY, CLOSED),
            RECOVERY, EnumSet.of(CONNECTING, CLOSED),
            CLOSED, EnumSet.noneOf(SessionState.class));

    public boolean canMoveTo(SessionState next) {
        return NEXT.get(this).contains(next);
    }
}
