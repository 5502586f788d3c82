package io.braid.host.iscsi;

/**
 * Observes one {@link IscsiSession}. Called on the session's event loop thread, in order:
 * implementations must return quickly and never block (hand long work to an executor). An
 * exception thrown here is logged and ignored.
 */
public interface SessionListener {
    /**
     * The session moved between states; {@code reason} says why ("logged in", "ping timeout:
     * ...", "connection reset", ...).
     */
    default void stateChanged(IscsiSession session, SessionState from, SessionState to, String reason) {
    }

    /** The target sent an Asynchronous Message; the session has already acted on events 1-3. */
    default void asyncEvent(IscsiSession session, AsyncEvent event) {
    }
}
