package io.braid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.host.HostRuntime;
import io.braid.host.api.DevicePathView;
import io.braid.host.api.DeviceView;
import io.braid.host.api.EventView;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.iscsi.target.AuthConfig;
import io.braid.node.HostPort;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.StorageNode;
import io.braid.node.VolumeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.braid.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid host ...}: output formats, and the commands against a running agent and node. */
class HostCliTest {

    static DevicePathView path(String host, String storage, String state, String connection, String alua, long lat,
                               String lastError) {
        return new DevicePathView("v0", "naa.3a1b2c3d4e5f6071", host, storage, "iqn.2026-11.io.braid:local", 0, state,
                connection, connection.equals("connected") ? "LOGGED_IN" : "RECOVERY", alua,
                alua.equals("active/optimized") ? "primary" : "secondary", false, alua.equals("active/optimized") ? 1 : 2,
                state.equals("active") ? 2 : 0, lat, 120, state.equals("active") ? 0 : 3, state.equals("active") ? 0 : 1,
                lastError, "2026-11-21T10:00:00Z");
    }

    static DeviceView device(List<DevicePathView> paths) {
        int active = (int) paths.stream().filter(p -> p.state().equals("active")).count();
        return new DeviceView("v0", "naa.3a1b2c3d4e5f6071", "BRAID", "Braid volume", "0001",
                "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "11223344556677889900aabbccddeeff", "braid", 128L << 20, 512, true,
                false, false, "service-time", 30, paths.size(), active, 2, 0, 0, 10, 0, 1, 1, 250, null,
                "nbd+unix:///v0?socket=/d/nbd.sock", paths);
    }

    @Test
    void devicesPrintLikeMultipathLl() {
        DeviceView d = device(List.of(
                path("127.0.0.1", "127.0.9.1:3260", "active", "connected", "active/optimized", 312, null),
                path("127.0.0.2", "127.0.9.1:3260", "failed", "disconnected", "active/optimized", 0,
                        "PING_TIMEOUT: ping timeout"),
                path("127.0.0.1", "127.0.9.2:3260", "active", "connected", "standby", 1250, null)));
        StringWriter s = new StringWriter();
        HostListing.devices(new PrintWriter(s), List.of(d));
        assertThat(s.toString()).isEqualTo("""
                v0 (naa.3a1b2c3d4e5f6071) BRAID,Braid volume
                size=128 MiB policy='service-time' features='queue_if_no_path 30s' array=braid wp=rw paths=2/3 serial=0f1e2d3c4b5a69788796a5b4c3d2e1f0
                |-+- group=optimized status=active
                | |- 127.0.0.1 -> 127.0.9.1:3260 iqn.2026-11.io.braid:local lun 0  active  connected  active/optimized  qd=2 lat=312us ios=120 errors=0
                | `- 127.0.0.2 -> 127.0.9.1:3260 iqn.2026-11.io.braid:local lun 0  failed  disconnected  active/optimized  qd=0 lat=- ios=120 errors=3  (PING_TIMEOUT: ping timeout)
                `-+- group=standby status=enabled
                  `- 127.0.0.1 -> 127.0.9.2:3260 iqn.2026-11.io.braid:local lun 0  active  connected  standby  qd=2 lat=1.25ms ios=120 errors=0
                """);

        s = new StringWriter();
        HostListing.paths(new PrintWriter(s), d.paths());
        assertThat(s.toString()).isEqualTo("""
                DEVICE  HOST-PORT  STORAGE-PORT    TARGET                      LUN  STATE   CONNECTION    ALUA              PRIORITY   QD  LATENCY  IOS  ERRORS  FAILURES
                v0      127.0.0.1  127.0.9.1:3260  iqn.2026-11.io.braid:local  0    active  connected     active/optimized  primary    2   312us    120  0       0
                v0      127.0.0.2  127.0.9.1:3260  iqn.2026-11.io.braid:local  0    failed  disconnected  active/optimized  primary    0   -        120  3       1
                v0      127.0.0.1  127.0.9.2:3260  iqn.2026-11.io.braid:local  0    active  connected     standby           secondary  2   1.25ms   120  0       0
                """);

        s = new StringWriter();
        HostListing.events(new PrintWriter(s), List.of(new EventView(7, "2026-11-21T10:00:00Z", "path-failed",
                "naa.3a1b2c3d4e5f6071", "127.0.0.2->127.0.9.1:3260 iqn.2026-11.io.braid:local lun 0", "PING_TIMEOUT")));
        assertThat(s.toString()).isEqualTo("7 2026-11-21T10:00:00Z path-failed naa.3a1b2c3d4e5f6071"
                + " 127.0.0.2->127.0.9.1:3260 iqn.2026-11.io.braid:local lun 0: PING_TIMEOUT\n");
        assertThat(HostListing.latency(0)).isEqualTo("-");
        assertThat(HostListing.latency(2_500_000)).isEqualTo("2.50s");
    }

    @Test
    void hostCommandsWithoutAnAgent(@TempDir Path dir) throws Exception {
        CliTest.Run r = run("host", "devices", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(r.err()).isEqualTo("braid: no running host agent found in " + dir + " (no host-control.json;"
                + " start one with: braid host run --config host.yaml --data " + dir + ")\n");

        r = run("host", "paths", "--api", "http://127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).contains("--api needs a token");

        r = run("host", "run");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Missing required option: '--config=FILE'");

        Path file = dir.resolve("host.yaml");
        Files.writeString(file, "portals: [127.0.0.1]\nmultipath: {policy: fastest}\n");
        r = run("host", "run", "--config", file.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).isEqualTo("braid: " + file + ": multipath.policy: \"fastest\" is not a path selection"
                + " policy (use one of failover-only, round-robin, least-queue-depth, service-time)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void runDevicesAndPathsAgainstARealNode(@TempDir Path dir) throws Exception {
        NodeConfig nc = new NodeConfig("clitest", dir.resolve("node"),
                List.of(new PortalSpec(new HostPort("127.0.9.11", 0), 1), new PortalSpec(new HostPort("127.0.9.12", 0), 1)),
                List.of(new VolumeSpec("v0", 8 << 20, 0, false)), AuthConfig.NONE, List.of(), new HostPort("127.0.0.1", 0));
        try (StorageNode node = StorageNode.start(nc)) {
            String serial = io.braid.host.multipath.DeviceNaming.braidVolumeSerial(node.volumes().get(0).id());
            Path agentDir = dir.resolve("agent");
            Path file = dir.resolve("host.yaml");
            Files.writeString(file, """
                    initiatorName: iqn.2026-11.io.braid.test:cli
                    hostPorts: [127.0.9.31, 127.0.9.32]
                    portals: [%s]
                    followDiscoveredPortals: false
                    rescanInterval: 0s
                    exports: {%s: v0}
                    multipath: {policy: round-robin, checkerInterval: 500ms}
                    """.formatted(String.join(", ", node.portals().stream().map(Object::toString).toList()), serial));

            CompletableFuture<HostRuntime> started = new CompletableFuture<>();
            HostRunCommand.startedHook = started::complete;
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cmd.execute("host", "run", "--config",
                    file.toString(), "--data", agentDir.toString()));
            HostRuntime runtime;
            try {
                runtime = started.get(60, TimeUnit.SECONDS);
            } finally {
                HostRunCommand.startedHook = r -> { };
            }
            try {
                assertThat(out.toString()).isEqualTo("NBD v0 nbd+unix:///v0?socket=" + agentDir.resolve("nbd.sock")
                        + "\n");

                CliTest.Run devices = run("host", "devices", "--data", agentDir.toString());
                assertThat(devices.exit()).as(devices.err()).isZero();
                String[] lines = devices.out().split("\n");
                assertThat(lines[0]).startsWith("v0 (naa.").endsWith(") BRAID,Braid volume");
                assertThat(lines[1]).startsWith("size=8 MiB policy='round-robin' features='queue_if_no_path 30s'"
                        + " array=braid wp=rw paths=4/4 serial=" + serial);
                assertThat(lines[2]).isEqualTo("`-+- group=optimized status=active");
                assertThat(lines).hasSize(7);
                for (String hp : List.of("127.0.9.31", "127.0.9.32")) {
                    for (var portal : node.portals()) {
                        assertThat(devices.out()).contains(hp + " -> " + portal + " iqn.2026-11.io.braid:clitest lun 0"
                                + "  active  connected  active/optimized  qd=0");
                    }
                }

                CliTest.Run json = run("host", "devices", "--data", agentDir.toString(), "--output", "json");
                assertThat(json.exit()).isZero();
                JsonNode all = HostControlApi.JSON.readTree(json.out());
                assertThat(all).hasSize(1);
                JsonNode v0 = all.get(0);
                assertThat(v0.get("name").asText()).isEqualTo("v0");
                assertThat(v0.get("lunSerial").asText()).isEqualTo(serial);
                assertThat(v0.get("paths")).hasSize(4);
                for (JsonNode p : v0.get("paths")) {
                    assertThat(p.get("hostPort").asText()).isIn("127.0.9.31", "127.0.9.32");
                    assertThat(p.get("storagePort").asText()).isIn(node.portals().stream().map(Object::toString).toList());
                    assertThat(p.get("state").asText()).isEqualTo("active");
                    assertThat(p.get("aluaState").asText()).isEqualTo("active/optimized");
                    assertThat(p.get("queueDepth").isInt()).isTrue();
                    assertThat(p.get("latencyMicros").isNumber()).isTrue();
                }
                CliTest.Run one = run("host", "devices", "v0", "--data", agentDir.toString(), "--output", "json");
                assertThat(HostControlApi.JSON.readValue(one.out(), DeviceView.class).name()).isEqualTo("v0");
                CliTest.Run missing = run("host", "devices", "nope", "--data", agentDir.toString());
                assertThat(missing.exit()).isEqualTo(ExitCodes.API_ERROR);
                assertThat(missing.err()).isEqualTo("braid: GET /api/v1/devices/nope failed: no device nope (not_found)\n");

                CliTest.Run paths = run("host", "paths", "--data", agentDir.toString());
                assertThat(paths.exit()).isZero();
                assertThat(paths.out().split("\n")).hasSize(5);
                assertThat(paths.out()).startsWith("DEVICE  HOST-PORT   STORAGE-PORT");
                CliTest.Run pathsJson = run("host", "paths", "--data", agentDir.toString(), "--output", "json");
                assertThat(HostControlApi.JSON.readValue(pathsJson.out(), DevicePathView[].class)).hasSize(4)
                        .allSatisfy(p -> assertThat(p.device()).isEqualTo("v0"));

                CliTest.Run modules = run("host", "module", "list", "--data", agentDir.toString());
                assertThat(modules.exit()).as(modules.err()).isZero();
                assertThat(modules.out()).startsWith("NAME");
                assertThat(modules.out().split("\n")).hasSize(5);
                CliTest.Run modulesJson = run("host", "module", "list", "--data", agentDir.toString(), "--output", "json");
                JsonNode ms = HostControlApi.JSON.readTree(modulesJson.out());
                assertThat(ms).hasSize(4);
                for (JsonNode m : ms) {
                    assertThat(m.get("builtin").asBoolean()).isTrue();
                    assertThat(m.get("devices").asInt()).isEqualTo(m.get("name").asText().equals("round-robin") ? 1 : 0);
                }
                Path junk = Files.writeString(dir.resolve("junk.jar"), "junk");
                CliTest.Run bad = run("host", "module", "load", junk.toString(), "--data", agentDir.toString());
                assertThat(bad.exit()).isEqualTo(ExitCodes.API_ERROR);
                assertThat(bad.err()).startsWith("braid: POST /api/v1/modules failed: " + junk + " is not a jar");
                CliTest.Run builtin = run("host", "module", "unload", "round-robin", "--data", agentDir.toString());
                assertThat(builtin.exit()).isEqualTo(ExitCodes.API_ERROR);
                assertThat(builtin.err()).contains("round-robin is a built-in policy and cannot be unloaded");
                CliTest.Run unknown = run("host", "module", "unload", "nope", "--data", agentDir.toString());
                assertThat(unknown.err()).contains("no module nope is loaded").contains("(not_found)");

                String token = Files.readString(agentDir.resolve(HostControlFile.TOKEN_FILE)).strip();
                CliTest.Run events = run("host", "events", "--api", runtime.controlApi().orElseThrow().toString(),
                        "--token", token);
                assertThat(events.exit()).as(events.err()).isZero();
                assertThat(events.out()).contains("device-added").contains("exported as v0");
            } finally {
                runtime.close();
            }
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
            assertThat(agentDir.resolve(HostControlFile.CONTROL_FILE)).doesNotExist();
            assertThat(agentDir.resolve("nbd.sock")).doesNotExist();
        }
    }
}
