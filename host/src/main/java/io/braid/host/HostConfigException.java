package io.braid.host;

/**
 * A host configuration the agent cannot run with. The message is one line that names the source
 * and the field, e.g. {@code host.yaml: ping.interval: "fast" is not a duration (use e.g. 500ms, 1s, 2m)}.
 */
public final class HostConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public HostConfigException(String message) {
        super(message);
    }

    public HostConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
