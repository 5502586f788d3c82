package io.braid.iscsi.login;

/**
 * A login that must end with a Login Reject carrying {@link #status()} (RFC 7143 6.3, 11.13.5).
 * On the initiator side the same type reports a target that failed authentication, after which
 * the initiator drops the connection (RFC 7143 12.1.3). Messages never contain a CHAP secret.
 */
public final class LoginException extends RuntimeException {
    private final LoginStatus status;

    public LoginException(LoginStatus status, String message) {
        super(message);
        if (status == null || status == LoginStatus.SUCCESS) {
            throw new IllegalArgumentException("a login failure needs a failure status, not " + status);
        }
        this.status = status;
    }

    public LoginStatus status() {
        return status;
    }

    @Override
    public String toString() {
        return "LoginException[" + status + ": " + getMessage() + "]";
    }
}
