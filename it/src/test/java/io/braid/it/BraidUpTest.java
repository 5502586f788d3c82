package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.node.ControlFile;
import io.braid.node.api.ManagementApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code braid up} and {@code braid node run} as a user runs them, in their own JVM: the printed
 * lines (iSCSI URLs, and the NBD exports of the host agent {@code braid up} runs), the CLI
 * finding the running instance from its data directory, a clean stop on SIGTERM,
 * identities that survive a restart, and clear messages when an address or the data directory is
 * taken.
 */
class BraidUpTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(30);
    /** Exit status of a JVM ended by SIGTERM after its shutdown hooks ran (128 + 15). */
    private static final int SIGTERM_EXIT = 143;
    private static final Pattern LINE = Pattern.compile(
            "iSCSI (\\S+) iscsi://127\\.0\\.0\\.1:(\\d+)/iqn\\.2026-11\\.io\\.braid:(\\S+)/(\\d+)");

    @TempDir
    Path dir;

    @Test
    void upPrintsOneLinePerLunServesTheCliAndStopsCleanlyOnSigterm() throws Exception {
        Path data = dir.resolve("data");
        List<String> ids;
        String port;
        try (CliProcess up = CliProcess.start(dir, "up", "--data", data.toString(), "--portal",
                "127.0.0.1:0", "--volume", "v0:64M", "--volume", "v1:32M", "--name", "uptest")) {
            List<String> lines = up.awaitLines(4, START);
            Matcher first = match(lines.get(0), up);
            Matcher second = match(lines.get(1), up);
            port = first.group(2);
            assertThat(first.group(1)).isEqualTo("v0");
            assertThat(first.group(3)).isEqualTo("uptest");
            assertThat(first.group(4)).isEqualTo("0");
            assertThat(second.group(1)).isEqualTo("v1");
            assertThat(second.group(2)).isEqualTo(port);
            assertThat(second.group(4)).isEqualTo("1");
            assertThat(lines.get(0)).isEqualTo("iSCSI v0 iscsi://127.0.0.1:" + port
                    + "/iqn.2026-11.io.braid:uptest/0");
            // The host agent exports every volume by name on nbd.sock in the data directory.
            Path socket = data.toAbsolutePath().normalize().resolve("nbd.sock");
            assertThat(lines.subList(2, 4)).containsExactly(
                    "NBD v0 nbd+unix:///v0?socket=" + socket,
                    "NBD v1 nbd+unix:///v1?socket=" + socket);
            assertThat(data.resolve("host-control.json")).exists();

            assertThat(data.resolve(ControlFile.CONTROL_FILE)).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    data.resolve(ControlFile.TOKEN_FILE)))).isEqualTo("rw-------");

            Cli.Run status = Cli.run("status", "--data", data.toString(), "--output", "json");
            assertThat(status.exit()).as(status.describe()).isZero();
            JsonNode s = ManagementApi.JSON.readTree(status.out());
            assertThat(s.get("state").asText()).isEqualTo("RUNNING");
            assertThat(s.get("node").asText()).isEqualTo("uptest");
            assertThat(s.get("volumes").asInt()).isEqualTo(2);
            assertThat(s.at("/portals/0/address").asText()).isEqualTo("127.0.0.1:" + port);

            Cli.Run text = Cli.run("status", "--data", data.toString());
            assertThat(text.out()).as(text.describe()).contains("node:     uptest (RUNNING)");

            ids = volumeIds(data);
            Cli.Run list = Cli.run("volume", "list", "--data", data.toString(), "--output", "json");
            JsonNode volumes = ManagementApi.JSON.readTree(list.out());
            assertThat(volumes.get(0).at("/urls/0").asText()).isEqualTo(lines.get(0).split(" ")[2]);
            assertThat(volumes.get(1).at("/urls/0").asText()).isEqualTo(lines.get(1).split(" ")[2]);

            int exit = up.terminate(STOP);
            assertThat(exit).as(up.describe()).isEqualTo(SIGTERM_EXIT);
            assertThat(up.stderr()).contains("Braid node uptest stopped");
            assertThat(up.stdout().lines().count()).as("stdout holds only the LUN and NBD lines")
                    .isEqualTo(4);
            assertThat(up.stderr()).contains("host agent iqn.2026-11.io.braid:host.uptest: stopped");
        }
        assertThat(data.resolve("nbd.sock")).doesNotExist();
        assertThat(data.resolve("host-control.json")).doesNotExist();
        assertThat(data.resolve(ControlFile.CONTROL_FILE)).doesNotExist();
        assertThat(data.resolve(ControlFile.TOKEN_FILE)).doesNotExist();
        assertThat(data.resolve("volumes/v0.json")).exists();
        // The blocks live on the page store: four sparse drive files and its metadata.
        for (int i = 0; i < 4; i++) {
            assertThat(Files.size(data.resolve("drives/d" + i))).isEqualTo(16L << 30);
        }
        assertThat(data.resolve("pagestore/checkpoint")).exists();
        assertThat(data.resolve("volumes/v0.img")).doesNotExist();

        Cli.Run gone = Cli.run("status", "--data", data.toString());
        assertThat(gone.exit()).as(gone.describe()).isEqualTo(5);

        // Same data directory again: same volumes, same identities.
        try (CliProcess again = CliProcess.start(dir, "up", "--data", data.toString(), "--portal",
                "127.0.0.1:0", "--volume", "v0:64M", "--volume", "v1:32M", "--name", "uptest")) {
            again.awaitLines(4, START);
            assertThat(volumeIds(data)).isEqualTo(ids);
            assertThat(again.terminate(STOP)).as(again.describe()).isEqualTo(SIGTERM_EXIT);
        }
    }

    @Test
    void aLargerSizeGrowsAVolumeAndASmallerOneNeverShrinksIt() throws Exception {
        Path data = dir.resolve("data");
        List<Long> sizes = new ArrayList<>();
        for (String size : List.of("8M", "16M", "8M")) {
            try (CliProcess up = CliProcess.start(dir, "up", "--data", data.toString(), "--portal",
                    "127.0.0.1:0", "--volume", "v0:" + size)) {
                up.awaitLines(1, START);
                Cli.Run list = Cli.run("volume", "list", "--data", data.toString(), "--output", "json");
                assertThat(list.exit()).as(list.describe()).isZero();
                sizes.add(ManagementApi.JSON.readTree(list.out()).get(0).get("sizeBytes").asLong());
                assertThat(up.terminate(STOP)).as(up.describe()).isEqualTo(SIGTERM_EXIT);
            }
        }
        assertThat(sizes).containsExactly(8L << 20, 16L << 20, 16L << 20);
    }

    @Test
    void aSwappedDriveStopsTheStartUnlessStartedDegraded() throws Exception {
        Path data = dir.resolve("data");
        List<String> args = List.of("up", "--data", data.toString(), "--portal", "127.0.0.1:0",
                "--volume", "v0:8M", "--drive-size", "64M");
        try (CliProcess up = CliProcess.start(dir, args.toArray(String[]::new))) {
            up.awaitLines(1, START);
            up.terminate(STOP);
        }
        Path tmp = dir.resolve("swap");
        Files.move(data.resolve("drives/d1"), tmp);
        Files.move(data.resolve("drives/d2"), data.resolve("drives/d1"));
        Files.move(tmp, data.resolve("drives/d2"));
        try (CliProcess up = CliProcess.start(dir, args.toArray(String[]::new))) {
            assertThat(up.awaitExit(START)).as(up.describe()).isEqualTo(3);
            assertThat(up.stderr()).as(up.describe()).contains("braid: drive d1 at " + data.resolve("drives/d1"))
                    .contains("was it swapped or reformatted?");
        }
        List<String> degraded = new ArrayList<>(args);
        degraded.add("--start-degraded");
        try (CliProcess up = CliProcess.start(dir, degraded.toArray(String[]::new))) {
            up.awaitLines(1, START);
            Cli.Run list = Cli.run("drive", "list", "--data", data.toString(), "--output", "json");
            assertThat(ManagementApi.JSON.readTree(list.out()).findValuesAsText("state"))
                    .containsExactly("ONLINE", "FAILED", "FAILED", "ONLINE");
            up.terminate(STOP);
        }
    }

    @Test
    void noHostRunsTheNodeAlone() throws Exception {
        Path data = dir.resolve("data");
        try (CliProcess up = CliProcess.start(dir, "up", "--data", data.toString(), "--portal",
                "127.0.0.1:0", "--volume", "v0:8M", "--no-host")) {
            match(up.awaitLines(1, START).get(0), up);
            assertThat(data.resolve("nbd.sock")).doesNotExist();
            assertThat(data.resolve("host-control.json")).doesNotExist();
            assertThat(up.terminate(STOP)).as(up.describe()).isEqualTo(SIGTERM_EXIT);
            assertThat(up.stdout().lines().count()).isEqualTo(1);
            assertThat(up.stderr()).doesNotContain("host agent");
        }
    }

    @Test
    void aTakenPortalIsNamed() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String taken = "127.0.0.1:" + busy.getLocalPort();
            try (CliProcess up = CliProcess.start(dir, "up", "--data", dir.resolve("data").toString(),
                    "--portal", taken, "--volume", "v0:8M")) {
                assertThat(up.awaitExit(START)).as(up.describe()).isEqualTo(4);
                assertThat(up.stderr()).as(up.describe()).contains("braid: iSCSI portal " + taken
                        + " is already in use by another process");
                assertThat(up.stdout()).isEmpty();
            }
            // Nothing was left behind: the directory is free for the next start.
            assertThat(dir.resolve("data").resolve(ControlFile.CONTROL_FILE)).doesNotExist();
        }
    }

    @Test
    void aTakenApiAddressIsNamed() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String taken = "127.0.0.1:" + busy.getLocalPort();
            try (CliProcess up = CliProcess.start(dir, "up", "--data", dir.resolve("data").toString(),
                    "--portal", "127.0.0.1:0", "--volume", "v0:8M", "--api-address", taken)) {
                assertThat(up.awaitExit(START)).as(up.describe()).isEqualTo(4);
                assertThat(up.stderr()).as(up.describe()).contains("braid: management API address "
                        + taken + " is already in use by another process");
            }
        }
    }

    @Test
    void aDataDirectoryInUseIsRefused() throws Exception {
        Path data = dir.resolve("data");
        try (CliProcess first = CliProcess.start(dir, "up", "--data", data.toString(), "--portal",
                "127.0.0.1:0", "--volume", "v0:8M")) {
            first.awaitLines(1, START);
            try (CliProcess second = CliProcess.start(dir, "up", "--data", data.toString(),
                    "--portal", "127.0.0.1:0", "--volume", "v0:8M")) {
                assertThat(second.awaitExit(START)).as(second.describe()).isEqualTo(4);
                assertThat(second.stderr()).contains("is in use by another Braid process");
            }
            assertThat(first.terminate(STOP)).isEqualTo(SIGTERM_EXIT);
        }
    }

    @Test
    void nodeRunServesWhatTheConfigFileSays() throws Exception {
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                name: filenode
                dataDir: state
                portals:
                  - address: 127.0.0.1:0
                    tpgt: 1
                volumes:
                  - {name: db, size: 16M, lun: 3}
                  - {name: logs, size: 8M}
                """);
        try (CliProcess run = CliProcess.start(dir, "node", "run", "--config", config.toString())) {
            List<String> lines = run.awaitLines(2, START);
            Matcher logs = match(lines.get(0), run);
            Matcher db = match(lines.get(1), run);
            assertThat(logs.group(1)).isEqualTo("logs");
            assertThat(logs.group(4)).isEqualTo("0");
            assertThat(db.group(1)).isEqualTo("db");
            assertThat(db.group(4)).isEqualTo("3");
            assertThat(db.group(3)).isEqualTo("filenode");
            assertThat(dir.resolve("state/volumes/db.json")).exists();
            assertThat(dir.resolve("state/drives/d0")).exists();
            assertThat(run.terminate(STOP)).as(run.describe()).isEqualTo(SIGTERM_EXIT);
        }
    }

    private static Matcher match(String line, CliProcess p) {
        Matcher m = LINE.matcher(line);
        assertThat(m.matches()).as("line \"" + line + "\"\n" + p.describe()).isTrue();
        return m;
    }

    private static List<String> volumeIds(Path data) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String name : List.of("v0", "v1")) {
            JsonNode v = ManagementApi.JSON.readTree(data.resolve("volumes/" + name + ".json").toFile());
            ids.add(v.get("id").asText());
        }
        return ids;
    }
}
