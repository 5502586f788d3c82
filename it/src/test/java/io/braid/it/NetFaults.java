package io.braid.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network faults made by the kernel for failover tests, on loopback addresses only: a path's TCP
 * connections reset with {@code ss -K} (the socket is destroyed and a RST sent, as when a switch
 * port or a host restarts), and a silent path with an nftables rule that drops its packets both
 * ways (as when a cable is cut: nothing arrives and nothing says so). Both need root
 * (CAP_NET_ADMIN); elsewhere the test is skipped, and in CI it fails.
 */
final class NetFaults {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private NetFaults() {
    }

    /** Skips the test unless this is root with {@code ss} and {@code nft}; in CI fails instead. */
    static void require() {
        Tools.require("ss");
        Tools.require("nft");
        String uid = Tools.ok(TIMEOUT, "id", "-u").stdout().strip();
        if (!uid.equals("0")) {
            String message = "network fault injection needs root (ss -K, nft); running as uid " + uid;
            if (Tools.ci()) {
                Assertions.fail(message + " [CI=true: the failover tests must run]");
            }
            Assumptions.abort(message);
        }
    }

    /**
     * Resets every TCP connection from {@code hostPort} (any local port) to {@code portal}:
     * {@code ss -K}. Returns how many sockets were destroyed.
     */
    static int reset(String hostPort, String portalHost, int portalPort) {
        ToolResult r = Tools.ok(TIMEOUT, "ss", "-K", "-tnH", "src", hostPort, "dst", portalHost,
                "dport", "=", String.valueOf(portalPort));
        return (int) r.stdout().lines().filter(l -> !l.isBlank()).count();
    }

    /** Resets every TCP connection to {@code portal}, from any host port. */
    static int resetAll(String portalHost, int portalPort) {
        ToolResult r = Tools.ok(TIMEOUT, "ss", "-K", "-tnH", "dst", portalHost, "dport", "=",
                String.valueOf(portalPort));
        return (int) r.stdout().lines().filter(l -> !l.isBlank()).count();
    }

    /** Open TCP connections from {@code hostPort} to {@code portal}. */
    static int connections(String hostPort, String portalHost, int portalPort) {
        ToolResult r = Tools.ok(TIMEOUT, "ss", "-tnH", "state", "established", "src", hostPort,
                "dst", portalHost, "dport", "=", String.valueOf(portalPort));
        return (int) r.stdout().lines().filter(l -> !l.isBlank()).count();
    }

    /**
     * Makes the path from {@code hostPort} to {@code portal} silent until {@link Silence#close()}:
     * every packet between the two, either way, is dropped by an nftables table of its own.
     */
    static Silence silence(String hostPort, String portalHost, int portalPort) {
        String table = "braid_it_" + ProcessHandle.current().pid() + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
        List<String> script = new ArrayList<>();
        script.add("add table ip " + table);
        script.add("add chain ip " + table + " in { type filter hook input priority -10 ; }");
        script.add("add rule ip " + table + " in ip saddr " + hostPort + " ip daddr " + portalHost
                + " tcp dport " + portalPort + " drop");
        script.add("add rule ip " + table + " in ip saddr " + portalHost + " ip daddr " + hostPort
                + " tcp sport " + portalPort + " drop");
        Tools.ok(TIMEOUT, "nft", String.join("; ", script));
        return new Silence(table);
    }

    /** An nftables table dropping one path's packets; closing it lets them through again. */
    static final class Silence implements AutoCloseable {
        private final String table;
        private boolean closed;

        private Silence(String table) {
            this.table = table;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                Tools.ok(TIMEOUT, "nft", "delete table ip " + table);
            }
        }
    }
}
