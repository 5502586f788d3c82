package io.braid.host.iscsi;

import io.braid.iscsi.login.LoginStatus;

/**
 * A login that did not reach the full feature phase (RFC 7143 6.3, 11.13.5): refused by the
 * target with {@link #status()}, broken off by the initiator because the target broke a rule
 * (status TARGET_ERROR or AUTHENTICATION_FAILURE for a target that failed mutual CHAP), or not
 * completed in time (status null). The message never contains a secret.
 */
public final class LoginFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient LoginStatus status;

    public LoginFailedException(LoginStatus status, String message) {
        super(message);
        this.status = status;
    }

    /** The Login Response status, or null when the login failed for want of an answer. */
    public LoginStatus status() {
        return status;
    }

    /** Whether the target (or the initiator checking it) refused the credentials. */
    public boolean authenticationFailure() {
        return status == LoginStatus.AUTHENTICATION_FAILURE || status == LoginStatus.AUTHORIZATION_FAILURE;
    }
}
