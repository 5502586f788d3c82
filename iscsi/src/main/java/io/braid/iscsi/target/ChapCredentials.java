package io.braid.iscsi.target;

/**
 * A CHAP user name and secret (RFC 7143 12.1.3). The secret is never logged: {@link #toString()}
 * masks it.
 */
public record ChapCredentials(String user, String secret) {
    public ChapCredentials {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("CHAP user must not be empty");
        }
        if (secret == null || secret.length() < 1) {
            throw new IllegalArgumentException("CHAP secret must not be empty");
        }
    }

    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + ", secret=****]";
    }
}
