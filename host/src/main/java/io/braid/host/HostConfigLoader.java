package io.braid.host;

import com.fasterxml.jackson.core.JacksonException;
import io.braid.common.config.StrictYaml;
import io.braid.host.iscsi.Authentication;
import io.braid.host.iscsi.Backoff;
import io.braid.host.iscsi.InitiatorConfig;
import io.braid.host.multipath.Failback;
import io.braid.host.multipath.MultipathConfig;
import io.braid.host.multipath.PathSelectors;
import io.braid.host.multipath.PolicyRule;
import io.braid.iscsi.login.Digest;
import io.braid.iscsi.login.InitiatorNegotiator;
import io.braid.iscsi.target.ChapCredentials;

import java.io.IOException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads {@code host.yaml} into a {@link HostConfig}. Unknown fields are refused, and every error is
 * one line naming the file and the field path ({@code ping.interval}); see {@code docs/host.md}
 * for the format.
 */
public final class HostConfigLoader {
    /** The longest CHAP user or secret accepted, as the target side allows. */
    private static final int MAX_CHAP_LENGTH = 255;
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");


    private HostConfigLoader() {
    }

    /** Loads and validates {@code file}: the initiator and discovery settings. */
    public static HostConfig load(Path file) throws HostConfigException {
        return loadAgent(file).host();
    }

    /**
     * Loads and validates the whole of {@code file}: what {@link HostRuntime} needs. A relative
     * {@code dataDir} resolves against the file's directory; without one it is
     * {@code ./braid-data} of the working directory.
     */
    public static AgentConfig loadAgent(Path file) throws HostConfigException {
        String source = file.toString();
        String text;
        try {
            text = StrictYaml.readFile(file);
        } catch (IOException e) {
            throw new HostConfigException(e.getMessage(), e);
        }
        return parseAgent(source, text, file.toAbsolutePath().getParent());
    }

    /** Parses config text; {@code source} names it in messages. */
    public static HostConfig parse(String source, String text) throws HostConfigException {
        return parseAgent(source, text, Path.of("").toAbsolutePath()).host();
    }

    /**
     * Parses the whole config text.
     *
     * @param base the directory a relative {@code dataDir} resolves against
     */
    public static AgentConfig parseAgent(String source, String text, Path base) throws HostConfigException {
        HostFile raw;
        try {
            raw = StrictYaml.MAPPER.readValue(text, HostFile.class);
        } catch (JacksonException e) {
            throw new HostConfigException(describe(source, e), e);
        }
        if (raw == null) {
            throw new HostConfigException(source + ": file is empty");
        }
        Validator v = new Validator(source);
        HostConfig host = v.validate(raw);
        return v.agent(raw, host, base);
    }

    // ---- raw shape of the file: every field optional here, checked by Validator ----

    record HostFile(String initiatorName, String initiatorAlias, List<String> hostPorts, List<String> portals,
                    Boolean followDiscoveredPortals, List<String> targets, ChapFile chap,
                    CredentialsFile discoveryChap, PingFile ping, String commandTimeout, String loginTimeout,
                    String taskManagementTimeout, String logoutTimeout, ReconnectFile reconnect,
                    String rescanInterval, Integer maxQueuedCommands, NegotiationFile negotiation,
                    String dataDir, NbdFile nbd, String api, java.util.Map<String, String> exports,
                    MultipathFile multipath, ModulesFile modules, Integer ioThreads) {
    }

    record ModulesFile(String directory, String decisionBudget, Boolean autoLoad) {
    }

    record NbdFile(String tcp) {
    }

    record MultipathFile(String noPathTimeout, String checkerInterval, Integer samePathRetries, Integer busyRetries,
                         Integer maxAttempts, String writeFenceTimeout, String policy, String failback,
                         Integer pathBurst, List<RuleFile> devices) {
    }

    record RuleFile(String id, String vendor, String product, String policy, String failback) {
    }

    record ChapFile(String user, String secret, CredentialsFile mutual) {
    }

    record CredentialsFile(String user, String secret) {
    }

    record PingFile(String interval, String timeout) {
    }

    record ReconnectFile(String initial, String max, Double multiplier) {
    }

    record NegotiationFile(List<String> headerDigest, List<String> dataDigest, String maxRecvDataSegmentLength,
                           String maxBurstLength, String firstBurstLength, Boolean immediateData,
                           Boolean initialR2T) {
    }

    @FunctionalInterface
    private interface Check<T> {
        T get();
    }

    private static final class Validator {
        private final String source;

        Validator(String source) {
            this.source = source;
        }

        private HostConfigException error(String path, String message) {
            return new HostConfigException(source + ": " + path + ": " + message);
        }

        private <T> T check(String path, Check<T> check) throws HostConfigException {
            try {
                return check.get();
            } catch (IllegalArgumentException e) {
                throw error(path, e.getMessage());
            }
        }

        private Duration duration(String path, String text, Duration fallback) throws HostConfigException {
            return text == null ? fallback : check(path, () -> Units.duration(text));
        }

        HostConfig validate(HostFile raw) throws HostConfigException {
            String name = raw.initiatorName() != null ? raw.initiatorName() : defaultInitiatorName();
            check("initiatorName", () -> {
                InitiatorConfig.checkIscsiName(name);
                return name;
            });
            List<InetAddress> hostPorts = hostPorts(raw.hostPorts());
            if (raw.portals() == null || raw.portals().isEmpty()) {
                throw error("portals", "at least one portal is required (e.g. 127.0.0.1:3260)");
            }
            List<Endpoint> portals = new ArrayList<>();
            for (int i = 0; i < raw.portals().size(); i++) {
                String text = raw.portals().get(i);
                Endpoint e = check("portals[" + i + "]", () -> Endpoint.parse(text));
                if (portals.contains(e)) {
                    throw error("portals[" + i + "]", e + " is listed twice");
                }
                portals.add(e);
            }
            List<String> targets = new ArrayList<>();
            if (raw.targets() != null) {
                for (int i = 0; i < raw.targets().size(); i++) {
                    String t = raw.targets().get(i);
                    String path = "targets[" + i + "]";
                    check(path, () -> {
                        InitiatorConfig.checkIscsiName(t);
                        return t;
                    });
                    if (targets.contains(t)) {
                        throw error(path, "\"" + t + "\" is listed twice");
                    }
                    targets.add(t);
                }
            }
            Authentication auth = Authentication.NONE;
            if (raw.chap() != null) {
                ChapCredentials own = credentials("chap", raw.chap().user(), raw.chap().secret());
                ChapCredentials target = raw.chap().mutual() == null ? null
                        : credentials("chap.mutual", raw.chap().mutual().user(), raw.chap().mutual().secret());
                auth = check("chap.mutual", () -> new Authentication(own, target));
            }
            Authentication discoveryAuth = raw.discoveryChap() == null ? Authentication.NONE
                    : new Authentication(credentials("discoveryChap", raw.discoveryChap().user(),
                    raw.discoveryChap().secret()), null);
            Duration pingInterval = InitiatorConfig.DEFAULT_PING_INTERVAL;
            Duration pingTimeout = InitiatorConfig.DEFAULT_PING_TIMEOUT;
            if (raw.ping() != null) {
                pingInterval = duration("ping.interval", raw.ping().interval(), pingInterval);
                pingTimeout = duration("ping.timeout", raw.ping().timeout(), pingTimeout);
                Duration t = pingTimeout;
                check("ping.timeout", () -> positive(t));
            }
            Duration commandTimeout = positive("commandTimeout", duration("commandTimeout", raw.commandTimeout(),
                    InitiatorConfig.DEFAULT_COMMAND_TIMEOUT));
            Duration loginTimeout = positive("loginTimeout", duration("loginTimeout", raw.loginTimeout(),
                    InitiatorConfig.DEFAULT_LOGIN_TIMEOUT));
            Duration tmfTimeout = positive("taskManagementTimeout", duration("taskManagementTimeout",
                    raw.taskManagementTimeout(), InitiatorConfig.DEFAULT_TASK_MANAGEMENT_TIMEOUT));
            Duration logoutTimeout = positive("logoutTimeout", duration("logoutTimeout", raw.logoutTimeout(),
                    InitiatorConfig.DEFAULT_LOGOUT_TIMEOUT));
            Backoff reconnect = Backoff.DEFAULT;
            if (raw.reconnect() != null) {
                Duration initial = duration("reconnect.initial", raw.reconnect().initial(), Backoff.DEFAULT.initial());
                Duration max = duration("reconnect.max", raw.reconnect().max(), Backoff.DEFAULT.max());
                double multiplier = raw.reconnect().multiplier() == null ? Backoff.DEFAULT.multiplier()
                        : raw.reconnect().multiplier();
                reconnect = check("reconnect", () -> new Backoff(initial, max, multiplier));
            }
            Duration rescan = duration("rescanInterval", raw.rescanInterval(), HostConfig.DEFAULT_RESCAN_INTERVAL);
            int maxQueued = raw.maxQueuedCommands() == null ? InitiatorConfig.DEFAULT_MAX_QUEUED_COMMANDS
                    : raw.maxQueuedCommands();
            InitiatorNegotiator.Preferences negotiation = negotiation(raw.negotiation());
            boolean follow = raw.followDiscoveredPortals() == null || raw.followDiscoveredPortals();
            if (maxQueued < 1 || maxQueued > 65536) {
                throw error("maxQueuedCommands", maxQueued + " is out of range 1..65536");
            }
            int ioThreads = count("ioThreads", raw.ioThreads(), 0, 0, 256);
            String alias = raw.initiatorAlias();
            if (alias != null && (alias.length() > 255 || alias.chars().anyMatch(Character::isISOControl))) {
                throw error("initiatorAlias", "must be at most 255 printable characters");
            }
            try {
                return new HostConfig(name, alias, hostPorts, portals, follow, targets, auth, discoveryAuth,
                        pingInterval, pingTimeout, commandTimeout, loginTimeout, tmfTimeout, logoutTimeout, reconnect,
                        rescan, maxQueued, negotiation, ioThreads);
            } catch (IllegalArgumentException e) {
                throw new HostConfigException(source + ": " + e.getMessage(), e);
            }
        }

        AgentConfig agent(HostFile raw, HostConfig host, Path base) throws HostConfigException {
            Path dataDir = raw.dataDir() == null ? Path.of("braid-data").toAbsolutePath()
                    : check("dataDir", () -> {
                        if (raw.dataDir().isBlank()) {
                            throw new IllegalArgumentException("must not be empty");
                        }
                        return base.resolve(raw.dataDir()).normalize();
                    });
            InetSocketAddress tcp = raw.nbd() == null || raw.nbd().tcp() == null ? null
                    : check("nbd.tcp", () -> loopback(raw.nbd().tcp()));
            InetSocketAddress api = raw.api() == null ? AgentConfig.DEFAULT_API : check("api", () -> loopback(raw.api()));
            java.util.Map<String, String> names = new java.util.LinkedHashMap<>();
            if (raw.exports() != null) {
                for (var e : raw.exports().entrySet()) {
                    String key = e.getKey();
                    String value = e.getValue();
                    check("exports." + key, () -> {
                        if (value == null) {
                            throw new IllegalArgumentException("needs a name");
                        }
                        return ExportedDevice.checkName(value);
                    });
                    if (names.containsValue(value)) {
                        throw error("exports." + key, "name \"" + value + "\" is given to two devices");
                    }
                    names.put(key, value);
                }
            }
            MultipathConfig mp = multipath(raw.multipath());
            return new AgentConfig(host, mp, dataDir, tcp, api, names, modules(raw.modules(), base));
        }

        private io.braid.host.module.ModuleConfig modules(ModulesFile m, Path base) throws HostConfigException {
            io.braid.host.module.ModuleConfig d = io.braid.host.module.ModuleConfig.defaults();
            if (m == null) {
                return d;
            }
            Path dir = m.directory() == null ? null : check("modules.directory", () -> {
                if (m.directory().isBlank()) {
                    throw new IllegalArgumentException("must not be empty");
                }
                return base.resolve(m.directory()).normalize();
            });
            Duration budget = duration("modules.decisionBudget", m.decisionBudget(), d.decisionBudget());
            boolean auto = m.autoLoad() == null ? d.autoLoad() : m.autoLoad();
            return check("modules.decisionBudget", () -> new io.braid.host.module.ModuleConfig(dir, budget, auto));
        }

        private MultipathConfig multipath(MultipathFile m) throws HostConfigException {
            MultipathConfig d = MultipathConfig.defaults();
            if (m == null) {
                return d;
            }
            Duration noPath = duration("multipath.noPathTimeout", m.noPathTimeout(), d.noPathTimeout());
            Duration checker = positive("multipath.checkerInterval",
                    duration("multipath.checkerInterval", m.checkerInterval(), d.checkerInterval()));
            Duration fence = duration("multipath.writeFenceTimeout", m.writeFenceTimeout(), d.writeFenceTimeout());
            int same = count("multipath.samePathRetries", m.samePathRetries(), d.samePathRetries(), 0, 100);
            int busy = count("multipath.busyRetries", m.busyRetries(), d.busyRetries(), 0, 1000);
            int attempts = count("multipath.maxAttempts", m.maxAttempts(), d.maxAttempts(), 1, 1000);
            int burst = count("multipath.pathBurst", m.pathBurst(), d.pathBurst(), 1, PathSelectors.MAX_BURST);
            String policy = m.policy() == null ? d.defaultPolicy() : policy("multipath.policy", m.policy());
            Failback failback = m.failback() == null ? d.defaultFailback() : failback("multipath.failback", m.failback());
            List<PolicyRule> rules = new ArrayList<>();
            if (m.devices() != null) {
                for (int i = 0; i < m.devices().size(); i++) {
                    RuleFile r = m.devices().get(i);
                    String path = "multipath.devices[" + i + "]";
                    if (r == null || r.policy() == null) {
                        throw error(path + ".policy", "is required");
                    }
                    String p = policy(path + ".policy", r.policy());
                    Failback f = r.failback() == null ? null : failback(path + ".failback", r.failback());
                    rules.add(new PolicyRule(r.id(), pattern(path + ".vendor", r.vendor()),
                            pattern(path + ".product", r.product()), p, f));
                }
            }
            return new MultipathConfig(noPath, checker, same, busy, attempts, fence, rules, policy, failback, burst);
        }

        private String policy(String path, String name) throws HostConfigException {
            return check(path, () -> {
                PathSelectors.create(name, null);
                return name;
            });
        }

        private Failback failback(String path, String text) throws HostConfigException {
            return check(path, () -> switch (text) {
                case "immediate" -> Failback.IMMEDIATE;
                case "manual" -> Failback.MANUAL;
                default -> throw new IllegalArgumentException("\"" + text + "\" is not immediate or manual");
            });
        }

        private java.util.regex.Pattern pattern(String path, String text) throws HostConfigException {
            if (text == null) {
                return null;
            }
            return check(path, () -> {
                try {
                    return java.util.regex.Pattern.compile(text);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new IllegalArgumentException("\"" + text + "\" is not a regular expression: "
                            + e.getDescription());
                }
            });
        }

        private int count(String path, Integer value, int fallback, int min, int max) throws HostConfigException {
            if (value == null) {
                return fallback;
            }
            if (value < min || value > max) {
                throw error(path, value + " is out of range " + min + ".." + max);
            }
            return value;
        }

        private Duration positive(String path, Duration d) throws HostConfigException {
            return check(path, () -> positive(d));
        }

        private static Duration positive(Duration d) {
            if (d.isZero()) {
                throw new IllegalArgumentException("must be more than 0");
            }
            return d;
        }

        private List<InetAddress> hostPorts(List<String> raw) throws HostConfigException {
            if (raw == null) {
                return List.of(anyAddress());
            }
            if (raw.isEmpty()) {
                throw error("hostPorts", "at least one host port is required (or leave the field out for any address)");
            }
            List<InetAddress> out = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                String text = raw.get(i);
                String path = "hostPorts[" + i + "]";
                InetAddress a = check(path, () -> hostPort(text));
                if (out.contains(a)) {
                    throw error(path, text + " is listed twice");
                }
                out.add(a);
            }
            return out;
        }

        private ChapCredentials credentials(String path, String user, String secret) throws HostConfigException {
            if (user == null) {
                throw error(path + ".user", "is required");
            }
            if (secret == null) {
                throw error(path + ".secret", "is required");
            }
            if (user.isEmpty() || user.length() > MAX_CHAP_LENGTH || user.chars().anyMatch(Character::isISOControl)) {
                throw error(path + ".user", "must be 1-255 printable characters");
            }
            if (secret.isEmpty() || secret.length() > MAX_CHAP_LENGTH
                    || secret.chars().anyMatch(Character::isISOControl)) {
                // Never echo the secret.
                throw error(path + ".secret", "must be 1-255 printable characters");
            }
            return new ChapCredentials(user, secret);
        }

        private InitiatorNegotiator.Preferences negotiation(NegotiationFile n) throws HostConfigException {
            InitiatorNegotiator.Preferences d = InitiatorNegotiator.Preferences.defaults();
            if (n == null) {
                return d;
            }
            List<Digest> header = digests("negotiation.headerDigest", n.headerDigest(), d.headerDigests());
            List<Digest> data = digests("negotiation.dataDigest", n.dataDigest(), d.dataDigests());
            int mrdsl = length("negotiation.maxRecvDataSegmentLength", n.maxRecvDataSegmentLength(),
                    d.maxRecvDataSegmentLength(), 512, 16777215);
            int maxBurst = length("negotiation.maxBurstLength", n.maxBurstLength(), d.maxBurstLength(), 512, 16777215);
            int firstBurst = length("negotiation.firstBurstLength", n.firstBurstLength(), d.firstBurstLength(), 512,
                    16777215);
            if (firstBurst > maxBurst) {
                throw error("negotiation.firstBurstLength", firstBurst + " exceeds maxBurstLength " + maxBurst);
            }
            return new InitiatorNegotiator.Preferences(header, data, mrdsl, maxBurst, firstBurst,
                    d.maxOutstandingR2T(), n.initialR2T() == null ? d.initialR2T() : n.initialR2T(),
                    n.immediateData() == null ? d.immediateData() : n.immediateData(), d.defaultTime2Wait(),
                    d.defaultTime2Retain());
        }

        private List<Digest> digests(String path, List<String> raw, List<Digest> fallback) throws HostConfigException {
            if (raw == null) {
                return fallback;
            }
            if (raw.isEmpty()) {
                throw error(path, "at least one of None, CRC32C");
            }
            List<Digest> out = new ArrayList<>();
            for (String s : raw) {
                Digest dg = s == null ? null : Digest.of(s);
                if (dg == null) {
                    throw error(path, "\"" + s + "\" is not None or CRC32C");
                }
                out.add(dg);
            }
            return out;
        }

        private int length(String path, String text, int fallback, int min, int max) throws HostConfigException {
            if (text == null) {
                return fallback;
            }
            long n = check(path, () -> Units.size(text));
            if (n < min || n > max) {
                throw error(path, n + " is out of range " + min + ".." + max);
            }
            return (int) n;
        }
    }

    /** {@code HOST:PORT} with a loopback IP literal; port 0 picks a free port. */
    public static InetSocketAddress loopback(String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 1 || colon == t.length() - 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not HOST:PORT (e.g. 127.0.0.1:10809)");
        }
        String port = t.substring(colon + 1);
        if (port.length() > 5 || !port.chars().allMatch(Character::isDigit) || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("\"" + text + "\": port " + port + " is not 0..65535");
        }
        InetAddress a = hostPort(t.substring(0, colon));
        if (!a.isLoopbackAddress()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a loopback address (e.g. 127.0.0.1)");
        }
        return new InetSocketAddress(a, Integer.parseInt(port));
    }

    /** {@code *} for any local address, else an IPv4 or IPv6 literal (no name lookups). */
    static InetAddress hostPort(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must be an IP address or *");
        }
        if (text.equals("*")) {
            return anyAddress();
        }
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        var m = IPV4.matcher(t);
        boolean v4 = m.matches();
        if (v4) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    v4 = false;
                }
            }
        }
        if (!v4 && !(t.contains(":") && t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address (a host port is a local"
                    + " address such as 127.0.0.1, or * for any)");
        }
        try {
            return InetAddress.getByName(t); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address");
        }
    }

    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code iqn.2026-11.io.braid:host.<hostname>}, the host name reduced to the characters an IQN takes. */
    static String defaultInitiatorName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String clean = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        return "iqn.2026-11.io.braid:host." + (clean.isEmpty() ? "localhost" : clean);
    }

    // ---- Jackson errors to one-line messages ----

    static String describe(String source, JacksonException e) {
        return StrictYaml.describe(source, e, "initiatorName, hostPorts, portals, ...");
    }
}
