package io.braid.iscsi.login;

/**
 * A text data segment that breaks the format of RFC 7143 6.1: the {@link #problem()} says which
 * rule, the message names the key (never a CHAP value) and the limit.
 */
public final class TextFormatException extends IllegalArgumentException {
    /** Which rule of RFC 7143 6.1 the text broke. */
    public enum Problem {
        /** The bytes are not valid UTF-8. */
        NOT_UTF8,
        /** A pair has no '='. */
        MISSING_EQUALS,
        /** A pair starts with '='. */
        EMPTY_KEY,
        /** A key is longer than 63 bytes. */
        KEY_TOO_LONG,
        /** A key has a character outside letters, digits, '.', '-', '+', '@', '_' (and '#' in X#). */
        BAD_KEY_CHARACTER,
        /** A value is longer than its key allows (255 bytes unless the RFC says otherwise). */
        VALUE_TOO_LONG,
        /** The same key twice in one text. */
        DUPLICATE_KEY,
        /** The last pair is not followed by a NUL. */
        MISSING_TERMINATOR,
        /** The whole text (possibly over several PDUs) is larger than the negotiation bound. */
        TEXT_TOO_LONG
    }

    private final Problem problem;
    private final String key;

    public TextFormatException(Problem problem, String key, String message) {
        super(message);
        this.problem = problem;
        this.key = key;
    }

    public Problem problem() {
        return problem;
    }

    /** The key concerned (made printable), or null when the problem is not about one key. */
    public String key() {
        return key;
    }
}
