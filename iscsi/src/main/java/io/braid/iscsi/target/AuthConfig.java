package io.braid.iscsi.target;

import java.util.Map;

/**
 * Who may log in and how (RFC 7143 12.1.3).
 *
 * @param nodeChap       credentials every initiator must present (one-way CHAP), or null for
 *                       no authentication unless {@code perInitiator} names the initiator
 * @param mutualChap     the target's own credentials, sent back when the initiator asks for
 *                       mutual CHAP; null to refuse mutual CHAP
 * @param perInitiator   credentials for a given initiator IQN, overriding {@code nodeChap}
 */
public record AuthConfig(ChapCredentials nodeChap, ChapCredentials mutualChap,
                         Map<String, ChapCredentials> perInitiator) {
    public static final AuthConfig NONE = new AuthConfig(null, null, Map.of());

    public AuthConfig {
        perInitiator = perInitiator == null ? Map.of() : Map.copyOf(perInitiator);
    }

    /** The credentials initiator {@code iqn} must present, or null when none are required. */
    public ChapCredentials required(String iqn) {
        ChapCredentials c = perInitiator.get(iqn);
        return c != null ? c : nodeChap;
    }
}
