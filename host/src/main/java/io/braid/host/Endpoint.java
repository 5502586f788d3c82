package io.braid.host;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A target portal as configured: {@code 127.0.0.1:3260}, {@code [::1]:3260} or
 * {@code array.example:3260}; the port defaults to the iSCSI well-known port 3260.
 *
 * @param host host name or literal address, without brackets
 * @param port TCP port 1..65535
 */
public record Endpoint(String host, int port) {
    public static final int ISCSI_PORT = 3260;

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1..65535");
        }
    }

    /** Parses {@code HOST[:PORT]}, IPv6 in brackets. */
    public static Endpoint parse(String text) {
        IllegalArgumentException bad = new IllegalArgumentException(
                "\"" + text + "\" is not HOST[:PORT] (e.g. 127.0.0.1:3260 or [::1]:3260)");
        if (text == null || text.isBlank() || text.chars().anyMatch(Character::isWhitespace)) {
            throw bad;
        }
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 2) {
                throw bad;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw bad;
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw new IllegalArgumentException("\"" + text + "\": write IPv6 addresses in brackets, e.g. [::1]:3260");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw bad;
        }
        if (port == null) {
            return new Endpoint(host, ISCSI_PORT);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw bad;
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("\"" + text + "\": port " + value + " is out of range 1..65535");
        }
        return new Endpoint(host, value);
    }

    /** A resolved socket address (resolution may block on DNS for a host name). */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
