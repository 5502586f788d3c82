package io.braid.cli;

import io.braid.iscsi.target.ChapCredentials;
import io.braid.node.ControlFile;
import io.braid.node.HostPort;
import io.braid.node.InitiatorAcl;
import io.braid.node.LunMapping;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.VolumeSpec;
import io.braid.common.api.ApiException;
import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.NodeView;
import io.braid.node.api.StatusView;
import io.braid.node.api.VolumeView;
import io.braid.scsi.UnitFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    /** Result of one in-process run. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static UpCommand parseUp(String... args) {
        CommandLine cmd = Main.commandLine();
        CommandLine.ParseResult r = cmd.parseArgs(args);
        return (UpCommand) r.subcommand().commandSpec().userObject();
    }

    @Test
    void upDefaults() {
        NodeConfig c = parseUp("up").toConfig();
        assertThat(c.name()).isEqualTo("local");
        assertThat(c.targetIqn()).isEqualTo("iqn.2026-11.io.braid:local");
        assertThat(c.dataDir()).isEqualTo(Path.of("braid-data").toAbsolutePath());
        assertThat(c.portals()).containsExactly(new PortalSpec(new HostPort("127.0.0.1", 3260), 1),
                new PortalSpec(new HostPort("127.0.0.2", 3260), 1));
        assertThat(c.volumes()).containsExactly(new VolumeSpec("v0", 1L << 30, 0, false));
        assertThat(c.auth().nodeChap()).isNull();
        assertThat(c.apiAddress()).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(parseUp("up").hostAgent().hostPorts()).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.1", "127.0.0.2");
        assertThat(parseUp("up", "--no-host").hostAgent()).isNull();
        assertThat(parseUp("up", "--host-port", "127.0.0.3", "--host-port", "::1").hostAgent()
                .hostPorts()).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.3", "0:0:0:0:0:0:0:1");
    }

    @Test
    void upRepeatableFlagsAndChap() {
        NodeConfig c = parseUp("up", "--data", "/tmp/x", "--portal", "127.0.0.1:3261",
                "--portal", "[::1]", "--volume", "a:64M", "--volume", "b:2G:file", "--volume", "m:128M:memory",
                "--chap", "alice:pass:with:colons", "--mutual-chap", "target:other-secret",
                "--name", "lab1", "--api-address", "127.0.0.1:9000").toConfig();
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.portals()).containsExactly(
                new PortalSpec(new HostPort("127.0.0.1", 3261), 1),
                new PortalSpec(new HostPort("::1", 3260), 1));
        assertThat(c.volumes()).containsExactly(new VolumeSpec("a", 64L << 20, 0, false),
                new VolumeSpec("b", 2L << 30, 1, false),
                new VolumeSpec("m", 128L << 20, 2, false, VolumeSpec.Backing.MEMORY));
        assertThat(c.auth().nodeChap()).isEqualTo(new ChapCredentials("alice", "pass:with:colons"));
        assertThat(c.auth().mutualChap()).isEqualTo(new ChapCredentials("target", "other-secret"));
        assertThat(c.targetIqn()).isEqualTo("iqn.2026-11.io.braid:lab1");
        assertThat(c.apiAddress()).isEqualTo(new HostPort("127.0.0.1", 9000));
    }

    @Test
    void badFlagValuesAreUsageErrorsNamingTheValue() {
        Run r = run("up", "--volume", "v0:12X");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--volume").contains("\"12X\" is not a size (use e.g. 512M, 1G)");

        r = run("up", "--volume", "v0");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("\"v0\" is not NAME:SIZE[:OPTION]... (e.g. v0:1G, logs:512M:ro,"
                + " scratch:128M:memory)");

        r = run("up", "--volume", "v0:1G:tape");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("\"tape\" is not a volume option (ro, memory, file,");

        r = run("up", "--volume", "m:1G:memory:ro");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("volume \"m\": a memory volume cannot be read-only");

        r = run("up", "--portal", "127.0.0.1:99999");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("port 99999 is out of range 0..65535");

        r = run("up", "--host-port", "localhost");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("\"localhost\" is not an IP address (e.g. 127.0.0.1 or ::1)");

        r = run("up", "--output", "yaml");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);

        r = run("up", "--bogus");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Unknown option: '--bogus'");
    }

    @Test
    void upVolumeOptionsAndLunMasking() {
        NodeConfig c = parseUp("up", "--volume", "v0:64M", "--volume", "logs:64M:ro",
                "--volume", "esx:1G:no-compare-and-write:no-extended-copy",
                "--volume", "scratch:64M:no-persistent-reservations:memory",
                "--acl", "iqn.2004-10.com.example:host1=v0,logs:ro",
                "--acl", "iqn.2004-10.com.example:host2=esx").toConfig();
        assertThat(c.volumes().get(1)).isEqualTo(new VolumeSpec("logs", 64L << 20, 1, true));
        assertThat(c.volumes().get(2).features()).containsExactlyInAnyOrder(
                UnitFeature.THIN_PROVISIONING, UnitFeature.PERSISTENT_RESERVATIONS);
        assertThat(c.volumes().get(3)).isEqualTo(new VolumeSpec("scratch", 64L << 20, 3, false,
                java.util.EnumSet.of(UnitFeature.COMPARE_AND_WRITE, UnitFeature.EXTENDED_COPY,
                        UnitFeature.THIN_PROVISIONING), VolumeSpec.Backing.MEMORY));
        assertThat(c.acls()).containsExactly(
                new InitiatorAcl("iqn.2004-10.com.example:host1",
                        List.of(new LunMapping("v0", false), new LunMapping("logs", true))),
                new InitiatorAcl("iqn.2004-10.com.example:host2", List.of(new LunMapping("esx", false))));
        assertThat(parseUp("up").toConfig().acls()).as("no masking by default").isEmpty();
    }

    @Test
    void badVolumeOptionsAndAcls(@TempDir Path dir) {
        Run r = run("up", "--volume", "v0:1G:fast");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("\"fast\" is not a volume option (ro, memory, file, no-compare-and-write,"
                + " no-extended-copy, no-persistent-reservations, no-thin-provisioning)");
        r = run("up", "--acl", "iqn.2004-10.com.example:host1");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("is not IQN=VOLUME[:ro][,VOLUME[:ro]...]");
        r = run("up", "--acl", "host1=v0");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("\"host1\" is not an iSCSI name");
        r = run("up", "--data", dir.toString(), "--acl", "iqn.2004-10.com.example:host1=v9");
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).isEqualTo("braid: volume \"v9\" given to iqn.2004-10.com.example:host1 is not one of"
                + " the node's volumes\n");
    }

    @Test
    void aBadChapValueNeverEchoesTheSecret() {
        Run r = run("up", "--chap", "alice-without-colon-zzsecretzz");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--chap").contains("expected USER:SECRET")
                .doesNotContain("zzsecretzz");
    }

    @Test
    void inconsistentFlagsAreConfigErrors(@TempDir Path dir) {
        Run r = run("up", "--data", dir.toString(), "--volume", "a:1G", "--volume", "a:2G");
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).isEqualTo("braid: volume \"a\" is listed twice\n");

        r = run("up", "--data", dir.toString(), "--mutual-chap", "t:target-secret");
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).isEqualTo("braid: mutual CHAP needs initiator CHAP credentials too\n");
    }

    @Test
    void nodeRunReportsConfigErrorsOnOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "name: n\ndataDir: d\nvolumes:\n  - {name: v0, size: 1G}\n"
                + "  - {name: v1, size: 12X}\n");
        Run r = run("node", "run", "--config", file.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).isEqualTo("braid: " + file
                + ": volumes[1].size: \"12X\" is not a size (use e.g. 512M, 1G)\n");
        assertThat(r.out()).isEmpty();

        r = run("node", "run");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Missing required option: '--config=FILE'");
    }

    @Test
    void statusWithoutARunningInstance(@TempDir Path dir) {
        Run r = run("status", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(r.err()).isEqualTo("braid: no running Braid instance found in " + dir
                + " (no control.json; start one with: braid up --data " + dir + ")\n");
    }

    @Test
    void statusWithAStaleControlFile(@TempDir Path dir) throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            freePort = s.getLocalPort();
        }
        new ControlFile("http://127.0.0.1:" + freePort, 999999, "n", "iqn.2026-11.io.braid:n",
                "2026-11-21T10:00:00Z").write(dir, "tok");
        Run r = run("volume", "list", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(r.err()).startsWith("braid: no Braid instance answers at http://127.0.0.1:" + freePort)
                .contains("pid 999999");
    }

    @Test
    void apiNeedsAToken() {
        Run r = run("status", "--api", "http://127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).contains("--api needs a token");
    }

    @Test
    void statusAndVolumeListAgainstALiveApi(@TempDir Path dir) throws Exception {
        NodeView view = new NodeView() {
            @Override
            public StatusView status() {
                return new StatusView("n1", "RUNNING", "id-1", "iqn.2026-11.io.braid:n1",
                        List.of(new StatusView.PortalView("127.0.0.1:3260", 1)), 1,
                        "2026-11-21T10:00:00Z", 65);
            }

            @Override
            public List<VolumeView> volumes() {
                return List.of(new VolumeView("v0", 0, "2b1f0a52-4c1d-4a53-9a0e-1d2f3c4b5a69",
                        1L << 30, false, "2026-11-21T10:00:00Z",
                        List.of("iscsi://127.0.0.1:3260/iqn.2026-11.io.braid:n1/0")));
            }
        };
        try (ManagementApi api = ManagementApi.start(new HostPort("127.0.0.1", 0), "tok-1", view)) {
            new ControlFile(api.uri().toString(), 1, "n1", "iqn.2026-11.io.braid:n1",
                    "2026-11-21T10:00:00Z").write(dir, "tok-1");

            Run status = run("status", "--data", dir.toString());
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).isEqualTo("""
                    node:     n1 (RUNNING)
                    target:   iqn.2026-11.io.braid:n1
                    portals:  127.0.0.1:3260 (tpgt 1)
                    volumes:  1
                    uptime:   1m 5s
                    api:      %s
                    """.formatted(api.uri()));

            Run json = run("status", "--data", dir.toString(), "--output", "json");
            assertThat(json.exit()).isZero();
            assertThat(ManagementApi.JSON.readValue(json.out(), StatusView.class)).isEqualTo(view.status());

            Run list = run("volume", "list", "--data", dir.toString());
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).isEqualTo("""
                    NAME  LUN  SIZE   ALLOCATED  MODE  ID                                    URL
                    v0    0    1 GiB  1 GiB      rw    2b1f0a52-4c1d-4a53-9a0e-1d2f3c4b5a69  iscsi://127.0.0.1:3260/iqn.2026-11.io.braid:n1/0
                    """);

            Run viaUrl = run("volume", "list", "--api", api.uri().toString(), "--token", "tok-1",
                    "--output", "json");
            assertThat(viaUrl.exit()).as(viaUrl.err()).isZero();
            assertThat(ManagementApi.JSON.readValue(viaUrl.out(), VolumeView[].class))
                    .containsExactlyElementsOf(view.volumes());

            Run wrongToken = run("status", "--api", api.uri().toString(), "--token", "nope");
            assertThat(wrongToken.exit()).isEqualTo(ExitCodes.API_ERROR);
            assertThat(wrongToken.err()).startsWith("braid: GET /api/v1/status failed: missing or"
                    + " wrong bearer token").endsWith("(unauthorized)\n");
        }
    }

    @Test
    void uptimeIsShort() {
        assertThat(StatusCommand.uptime(5)).isEqualTo("5s");
        assertThat(StatusCommand.uptime(65)).isEqualTo("1m 5s");
        assertThat(StatusCommand.uptime(3 * 3600 + 4)).isEqualTo("3h 0m 4s");
        assertThat(StatusCommand.uptime(2 * 86400 + 3600)).isEqualTo("2d 1h 0m");
    }

    @Test
    void noCommandIsAUsageError() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("a command is required").contains("Usage: braid");
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("up", "node", "status", "volume");
    }

    @Test
    void driveCommandsAgainstALiveApi(@TempDir Path dir) throws Exception {
        List<DriveView> drives = new java.util.ArrayList<>(List.of(
                new DriveView("d0", "id-0", "/data/drives/d0", "ONLINE", "", 16L << 30, 12L << 20, 1.0),
                new DriveView("d1", "id-1", "/data/drives/d1", "REBUILDING", "replaced", 16L << 30, 8L << 20, 0.456),
                new DriveView("d2", "id-2", "/data/drives/d2", "FAILED", "I/O error: disk gone", 16L << 30, 4L << 20, 0.0)));
        NodeView view = new NodeView() {
            @Override
            public StatusView status() {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<VolumeView> volumes() {
                return List.of();
            }

            @Override
            public List<DriveView> drives() {
                return drives;
            }

            @Override
            public DriveView failDrive(String name) {
                if (!name.equals("d0")) {
                    throw new ApiException(409, "conflict", "drive " + name + " is already FAILED");
                }
                return new DriveView("d0", "id-0", "/data/drives/d0", "FAILED", "fault injection", 16L << 30, 0, 0.0);
            }

            @Override
            public DriveView replaceDrive(String name) {
                return new DriveView(name, "id-new", "/data/drives/" + name, "REBUILDING", "replaced", 16L << 30, 0, 0.0);
            }

            @Override
            public VolumeView resizeVolume(String name, long sizeBytes) {
                return new VolumeView(name, 0, "id", sizeBytes, false, "2026-11-21T10:00:00Z", List.of(), 0);
            }
        };
        try (ManagementApi api = ManagementApi.start(new HostPort("127.0.0.1", 0), "tok-2", view)) {
            new ControlFile(api.uri().toString(), 1, "n1", "iqn.2026-11.io.braid:n1",
                    "2026-11-21T10:00:00Z").write(dir, "tok-2");
            Run list = run("drive", "list", "--data", dir.toString());
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).isEqualTo("""
                    DRIVE  STATE       CAPACITY  USED    REBUILD                      PATH
                    d0     ONLINE      16 GiB    12 MiB  -                            /data/drives/d0
                    d1     REBUILDING  16 GiB    8 MiB   [#########-----------]  45%  /data/drives/d1
                    d2     FAILED      16 GiB    4 MiB   -                            /data/drives/d2
                    d2: I/O error: disk gone
                    """);
            Run json = run("drive", "list", "--api", api.uri().toString(), "--token", "tok-2", "--output", "json");
            assertThat(json.exit()).isZero();
            assertThat(ManagementApi.JSON.readTree(json.out()).findValuesAsText("state"))
                    .containsExactly("ONLINE", "REBUILDING", "FAILED");

            Run fail = run("drive", "fail", "d0", "--data", dir.toString());
            assertThat(fail.out()).isEqualTo("drive d0 is FAILED (fault injection)\n");
            Run conflict = run("drive", "fail", "d2", "--data", dir.toString());
            assertThat(conflict.exit()).isEqualTo(ExitCodes.API_ERROR);
            assertThat(conflict.err()).isEqualTo("braid: POST /api/v1/drives/d2/fail failed: drive d2 is"
                    + " already FAILED (conflict)\n");
            Run replace = run("drive", "replace", "d2", "--data", dir.toString());
            assertThat(replace.out()).isEqualTo("drive d2 replaced by /data/drives/d2 (id-new); REBUILDING"
                    + " [--------------------]   0%\n");
            Run resize = run("volume", "resize", "v0", "2G", "--data", dir.toString());
            assertThat(resize.out()).isEqualTo("volume v0 (LUN 0) is now 2 GiB\n");
            Run bad = run("volume", "resize", "v0", "2X", "--data", dir.toString());
            assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        }
    }
}
