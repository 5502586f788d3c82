package io.braid.host.iscsi;

/**
 * Why a command ended without a SCSI status (see {@link ScsiOutcome.TransportFailure}). The
 * multipath driver treats every kind but {@link #REJECTED} as a failure of the path, not of the
 * logical unit.
 */
public enum FailureKind {
    /**
     * Submitted while the session was not in the full feature phase (connecting, recovering,
     * logging out). Never sent.
     */
    NOT_LOGGED_IN,
    /** More commands were queued on the session than it accepts. Never sent. */
    QUEUE_FULL,
    /**
     * The connection closed, was reset, or was dropped because the target broke the protocol or
     * did not answer task management. The command may or may not have executed.
     */
    CONNECTION_LOST,
    /**
     * The path went silent: the NOP-Out ping was not answered within the ping timeout and the
     * connection was dropped. The command may or may not have executed.
     */
    PING_TIMEOUT,
    /**
     * No status within the command timeout. Reported once the target confirmed the abort (ABORT
     * TASK, or a LUN reset when that failed) or, when it could not be confirmed, once the
     * connection was dropped.
     */
    COMMAND_TIMEOUT,
    /**
     * Ended by a task management function of this session (a LUN reset after another command's
     * timeout, or {@link IscsiSession#taskManagement}); the target confirmed it will not run.
     */
    ABORTED,
    /** The target's iSCSI layer answered with response 01h, target failure (RFC 7143 11.4.3). */
    TARGET_FAILURE,
    /**
     * The target rejected the command PDU (Reject, RFC 7143 11.17), e.g. command not supported
     * or a protocol error in its Data-Out; the target will not execute it.
     */
    REJECTED,
    /** The session was closed by its owner before the command completed. */
    SESSION_CLOSED
}
