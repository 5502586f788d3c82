package io.braid.host;

import io.braid.host.iscsi.Authentication;
import io.braid.host.iscsi.Backoff;
import io.braid.host.iscsi.InitiatorConfig;
import io.braid.iscsi.login.InitiatorNegotiator;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the host agent needs: read from {@code host.yaml} by {@link HostConfigLoader} or
 * built in code. Every field is validated here (see docs/host.md for the file format).
 *
 * @param initiatorName          InitiatorName of the host (RFC 7143 4.2.7)
 * @param initiatorAlias         InitiatorAlias, or null
 * @param hostPorts              local addresses sessions are opened from, at least one; each host
 *                               port × each storage port is one path
 * @param portals                target portals asked for SendTargets, at least one
 * @param followDiscoveredPortals log in through every portal SendTargets reports (true), or only
 *                               through the configured portals (false)
 * @param targets                target names to log in to; empty for every target discovered
 * @param auth                   CHAP for normal sessions
 * @param discoveryAuth          CHAP for discovery sessions
 * @param pingInterval           NOP-Out ping after this long without a PDU (0 disables)
 * @param pingTimeout            unanswered ping before the path counts as silent
 * @param commandTimeout         default command timeout
 * @param loginTimeout           connect plus login
 * @param taskManagementTimeout  task management requests
 * @param logoutTimeout          on shutdown, per step of the logout
 * @param reconnect              backoff between reconnection attempts
 * @param rescanInterval         how often discovery runs again (0 disables)
 * @param maxQueuedCommands      commands one session holds at most
 * @param negotiation            operational parameters offered at login
 * @param ioThreads              event loop threads of the agent (its NBD connections and its
 *                               sessions); 0 for the default, one thread
 */
public record HostConfig(String initiatorName, String initiatorAlias, List<InetAddress> hostPorts,
                         List<Endpoint> portals, boolean followDiscoveredPortals, List<String> targets,
                         Authentication auth, Authentication discoveryAuth, Duration pingInterval,
                         Duration pingTimeout, Duration commandTimeout, Duration loginTimeout,
                         Duration taskManagementTimeout, Duration logoutTimeout, Backoff reconnect,
                         Duration rescanInterval, int maxQueuedCommands,
                         InitiatorNegotiator.Preferences negotiation, int ioThreads) {

    /** Default rescan: new LUNs and portals show up within half a minute. */
    public static final Duration DEFAULT_RESCAN_INTERVAL = Duration.ofSeconds(30);

    public HostConfig {
        hostPorts = List.copyOf(hostPorts);
        portals = List.copyOf(portals);
        targets = List.copyOf(targets);
        auth = auth == null ? Authentication.NONE : auth;
        discoveryAuth = discoveryAuth == null ? Authentication.NONE : discoveryAuth;
        Objects.requireNonNull(rescanInterval, "rescanInterval");
        if (hostPorts.isEmpty()) {
            throw new IllegalArgumentException("at least one host port is required");
        }
        if (new HashSet<>(hostPorts).size() != hostPorts.size()) {
            throw new IllegalArgumentException("a host port is listed twice");
        }
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is required");
        }
        if (new HashSet<>(portals).size() != portals.size()) {
            throw new IllegalArgumentException("a portal is listed twice");
        }
        Set<String> seen = new HashSet<>();
        for (String t : targets) {
            InitiatorConfig.checkIscsiName(t);
            if (!seen.add(t)) {
                throw new IllegalArgumentException("target " + t + " is listed twice");
            }
        }
        if (rescanInterval.isNegative()) {
            throw new IllegalArgumentException("rescan interval must be zero (off) or positive");
        }
        // The initiator's own checks cover the name, the timers and the limits.
        initiatorConfig(initiatorName, initiatorAlias, pingInterval, pingTimeout, commandTimeout, loginTimeout,
                taskManagementTimeout, logoutTimeout, reconnect, maxQueuedCommands, negotiation, ioThreads);
    }

    /** The settings with the default I/O threads. */
    public HostConfig(String initiatorName, String initiatorAlias, List<InetAddress> hostPorts, List<Endpoint> portals,
                      boolean followDiscoveredPortals, List<String> targets, Authentication auth,
                      Authentication discoveryAuth, Duration pingInterval, Duration pingTimeout, Duration commandTimeout,
                      Duration loginTimeout, Duration taskManagementTimeout, Duration logoutTimeout, Backoff reconnect,
                      Duration rescanInterval, int maxQueuedCommands, InitiatorNegotiator.Preferences negotiation) {
        this(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, auth, discoveryAuth,
                pingInterval, pingTimeout, commandTimeout, loginTimeout, taskManagementTimeout, logoutTimeout,
                reconnect, rescanInterval, maxQueuedCommands, negotiation, 0);
    }

    /** A config with every default: pings 1 s / 1 s, commands 30 s, login 10 s, rescan 30 s. */
    public static HostConfig of(String initiatorName, List<InetAddress> hostPorts, List<Endpoint> portals) {
        return new HostConfig(initiatorName, null, hostPorts, portals, true, List.of(), Authentication.NONE,
                Authentication.NONE, InitiatorConfig.DEFAULT_PING_INTERVAL, InitiatorConfig.DEFAULT_PING_TIMEOUT,
                InitiatorConfig.DEFAULT_COMMAND_TIMEOUT, InitiatorConfig.DEFAULT_LOGIN_TIMEOUT,
                InitiatorConfig.DEFAULT_TASK_MANAGEMENT_TIMEOUT, InitiatorConfig.DEFAULT_LOGOUT_TIMEOUT,
                Backoff.DEFAULT, DEFAULT_RESCAN_INTERVAL, InitiatorConfig.DEFAULT_MAX_QUEUED_COMMANDS,
                InitiatorNegotiator.Preferences.defaults(), 0);
    }

    /** The initiator settings these host settings imply. */
    public InitiatorConfig initiatorConfig() {
        return initiatorConfig(initiatorName, initiatorAlias, pingInterval, pingTimeout, commandTimeout, loginTimeout,
                taskManagementTimeout, logoutTimeout, reconnect, maxQueuedCommands, negotiation, ioThreads);
    }

    private static InitiatorConfig initiatorConfig(String name, String alias, Duration pingInterval,
                                                   Duration pingTimeout, Duration commandTimeout,
                                                   Duration loginTimeout, Duration tmfTimeout, Duration logoutTimeout,
                                                   Backoff reconnect, int maxQueued,
                                                   InitiatorNegotiator.Preferences negotiation, int ioThreads) {
        return new InitiatorConfig(name, alias, negotiation, loginTimeout, pingInterval, pingTimeout, commandTimeout,
                tmfTimeout, logoutTimeout, reconnect, maxQueued, ioThreads);
    }

    public HostConfig withAuth(Authentication a) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, a,
                discoveryAuth, pingInterval, pingTimeout, commandTimeout, loginTimeout, taskManagementTimeout,
                logoutTimeout, reconnect, rescanInterval, maxQueuedCommands, negotiation, ioThreads);
    }

    public HostConfig withPing(Duration interval, Duration timeout) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, auth,
                discoveryAuth, interval, timeout, commandTimeout, loginTimeout, taskManagementTimeout,
                logoutTimeout, reconnect, rescanInterval, maxQueuedCommands, negotiation, ioThreads);
    }

    public HostConfig withFollowDiscoveredPortals(boolean follow) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, follow, targets, auth,
                discoveryAuth, pingInterval, pingTimeout, commandTimeout, loginTimeout, taskManagementTimeout,
                logoutTimeout, reconnect, rescanInterval, maxQueuedCommands, negotiation, ioThreads);
    }

    public HostConfig withReconnect(Backoff b) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, auth,
                discoveryAuth, pingInterval, pingTimeout, commandTimeout, loginTimeout, taskManagementTimeout,
                logoutTimeout, b, rescanInterval, maxQueuedCommands, negotiation, ioThreads);
    }

    public HostConfig withLoginTimeout(Duration d) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, auth,
                discoveryAuth, pingInterval, pingTimeout, commandTimeout, d, taskManagementTimeout,
                logoutTimeout, reconnect, rescanInterval, maxQueuedCommands, negotiation, ioThreads);
    }

    public HostConfig withRescanInterval(Duration d) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, auth,
                discoveryAuth, pingInterval, pingTimeout, commandTimeout, loginTimeout, taskManagementTimeout,
                logoutTimeout, reconnect, d, maxQueuedCommands, negotiation, ioThreads);
    }

    public HostConfig withIoThreads(int threads) {
        return new HostConfig(initiatorName, initiatorAlias, hostPorts, portals, followDiscoveredPortals, targets, auth,
                discoveryAuth, pingInterval, pingTimeout, commandTimeout, loginTimeout, taskManagementTimeout,
                logoutTimeout, reconnect, rescanInterval, maxQueuedCommands, negotiation, threads);
    }
}
