package io.braid.policy.spi;

/**
 * Optional capability of a {@link PathPolicy}: error analysis. Turns what a command that did not
 * end GOOD reported — sense data, another status, a transport failure, a timeout — into what the
 * driver does next.
 */
public interface ErrorAnalysis {

    /**
     * Decides what to do with a failed command.
     *
     * <p><b>Thread.</b> The module's decision thread, while the session's event loop that
     * received the outcome waits at most the decision budget (then the built-in analysis decides
     * and the module is quarantined). Must not block. <b>Ownership.</b> {@code error} is the
     * module's (its sense bytes are a copy); the driver keeps and releases the outcome's buffers.
     *
     * @param io    the command
     * @param error how it ended
     * @param path  the path it went through (a snapshot)
     * @return the verdict; {@link Verdict#builtIn()} lets the built-in analysis decide
     */
    default Verdict analyze(IoRequest io, IoError error, PathInfo path) {
        return Verdict.builtIn();
    }
}
