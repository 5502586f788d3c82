package io.braid.host.iscsi;

import io.braid.iscsi.target.ChapCredentials;

/**
 * How the initiator authenticates at login (RFC 7143 12.1.3): no authentication, one-way CHAP
 * (the initiator proves {@code initiator} to the target) or mutual CHAP (the target must then
 * prove {@code target} back). Secrets are never logged ({@link ChapCredentials#toString()}).
 *
 * @param initiator the initiator's CHAP user name and secret, or null for no authentication
 * @param target    the user name and secret the target must prove (mutual CHAP), or null
 */
public record Authentication(ChapCredentials initiator, ChapCredentials target) {
    /** No authentication: AuthMethod=None. */
    public static final Authentication NONE = new Authentication(null, null);

    public Authentication {
        if (target != null && initiator == null) {
            throw new IllegalArgumentException("mutual CHAP needs the initiator's CHAP credentials too");
        }
        if (target != null && target.secret().equals(initiator.secret())) {
            // RFC 7143 9.2.1: the secrets of the two directions must differ.
            throw new IllegalArgumentException("the target's CHAP secret must differ from the initiator's");
        }
    }

    /** One-way CHAP. */
    public static Authentication chap(String user, String secret) {
        return new Authentication(new ChapCredentials(user, secret), null);
    }

    /** Mutual CHAP. */
    public static Authentication mutualChap(String user, String secret, String targetUser, String targetSecret) {
        return new Authentication(new ChapCredentials(user, secret), new ChapCredentials(targetUser, targetSecret));
    }

    public boolean usesChap() {
        return initiator != null;
    }

    public boolean mutual() {
        return target != null;
    }
}
