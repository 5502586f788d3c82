package io.braid.node;

/**
 * A configuration the node cannot run with. The message is one line that names the source and
 * the field, e.g. {@code node.yaml: volumes[1].size: "12X" is not a size (use e.g. 512M, 1G)}.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
