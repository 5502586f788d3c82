package io.braid.iscsi.login;

/**
 * Login Response Status-Class and Status-Detail (RFC 7143 11.13.5). The wire value is
 * {@code statusClass << 8 | statusDetail}, e.g. 0x0201 for an authentication failure.
 */
public enum LoginStatus {
    SUCCESS(0x00, 0x00, "success"),
    TARGET_MOVED_TEMPORARILY(0x01, 0x01, "target moved temporarily"),
    TARGET_MOVED_PERMANENTLY(0x01, 0x02, "target moved permanently"),
    INITIATOR_ERROR(0x02, 0x00, "initiator error"),
    AUTHENTICATION_FAILURE(0x02, 0x01, "authentication failure"),
    AUTHORIZATION_FAILURE(0x02, 0x02, "authorization failure"),
    NOT_FOUND(0x02, 0x03, "not found"),
    TARGET_REMOVED(0x02, 0x04, "target removed"),
    UNSUPPORTED_VERSION(0x02, 0x05, "unsupported version"),
    TOO_MANY_CONNECTIONS(0x02, 0x06, "too many connections"),
    MISSING_PARAMETER(0x02, 0x07, "missing parameter"),
    CANT_INCLUDE_IN_SESSION(0x02, 0x08, "can't include in session"),
    SESSION_TYPE_NOT_SUPPORTED(0x02, 0x09, "session type not supported"),
    SESSION_DOES_NOT_EXIST(0x02, 0x0a, "session does not exist"),
    INVALID_DURING_LOGIN(0x02, 0x0b, "invalid during login"),
    TARGET_ERROR(0x03, 0x00, "target error"),
    SERVICE_UNAVAILABLE(0x03, 0x01, "service unavailable"),
    OUT_OF_RESOURCES(0x03, 0x02, "out of resources");

    private final int statusClass;
    private final int statusDetail;
    private final String description;

    LoginStatus(int statusClass, int statusDetail, String description) {
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
        this.description = description;
    }

    public int statusClass() {
        return statusClass;
    }

    public int statusDetail() {
        return statusDetail;
    }

    /** {@code class << 8 | detail}, the form the RFC and most tools print (0x0201). */
    public int code() {
        return statusClass << 8 | statusDetail;
    }

    public String description() {
        return description;
    }

    /** The status for a wire class/detail pair, or null when it is not defined. */
    public static LoginStatus of(int statusClass, int statusDetail) {
        for (LoginStatus s : values()) {
            if (s.statusClass == statusClass && s.statusDetail == statusDetail) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.format("0x%04x %s", code(), description);
    }
}
