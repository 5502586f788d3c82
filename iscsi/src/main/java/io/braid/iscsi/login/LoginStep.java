package io.braid.iscsi.login;

import io.braid.iscsi.pdu.LoginResponse;

/**
 * What {@link TargetLogin#onRequest} decided for one Login Request: always a response to send,
 * and whether the login goes on, completed, or failed (after a failure the target sends the
 * response and closes the connection, RFC 7143 6.3). The response's data buffer belongs to the
 * caller, who sends (and so releases) it.
 */
public sealed interface LoginStep {
    LoginResponse response();

    /** More Login Requests are expected. */
    record Continue(LoginResponse response) implements LoginStep {
    }

    /** The final Login Response; the connection enters the full feature phase after sending it. */
    record Complete(LoginResponse response, LoginResult result) implements LoginStep {
    }

    /**
     * A Login Reject carrying {@code status}; {@code reason} says why, for the log (it never
     * contains a secret).
     */
    record Failed(LoginResponse response, LoginStatus status, String reason) implements LoginStep {
    }
}
