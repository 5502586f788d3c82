package io.braid.host.iscsi;

import io.braid.iscsi.login.InitiatorNegotiator;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings shared by every session of an {@link IscsiInitiator}. Every value is checked here, so
 * a config that exists is one the initiator can run with.
 *
 * @param initiatorName         InitiatorName (RFC 7143 4.2.7), e.g. {@code iqn.2026-11.io.braid:host1}
 * @param initiatorAlias        InitiatorAlias, or null
 * @param negotiation           operational parameters offered at login (RFC 7143 13)
 * @param loginTimeout          connect plus login; an attempt that takes longer is dropped
 * @param pingInterval          NOP-Out ping after this long without any PDU from the target;
 *                              zero disables pings
 * @param pingTimeout           how long a ping may stay unanswered before the path counts as
 *                              silent and the connection is dropped
 * @param commandTimeout        default time a command may take before it is aborted
 * @param taskManagementTimeout how long a task management request may stay unanswered before the
 *                              connection is dropped
 * @param logoutTimeout         on close: how long outstanding commands may finish, and then how
 *                              long the Logout Response may take
 * @param reconnect             delays between reconnection attempts
 * @param maxQueuedCommands     commands a session holds (sent plus waiting for the CmdSN window);
 *                              more fail with {@link FailureKind#QUEUE_FULL}
 * @param ioThreads             event loop threads shared by all sessions; 0 for Netty's default
 */
public record InitiatorConfig(String initiatorName, String initiatorAlias,
                              InitiatorNegotiator.Preferences negotiation, Duration loginTimeout,
                              Duration pingInterval, Duration pingTimeout, Duration commandTimeout,
                              Duration taskManagementTimeout, Duration logoutTimeout, Backoff reconnect,
                              int maxQueuedCommands, int ioThreads) {

    public static final Duration DEFAULT_LOGIN_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TASK_MANAGEMENT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LOGOUT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_QUEUED_COMMANDS = 1024;

    // RFC 7143 4.2.7: iqn., eui. (EUI-64) and naa. (64 or 128 bit) names; at most 223 bytes.
    private static final Pattern ISCSI_NAME = Pattern.compile(
            "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*(?::[^\\s]*)?"
                    + "|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16}(?:[0-9A-Fa-f]{16})?");

    public InitiatorConfig {
        checkIscsiName(initiatorName);
        if (initiatorAlias != null && (initiatorAlias.length() > 255
                || initiatorAlias.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("initiator alias must be at most 255 printable characters");
        }
        Objects.requireNonNull(negotiation, "negotiation");
        Objects.requireNonNull(reconnect, "reconnect");
        positive("login timeout", loginTimeout);
        if (pingInterval == null || pingInterval.isNegative()) {
            throw new IllegalArgumentException("ping interval must be zero (off) or positive, not " + pingInterval);
        }
        positive("ping timeout", pingTimeout);
        positive("command timeout", commandTimeout);
        positive("task management timeout", taskManagementTimeout);
        positive("logout timeout", logoutTimeout);
        if (maxQueuedCommands < 1 || maxQueuedCommands > 65536) {
            throw new IllegalArgumentException("max queued commands " + maxQueuedCommands + " is out of range 1..65536");
        }
        if (ioThreads < 0 || ioThreads > 256) {
            throw new IllegalArgumentException("I/O threads " + ioThreads + " is out of range 0..256");
        }
    }

    /** Defaults: 1 s / 1 s pings, 30 s commands, 10 s login, reconnect 250 ms doubling to 10 s. */
    public static InitiatorConfig defaults(String initiatorName) {
        return new InitiatorConfig(initiatorName, null, InitiatorNegotiator.Preferences.defaults(),
                DEFAULT_LOGIN_TIMEOUT, DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT, DEFAULT_COMMAND_TIMEOUT,
                DEFAULT_TASK_MANAGEMENT_TIMEOUT, DEFAULT_LOGOUT_TIMEOUT, Backoff.DEFAULT,
                DEFAULT_MAX_QUEUED_COMMANDS, 0);
    }

    public InitiatorConfig withNegotiation(InitiatorNegotiator.Preferences p) {
        return new InitiatorConfig(initiatorName, initiatorAlias, p, loginTimeout, pingInterval, pingTimeout,
                commandTimeout, taskManagementTimeout, logoutTimeout, reconnect, maxQueuedCommands, ioThreads);
    }

    public InitiatorConfig withPing(Duration interval, Duration timeout) {
        return new InitiatorConfig(initiatorName, initiatorAlias, negotiation, loginTimeout, interval, timeout,
                commandTimeout, taskManagementTimeout, logoutTimeout, reconnect, maxQueuedCommands, ioThreads);
    }

    public InitiatorConfig withCommandTimeout(Duration t) {
        return new InitiatorConfig(initiatorName, initiatorAlias, negotiation, loginTimeout, pingInterval,
                pingTimeout, t, taskManagementTimeout, logoutTimeout, reconnect, maxQueuedCommands, ioThreads);
    }

    public InitiatorConfig withReconnect(Backoff b) {
        return new InitiatorConfig(initiatorName, initiatorAlias, negotiation, loginTimeout, pingInterval,
                pingTimeout, commandTimeout, taskManagementTimeout, logoutTimeout, b, maxQueuedCommands, ioThreads);
    }

    public InitiatorConfig withLoginTimeout(Duration t) {
        return new InitiatorConfig(initiatorName, initiatorAlias, negotiation, t, pingInterval,
                pingTimeout, commandTimeout, taskManagementTimeout, logoutTimeout, reconnect, maxQueuedCommands,
                ioThreads);
    }

    public InitiatorConfig withMaxQueuedCommands(int n) {
        return new InitiatorConfig(initiatorName, initiatorAlias, negotiation, loginTimeout, pingInterval,
                pingTimeout, commandTimeout, taskManagementTimeout, logoutTimeout, reconnect, n, ioThreads);
    }

    /**
     * How long a path with commands outstanding may stay quiet (no PDU from the target) before it
     * is pinged: a quarter of the shorter of ping interval and ping timeout, at least 50 ms. A
     * busy path that goes silent is then dropped after this plus {@link #pingTimeout()}, well
     * within interval + timeout; an idle path is pinged after the full interval. Zero when pings
     * are off.
     */
    public Duration busyPingDelay() {
        if (pingInterval.isZero()) {
            return Duration.ZERO;
        }
        Duration shorter = pingInterval.compareTo(pingTimeout) < 0 ? pingInterval : pingTimeout;
        Duration quarter = shorter.dividedBy(4);
        Duration floor = Duration.ofMillis(50);
        Duration d = quarter.compareTo(floor) < 0 ? floor : quarter;
        return d.compareTo(pingInterval) > 0 ? pingInterval : d;
    }

    /** @throws IllegalArgumentException unless {@code name} is an iSCSI name (RFC 7143 4.2.7) */
    public static void checkIscsiName(String name) {
        if (name == null || name.length() > 223 || !ISCSI_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is not an iSCSI name"
                    + " (e.g. iqn.2004-10.com.example:host1, eui.02004567A425678D)");
        }
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, not " + d);
        }
    }
}
