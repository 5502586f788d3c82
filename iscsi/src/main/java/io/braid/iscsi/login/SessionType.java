package io.braid.iscsi.login;

/** Values of the SessionType key (RFC 7143 13.21). */
public enum SessionType {
    DISCOVERY("Discovery"),
    NORMAL("Normal");

    private final String wireName;

    SessionType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The session type for a key value, or null when the value is neither Discovery nor Normal. */
    public static SessionType of(String value) {
        for (SessionType t : values()) {
            if (t.wireName.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
