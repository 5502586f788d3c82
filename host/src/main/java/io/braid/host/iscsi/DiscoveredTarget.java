package io.braid.host.iscsi;

import io.braid.iscsi.login.KeyValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One target of a SendTargets answer (RFC 7143 Appendix C): its name and the portals it can be
 * reached through.
 *
 * @param name    TargetName
 * @param portals TargetAddress values, in order
 */
public record DiscoveredTarget(String name, List<TargetPortal> portals) {
    public DiscoveredTarget {
        portals = List.copyOf(portals);
    }

    /**
     * One TargetAddress: {@code domainname[:port][,portal-group-tag]} (RFC 7143 13.8), with IPv6
     * literals in brackets.
     *
     * @param host the address or host name, without brackets
     * @param port TCP port (3260 when left out)
     * @param tpgt the portal group tag, or -1 when left out
     */
    public record TargetPortal(String host, int port, int tpgt) {
        /** The iSCSI well-known port (RFC 7143 13.8). */
        public static final int DEFAULT_PORT = 3260;

        /** Parses a TargetAddress value. */
        public static TargetPortal parse(String value) {
            String address = value;
            int tpgt = -1;
            int comma = value.lastIndexOf(',');
            if (comma >= 0) {
                String tag = value.substring(comma + 1);
                tpgt = parseNumber(tag, 0xFFFF, "portal group tag in TargetAddress=" + value);
                address = value.substring(0, comma);
            }
            String host;
            int port = DEFAULT_PORT;
            if (address.startsWith("[")) {
                int close = address.indexOf(']');
                if (close < 2) {
                    throw new IllegalArgumentException("TargetAddress=" + value + " has an unterminated IPv6 literal");
                }
                host = address.substring(1, close);
                String rest = address.substring(close + 1);
                if (rest.startsWith(":")) {
                    port = parseNumber(rest.substring(1), 65535, "port in TargetAddress=" + value);
                } else if (!rest.isEmpty()) {
                    throw new IllegalArgumentException("TargetAddress=" + value + " has text after the IPv6 literal");
                }
            } else {
                int colon = address.lastIndexOf(':');
                if (colon >= 0 && address.indexOf(':') == colon) {
                    host = address.substring(0, colon);
                    port = parseNumber(address.substring(colon + 1), 65535, "port in TargetAddress=" + value);
                } else {
                    host = address;
                }
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("TargetAddress=" + value + " has no host");
            }
            return new TargetPortal(host, port, tpgt);
        }

        private static int parseNumber(String s, int max, String what) {
            if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(what + " is not a number");
            }
            int n = Integer.parseInt(s);
            if (n > max) {
                throw new IllegalArgumentException(what + " is above " + max);
            }
            return n;
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + (tpgt >= 0 ? "," + tpgt : "");
        }
    }

    /**
     * Reads a SendTargets answer: each TargetName starts a target, each TargetAddress after it
     * belongs to that target. A malformed TargetAddress is skipped, not fatal: the other
     * portals still work.
     *
     * @throws IllegalArgumentException for a TargetAddress before any TargetName
     */
    public static List<DiscoveredTarget> parseSendTargets(List<KeyValue> pairs) {
        Map<String, List<TargetPortal>> targets = new LinkedHashMap<>();
        List<TargetPortal> current = null;
        for (KeyValue kv : pairs) {
            switch (kv.key()) {
                case "TargetName" -> current = targets.computeIfAbsent(kv.value(), k -> new ArrayList<>());
                case "TargetAddress" -> {
                    if (current == null) {
                        throw new IllegalArgumentException("TargetAddress=" + kv.value() + " before any TargetName");
                    }
                    try {
                        TargetPortal p = TargetPortal.parse(kv.value());
                        if (!current.contains(p)) {
                            current.add(p);
                        }
                    } catch (IllegalArgumentException e) {
                        org.slf4j.LoggerFactory.getLogger(DiscoveredTarget.class).warn("SendTargets: {}", e.getMessage());
                    }
                }
                default -> {
                    // TargetAlias and extension keys carry nothing discovery needs.
                }
            }
        }
        List<DiscoveredTarget> out = new ArrayList<>();
        targets.forEach((name, portals) -> out.add(new DiscoveredTarget(name, portals)));
        return out;
    }
}
