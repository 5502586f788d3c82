package io.braid.host;

import io.braid.iscsi.login.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostConfigLoaderTest {
    static final String FULL = """
            initiatorName: iqn.2026-11.io.braid:host1
            initiatorAlias: host one
            hostPorts: [127.0.0.1, 127.0.0.2]
            portals: [127.0.0.1:3260, "[::1]:3261", array.example]
            followDiscoveredPortals: false
            targets: [iqn.2026-11.io.braid:node1]
            chap:
              user: host1
              secret: s3cret-initiator
              mutual: {user: array, secret: s3cret-target}
            discoveryChap: {user: disco, secret: s3cret-discovery}
            ping: {interval: 500ms, timeout: 2s}
            commandTimeout: 1m
            loginTimeout: 5s
            taskManagementTimeout: 3s
            logoutTimeout: 1s
            reconnect: {initial: 100ms, max: 5s, multiplier: 1.5}
            rescanInterval: 0s
            maxQueuedCommands: 256
            ioThreads: 2
            negotiation:
              headerDigest: [CRC32C, None]
              dataDigest: [None]
              maxRecvDataSegmentLength: 64K
              maxBurstLength: 1M
              firstBurstLength: 128K
              immediateData: false
              initialR2T: true
            """;

    @Test
    void readsEveryField() throws Exception {
        HostConfig c = HostConfigLoader.parse("host.yaml", FULL);
        assertThat(c.initiatorName()).isEqualTo("iqn.2026-11.io.braid:host1");
        assertThat(c.initiatorAlias()).isEqualTo("host one");
        assertThat(c.hostPorts()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.1", "127.0.0.2");
        assertThat(c.portals()).containsExactly(new Endpoint("127.0.0.1", 3260), new Endpoint("::1", 3261),
                new Endpoint("array.example", 3260));
        assertThat(c.followDiscoveredPortals()).isFalse();
        assertThat(c.targets()).containsExactly("iqn.2026-11.io.braid:node1");
        assertThat(c.auth().mutual()).isTrue();
        assertThat(c.auth().initiator().user()).isEqualTo("host1");
        assertThat(c.discoveryAuth().initiator().user()).isEqualTo("disco");
        assertThat(c.pingInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.pingTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.loginTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.taskManagementTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.logoutTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.reconnect().initial()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.reconnect().max()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.reconnect().multiplier()).isEqualTo(1.5);
        assertThat(c.rescanInterval()).isZero();
        assertThat(c.maxQueuedCommands()).isEqualTo(256);
        assertThat(c.ioThreads()).isEqualTo(2);
        assertThat(c.initiatorConfig().ioThreads()).isEqualTo(2);
        assertThat(c.negotiation().headerDigests()).containsExactly(Digest.CRC32C, Digest.NONE);
        assertThat(c.negotiation().maxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(c.negotiation().maxBurstLength()).isEqualTo(1 << 20);
        assertThat(c.negotiation().firstBurstLength()).isEqualTo(128 * 1024);
        assertThat(c.negotiation().immediateData()).isFalse();
        assertThat(c.negotiation().initialR2T()).isTrue();
        assertThat(c.initiatorConfig().pingInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.auth().toString()).doesNotContain("s3cret");
    }

    @Test
    void defaultsForAMinimalFile() throws Exception {
        HostConfig c = HostConfigLoader.parse("host.yaml", "portals: [127.0.0.1]\n");
        assertThat(c.initiatorName()).startsWith("iqn.2026-11.io.braid:host.");
        assertThat(c.hostPorts()).hasSize(1);
        assertThat(c.hostPorts().get(0).isAnyLocalAddress()).isTrue();
        assertThat(c.portals()).containsExactly(new Endpoint("127.0.0.1", 3260));
        assertThat(c.followDiscoveredPortals()).isTrue();
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.pingTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.rescanInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.auth().usesChap()).isFalse();
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("host.yaml");
        Files.writeString(f, FULL);
        assertThat(HostConfigLoader.load(f).initiatorName()).isEqualTo("iqn.2026-11.io.braid:host1");
        assertThatThrownBy(() -> HostConfigLoader.load(dir.resolve("missing.yaml")))
                .hasMessage(dir.resolve("missing.yaml") + ": no such file");
    }

    @Test
    void errorsNameTheField() {
        assertError("portals: []\n", "host.yaml: portals: at least one portal is required (e.g. 127.0.0.1:3260)");
        assertError("hostPorts: [127.0.0.1]\n", "host.yaml: portals: at least one portal is required (e.g. 127.0.0.1:3260)");
        assertError("portals: [127.0.0.1:99999]\n", "host.yaml: portals[0]: \"127.0.0.1:99999\": port 99999 is out of range 1..65535");
        assertError("portals: [a, a]\n", "host.yaml: portals[1]: a:3260 is listed twice");
        assertError("portals: [a]\nhostPorts: [host.example]\n",
                "host.yaml: hostPorts[0]: \"host.example\" is not an IP address (a host port is a local address such as 127.0.0.1, or * for any)");
        assertError("portals: [a]\nhostPorts: [127.0.0.1, 127.0.0.1]\n", "host.yaml: hostPorts[1]: 127.0.0.1 is listed twice");
        assertError("portals: [a]\nping: {interval: fast}\n",
                "host.yaml: ping.interval: \"fast\" is not a duration (use e.g. 500ms, 1s, 2m)");
        assertError("portals: [a]\nping: {timeout: 0s}\n", "host.yaml: ping.timeout: must be more than 0");
        assertError("portals: [a]\ncommandTimeout: 30\n",
                "host.yaml: commandTimeout: \"30\" is not a duration (use e.g. 500ms, 1s, 2m)");
        assertError("portals: [a]\nchap: {user: u}\n", "host.yaml: chap.secret: is required");
        assertError("portals: [a]\nchap: {user: u, secret: same, mutual: {user: t, secret: same}}\n",
                "host.yaml: chap.mutual: the target's CHAP secret must differ from the initiator's");
        assertError("portals: [a]\ninitiatorName: host1\n",
                "host.yaml: initiatorName: \"host1\" is not an iSCSI name (e.g. iqn.2004-10.com.example:host1, eui.02004567A425678D)");
        assertError("portals: [a]\nreconnect: {initial: 5s, max: 1s}\n",
                "host.yaml: reconnect: reconnect backoff maximum PT1S must be at least the initial delay PT5S");
        assertError("portals: [a]\nnegotiation: {firstBurstLength: 1M, maxBurstLength: 64K}\n",
                "host.yaml: negotiation.firstBurstLength: 1048576 exceeds maxBurstLength 65536");
        assertError("portals: [a]\nnegotiation: {headerDigest: [MD5]}\n",
                "host.yaml: negotiation.headerDigest: \"MD5\" is not None or CRC32C");
        assertError("portals: [a]\nmaxQueuedCommands: 0\n", "host.yaml: maxQueuedCommands: 0 is out of range 1..65536");
        assertError("portals: [a]\nioThreads: 257\n", "host.yaml: ioThreads: 257 is out of range 0..256");
        assertError("portals: [a]\nioThreads: -1\n", "host.yaml: ioThreads: -1 is out of range 0..256");
        assertError("portals: [a]\npings: 1s\n", "host.yaml: pings: unknown field (expected one of: api, chap,"
                + " commandTimeout, dataDir, discoveryChap, exports, followDiscoveredPortals, hostPorts, initiatorAlias,"
                + " initiatorName, ioThreads, loginTimeout, logoutTimeout, maxQueuedCommands, modules, multipath, nbd, negotiation, ping,"
                + " portals, reconnect, rescanInterval, targets, taskManagementTimeout)");
        assertError("portals: [a]\nfollowDiscoveredPortals: maybe\n",
                "host.yaml: followDiscoveredPortals: \"maybe\" is not true or false");
        assertError("portals: [a\n", "host.yaml: line 2, column 1: expected ',' or ']', but got <stream end> (YAML syntax)");
        assertError("", "host.yaml: file is empty");
        assertError("- a\n", "host.yaml: expected a mapping of settings (initiatorName, hostPorts, portals, ...) at the top level");
    }

    static final String AGENT = """
            portals: [127.0.0.1]
            dataDir: agent-data
            nbd: {tcp: "127.0.0.1:10809"}
            api: 127.0.0.2:0
            exports:
              naa.3a1b2c3d4e5f6071: db
              0F1E2D3C4B5A69788796A5B4C3D2E1F0: logs
            multipath:
              noPathTimeout: 5s
              checkerInterval: 500ms
              samePathRetries: 3
              busyRetries: 7
              maxAttempts: 9
              writeFenceTimeout: 0s
              pathBurst: 8
              policy: round-robin
              failback: manual
              devices:
                - {id: naa.3a1b2c3d4e5f6071, policy: failover-only, failback: immediate}
                - {vendor: BRAID, product: "Braid.*", policy: least-queue-depth}
            """;

    @Test
    void readsTheAgentFields(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("host.yaml");
        Files.writeString(f, AGENT);
        AgentConfig a = HostConfigLoader.loadAgent(f);
        assertThat(a.host().portals()).containsExactly(new Endpoint("127.0.0.1", 3260));
        assertThat(a.dataDir()).isEqualTo(dir.resolve("agent-data"));
        assertThat(a.nbdTcp()).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 10809));
        assertThat(a.api()).isEqualTo(new java.net.InetSocketAddress("127.0.0.2", 0));
        assertThat(a.exportNames()).containsOnly(java.util.Map.entry("naa.3a1b2c3d4e5f6071", "db"),
                java.util.Map.entry("0F1E2D3C4B5A69788796A5B4C3D2E1F0", "logs"));
        var m = a.multipath();
        assertThat(m.noPathTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(m.checkerInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(m.samePathRetries()).isEqualTo(3);
        assertThat(m.busyRetries()).isEqualTo(7);
        assertThat(m.maxAttempts()).isEqualTo(9);
        assertThat(m.writeFenceTimeout()).isZero();
        assertThat(m.pathBurst()).isEqualTo(8);
        assertThat(m.defaultPolicy()).isEqualTo("round-robin");
        assertThat(m.defaultFailback()).isEqualTo(io.braid.host.multipath.Failback.MANUAL);
        assertThat(m.policies()).hasSize(2);
        assertThat(m.policies().get(0)).isEqualTo(new io.braid.host.multipath.PolicyRule("naa.3a1b2c3d4e5f6071", null,
                null, "failover-only", io.braid.host.multipath.Failback.IMMEDIATE));
        assertThat(m.policies().get(1).vendor().pattern()).isEqualTo("BRAID");
        assertThat(m.policies().get(1).policy()).isEqualTo("least-queue-depth");

        AgentConfig defaults = HostConfigLoader.parseAgent("host.yaml", "portals: [a]\n", dir);
        assertThat(defaults.dataDir()).isEqualTo(Path.of("braid-data").toAbsolutePath());
        assertThat(defaults.nbdTcp()).isNull();
        assertThat(defaults.api()).isEqualTo(AgentConfig.DEFAULT_API);
        assertThat(defaults.exportNames()).isEmpty();
        assertThat(defaults.multipath()).isEqualTo(io.braid.host.multipath.MultipathConfig.defaults());
    }

    @Test
    void readsTheModuleSettings(@TempDir Path dir) throws Exception {
        AgentConfig a = HostConfigLoader.parseAgent("host.yaml",
                "portals: [a]\nmodules: {directory: vendor-modules, decisionBudget: 5ms, autoLoad: false}\n", dir);
        assertThat(a.modules().directory()).isEqualTo(dir.resolve("vendor-modules"));
        assertThat(a.modules().decisionBudget()).isEqualTo(Duration.ofMillis(5));
        assertThat(a.modules().autoLoad()).isFalse();
        AgentConfig d = HostConfigLoader.parseAgent("host.yaml", "portals: [a]\ndataDir: data\n", dir);
        assertThat(d.modules().directoryIn(d.dataDir())).isEqualTo(dir.resolve("data").resolve("modules"));
        assertThat(d.modules().decisionBudget()).isEqualTo(Duration.ofMillis(10));
        assertThat(d.modules().autoLoad()).isTrue();
        assertError("portals: [a]\nmodules: {decisionBudget: 5s}\n",
                "host.yaml: modules.decisionBudget: decisionBudget 5000 ms is outside 1 µs..1 s");
    }

    @Test
    void agentErrorsNameTheField() {
        assertError("portals: [a]\nmultipath: {noPathTimeout: soon}\n",
                "host.yaml: multipath.noPathTimeout: \"soon\" is not a duration (use e.g. 500ms, 1s, 2m)");
        assertError("portals: [a]\nmultipath: {checkerInterval: 0s}\n",
                "host.yaml: multipath.checkerInterval: must be more than 0");
        assertError("portals: [a]\nmultipath: {failback: later}\n",
                "host.yaml: multipath.failback: \"later\" is not immediate or manual");
        assertError("portals: [a]\nmultipath: {maxAttempts: 0}\n", "host.yaml: multipath.maxAttempts: 0 is out of range 1..1000");
        assertError("portals: [a]\nmultipath: {pathBurst: 0}\n", "host.yaml: multipath.pathBurst: 0 is out of range 1..1024");
        assertError("portals: [a]\nmultipath: {devices: [{vendor: BRAID}]}\n",
                "host.yaml: multipath.devices[0].policy: is required");
        assertError("portals: [a]\nmultipath: {devices: [{product: \"(\", policy: round-robin}]}\n",
                "host.yaml: multipath.devices[0].product: \"(\" is not a regular expression: Unclosed group");
        assertError("portals: [a]\nnbd: {tcp: \"10.1.2.3:10809\"}\n",
                "host.yaml: nbd.tcp: \"10.1.2.3:10809\" is not a loopback address (e.g. 127.0.0.1)");
        assertError("portals: [a]\napi: 127.0.0.1\n", "host.yaml: api: \"127.0.0.1\" is not HOST:PORT (e.g. 127.0.0.1:10809)");
        assertError("portals: [a]\nexports: {naa.1: \"a/b\"}\n",
                "host.yaml: exports.naa.1: device name 'a/b' contains '/' at index 1");
        assertError("portals: [a]\nexports: {naa.1: db, naa.2: db}\n",
                "host.yaml: exports.naa.2: name \"db\" is given to two devices");
        assertError("portals: [a]\ndataDir: \"\"\n", "host.yaml: dataDir: must not be empty");
    }

    @Test
    void secretsAreNeverEchoed() {
        assertThatThrownBy(() -> HostConfigLoader.parse("host.yaml", "portals: [a]\nchap: {user: u, secret: \"bad\\u0001secret\"}\n"))
                .hasMessage("host.yaml: chap.secret: must be 1-255 printable characters")
                .message().doesNotContain("bad");
    }

    static void assertError(String yaml, String message) {
        assertThatThrownBy(() -> HostConfigLoader.parse("host.yaml", yaml)).isInstanceOf(HostConfigException.class)
                .hasMessage(message);
    }
}
