package io.braid.node;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A listening address as written in configuration: {@code 127.0.0.1:3260}, {@code [::1]:3260}
 * (RFC 3986 3.2.2 brackets for IPv6), or {@code host.example:3260}. Port 0 asks for any free port.
 *
 * @param host host name or literal address, without brackets
 * @param port TCP port, 0..65535
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
        }
    }

    /**
     * Parses {@code HOST:PORT}; with {@code defaultPort >= 0} the port may be left out.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static HostPort parse(String text, int defaultPort) {
        String form = defaultPort >= 0 ? "HOST[:PORT]" : "HOST:PORT";
        IllegalArgumentException bad = new IllegalArgumentException(
                "\"" + text + "\" is not " + form + " (e.g. 127.0.0.1:3260 or [::1]:3260)");
        if (text == null || text.isBlank() || text.chars().anyMatch(Character::isWhitespace)) {
            throw bad;
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 2) {
                throw bad;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                port = null;
            } else if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else {
                throw bad;
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                host = text;
                port = null;
            } else if (text.indexOf(':') != colon) {
                // An IPv6 literal without brackets cannot be told apart from its port.
                throw new IllegalArgumentException("\"" + text
                        + "\": write IPv6 addresses in brackets, e.g. [::1]:3260");
            } else {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
        }
        if (host.isEmpty()) {
            throw bad;
        }
        if (port == null) {
            if (defaultPort < 0) {
                throw bad;
            }
            return new HostPort(host, defaultPort);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw bad;
        }
        int value = Integer.parseInt(port);
        if (value > 65535) {
            throw new IllegalArgumentException(
                    "\"" + text + "\": port " + value + " is out of range 0..65535");
        }
        return new HostPort(host, value);
    }

    /** Whether this is a wildcard address that listens on every interface. */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host.equals("*") ? "0.0.0.0" : host, port);
    }

    /** The same address with another port (the real one after binding port 0). */
    public HostPort withPort(int newPort) {
        return new HostPort(host, newPort);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
