package io.braid.iscsi.login;

import java.util.Set;

/**
 * The engine's session table as login sees it (RFC 7143 4.4.3, 6.3.1): a Login Request with a
 * non-zero TSIH joins an existing session, and a successful login of a new session needs a
 * fresh TSIH. The engine owns the table and session reinstatement (same initiator, ISID and
 * target, TSIH 0); login only asks these two questions. Called on the connection's thread.
 */
public interface SessionDirectory {

    /**
     * What a login joining a session needs to know about it.
     *
     * @param tsih           the session's TSIH
     * @param initiatorName  InitiatorName of the session
     * @param isid           ISID of the session
     * @param targetName     TargetName of the session, null for a discovery session
     * @param sessionType    Normal or Discovery
     * @param connectionIds  CIDs of the session's live connections
     * @param parameters     the session's negotiated parameters (session-wide values are fixed)
     * @param expCmdSn       the session's current ExpCmdSN, for the Login Responses
     * @param maxCmdSn       the session's current MaxCmdSN, for the Login Responses
     */
    record SessionSnapshot(int tsih, String initiatorName, long isid, String targetName,
                           SessionType sessionType, Set<Integer> connectionIds,
                           NegotiatedParameters parameters, int expCmdSn, int maxCmdSn) {
        public SessionSnapshot {
            connectionIds = Set.copyOf(connectionIds);
        }
    }

    /** The live session with this TSIH, or null when there is none. */
    SessionSnapshot find(int tsih);

    /**
     * A TSIH (1..65535) for a new session, not used by any live session. Called once, when the
     * login of a new session succeeds; the engine registers the session under it.
     *
     * @throws IllegalStateException when every TSIH is in use (the login fails with 0x0302)
     */
    int allocateTsih();
}
