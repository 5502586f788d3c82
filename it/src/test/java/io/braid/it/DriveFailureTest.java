package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.node.api.ManagementApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drive failure under a real client (docs/storage.md "Drive states and failure"): qemu-img copies
 * an image into a LUN while {@code braid drive fail} takes a drive out; the copy sees no error and
 * reads back intact; {@code braid drive replace} rebuilds while another copy runs; then a second
 * drive fails and the data is still all there.
 */
class DriveFailureTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final long SIZE = 192L << 20;

    @TempDir
    Path dir;

    @Test
    void aClientSeesNoErrorWhileDrivesFailAndAreRebuilt() throws Exception {
        Tools.require("qemu-img");
        Path first = randomImage(dir.resolve("first.raw"), 1);
        Path second = randomImage(dir.resolve("second.raw"), 2);
        Path data = dir.resolve("data");
        try (TestNode node = TestNode.in(data).volume("v0", SIZE).start()) {
            String url = node.url(0);

            Process copy = copyInto(first, url);
            // Fail d1 once the copy is well under way (16 MiB of its 192 MiB stored).
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5)).until(() -> !copy.isAlive()
                    || node.node().pageStore().volumes().get(0).allocatedBytes() >= 16L << 20);
            boolean failedDuringCopy = copy.isAlive();
            Cli.Run fail = Cli.run("drive", "fail", "d1", "--data", data.toString());
            assertThat(fail.exit()).as(fail.describe()).isZero();
            assertThat(fail.out()).contains("drive d1 is FAILED (fault injection)");
            assertFinished(copy);
            assertThat(failedDuringCopy).as("d1 failed while qemu-img was writing").isTrue();
            assertThat(drive(data, "d1").get("state").asText()).isEqualTo("FAILED");
            assertReadsBack(first, url);

            Cli.Run again = Cli.run("drive", "fail", "d1", "--data", data.toString());
            assertThat(again.exit()).isEqualTo(6);
            assertThat(again.err()).contains("already FAILED").contains("(conflict)");

            Cli.Run replace = Cli.run("drive", "replace", "d1", "--data", data.toString());
            assertThat(replace.exit()).as(replace.describe()).isZero();
            assertThat(replace.out()).contains("drive d1 replaced by " + data.resolve("drives/d1"));
            Process copy2 = copyInto(second, url); // foreground load during the rebuild
            assertFinished(copy2);
            await().atMost(TIMEOUT).until(() -> drive(data, "d1").get("state").asText().equals("ONLINE"));
            Cli.Run list = Cli.run("drive", "list", "--data", data.toString());
            assertThat(list.out()).as(list.describe()).contains("ONLINE").doesNotContain("FAILED");

            // Two copies of every page again: losing another drive loses nothing.
            assertThat(Cli.run("drive", "fail", "d2", "--data", data.toString()).exit()).isZero();
            assertReadsBack(second, url);
            assertThat(node.node().driveEvents()).extracting(e -> e.driveName() + ":" + e.to())
                    .containsExactly("d1:FAILED", "d1:REBUILDING", "d1:ONLINE", "d2:FAILED");
            assertThat(node.node().driveEvents().get(0).affectedVolumes()).containsExactly("v0");
        }
    }

    private static JsonNode drive(Path data, String name) throws Exception {
        Cli.Run r = Cli.run("drive", "list", "--data", data.toString(), "--output", "json");
        assertThat(r.exit()).as(r.describe()).isZero();
        for (JsonNode d : ManagementApi.JSON.readTree(r.out())) {
            if (d.get("name").asText().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no drive " + name + " in " + r.out());
    }

    private Process copyInto(Path image, String url) throws Exception {
        return new ProcessBuilder(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw",
                image.toString(), url))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(image.getFileName() + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private void assertFinished(Process p) throws Exception {
        boolean done = p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done).as("qemu-img finished").isTrue();
        assertThat(p.exitValue()).as("qemu-img exit code (a client error would make it fail)").isZero();
    }

    private void assertReadsBack(Path image, String url) throws Exception {
        Path back = dir.resolve("back.raw");
        Files.deleteIfExists(back);
        Tools.ok(TIMEOUT, "qemu-img", "convert", "-f", "raw", "-O", "raw", url, back.toString());
        assertThat(Files.mismatch(image, back)).as("first differing byte (-1 = identical)").isEqualTo(-1L);
    }

    private static Path randomImage(Path file, long seed) throws Exception {
        byte[] data = new byte[(int) SIZE];
        new Random(seed).nextBytes(data);
        Files.write(file, data);
        return file;
    }
}
