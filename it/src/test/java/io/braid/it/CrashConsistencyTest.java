package io.braid.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash consistency of the page store through iSCSI (docs/storage.md "Crash safety"): {@code braid
 * up} runs in its own JVM while qemu-io writes patterns to random 64 KiB regions of a volume, with
 * a flush after every few writes; at a random moment the node gets SIGKILL. After a restart every
 * write qemu-io saw acknowledged must read back, and the one write in flight at the kill must have
 * left each 4 KiB unit of its region entirely old or entirely new. Many kills, different moments;
 * after each kill one copy of the mirrored metadata is zeroed as well.
 */
class CrashConsistencyTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final int REGION = 64 << 10;
    private static final int REGIONS = 512; // a 32 MiB volume
    private static final int CYCLES = 8;
    private static final int WRITES_PER_CYCLE = 400;
    private static final Pattern WROTE = Pattern.compile("wrote (\\d+)/(\\d+) bytes at offset (\\d+)");
    private static final Pattern MISMATCH = Pattern.compile("Pattern verification failed at offset (\\d+)");

    @TempDir
    Path dir;

    /** The pattern byte every region must hold (0 for never written). */
    private final int[] model = new int[REGIONS];

    @Test
    void everyAcknowledgedWriteSurvivesSigkillAtAnyMoment() throws Exception {
        Path qemuIo = Tools.require("qemu-io");
        Path stdbuf = Tools.find("stdbuf");
        Random random = new Random(42);
        int killedMidLoad = 0;
        int totalAcked = 0;
        int pattern = 1;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            try (CliProcess node = CliProcess.start(dir, "up", "--data", dir.resolve("data").toString(),
                    "--portal", "127.0.0.1:0", "--volume", "v0:" + (REGIONS * REGION / (1 << 20)) + "M",
                    "--drive-size", "64M", "--name", "crash")) {
                String url = node.awaitLines(1, TIMEOUT).get(0).split(" ")[2];
                verifyAll(qemuIo, url);

                // The load: WRITES_PER_CYCLE writes, a flush after every 8th.
                List<String> cmd = new ArrayList<>();
                if (stdbuf != null) {
                    cmd.addAll(List.of(stdbuf.toString(), "-oL"));
                }
                cmd.addAll(List.of(qemuIo.toString(), "-f", "raw"));
                int[] regions = new int[WRITES_PER_CYCLE];
                int[] patterns = new int[WRITES_PER_CYCLE];
                for (int i = 0; i < WRITES_PER_CYCLE; i++) {
                    regions[i] = random.nextInt(REGIONS);
                    patterns[i] = pattern;
                    pattern = pattern % 255 + 1;
                    cmd.addAll(List.of("-c", "write -P " + patterns[i] + " " + (long) regions[i] * REGION + " "
                            + REGION));
                    if (i % 8 == 7) {
                        cmd.addAll(List.of("-c", "flush"));
                    }
                }
                cmd.add(url);
                Process writer = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                List<String> out = new ArrayList<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            synchronized (out) {
                                out.add(line);
                            }
                        }
                    } catch (java.io.IOException e) {
                        // the writer was killed
                    }
                });
                reader.start();
                Thread.sleep(150 + random.nextInt(1500));
                node.kill();
                Thread.sleep(200); // let qemu-io print what completed before the kill
                writer.destroyForcibly();
                writer.waitFor(30, TimeUnit.SECONDS);
                reader.join(10_000);
                damageOneMetadataCopy(cycle);

                int acked = 0;
                synchronized (out) {
                    for (String line : out) {
                        Matcher m = WROTE.matcher(line);
                        if (m.find()) {
                            assertThat(Long.parseLong(m.group(3))).as("write %d of cycle %d", acked, cycle)
                                    .isEqualTo((long) regions[acked] * REGION);
                            model[regions[acked]] = patterns[acked];
                            acked++;
                        }
                    }
                }
                totalAcked += acked;
                System.out.println("cycle " + cycle + ": " + acked + " of " + WRITES_PER_CYCLE
                        + " writes acknowledged before SIGKILL");
                if (acked < WRITES_PER_CYCLE) {
                    killedMidLoad++;
                    inFlight = new int[]{regions[acked], model[regions[acked]], patterns[acked]};
                } else {
                    inFlight = null;
                }
            }
        }
        assertThat(killedMidLoad).as("kills that hit the node in the middle of the load")
                .isGreaterThanOrEqualTo(CYCLES / 2);
        assertThat(totalAcked).as("acknowledged writes checked after the kills").isGreaterThan(CYCLES * 10);
        try (CliProcess node = CliProcess.start(dir, "up", "--data", dir.resolve("data").toString(),
                "--portal", "127.0.0.1:0", "--volume", "v0:" + (REGIONS * REGION / (1 << 20)) + "M",
                "--drive-size", "64M", "--name", "crash")) {
            verifyAll(qemuIo, node.awaitLines(1, TIMEOUT).get(0).split(" ")[2]);
            assertThat(node.terminate(TIMEOUT)).isIn(0, 143);
        }
    }

    /**
     * After a kill, one copy of the page store metadata is damaged in turn (docs/storage.md
     * "Metadata mirror"): the journal segments of the primary zeroed, the mirror's checkpoint
     * zeroed, the mirror's journal zeroed, the primary's checkpoint zeroed. The restart must take
     * the other copy and lose nothing acknowledged.
     */
    private void damageOneMetadataCopy(int cycle) throws java.io.IOException {
        Path copy = dir.resolve("data").resolve(cycle % 4 == 0 || cycle % 4 == 3 ? "pagestore" : "pagestore-mirror");
        boolean journal = cycle % 2 == 0;
        List<Path> victims;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(copy)) {
            victims = files.filter(p -> journal ? p.getFileName().toString().startsWith("journal-")
                    : p.getFileName().toString().equals("checkpoint")).toList();
        }
        assertThat(victims).as("metadata files in %s", copy).isNotEmpty();
        for (Path f : victims) {
            java.nio.file.Files.write(f, new byte[(int) java.nio.file.Files.size(f)]);
        }
        System.out.println("cycle " + cycle + ": zeroed " + victims.size() + " file(s) of " + copy.getFileName());
    }

    /** The write that was in flight at the last kill: region, old pattern, new pattern. */
    private int[] inFlight;

    private void verifyAll(Path qemuIo, String url) {
        if (inFlight != null) {
            settleInFlight(qemuIo, url);
        }
        List<String> cmd = new ArrayList<>(List.of(qemuIo.toString(), "-f", "raw"));
        for (int r = 0; r < REGIONS; r++) {
            cmd.addAll(List.of("-c", "read -P " + model[r] + " " + (long) r * REGION + " " + REGION));
        }
        cmd.add(url);
        ToolResult res = Tools.run(TIMEOUT, cmd.toArray(String[]::new));
        assertThat(res.exitCode()).as(res.describe()).isZero();
        assertThat(res.output()).as("acknowledged writes that did not survive").doesNotContain("Pattern verification failed")
                .doesNotContain("failed");
    }

    /**
     * Each 4 KiB unit of the region of the interrupted write holds the old or the new pattern;
     * then the region is rewritten so the model knows it again.
     */
    private void settleInFlight(Path qemuIo, String url) {
        int region = inFlight[0];
        long base = (long) region * REGION;
        Map<Long, Integer> units = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of(qemuIo.toString(), "-f", "raw"));
        for (int u = 0; u < REGION / 4096; u++) {
            cmd.addAll(List.of("-c", "read -P " + inFlight[1] + " " + (base + u * 4096L) + " 4096"));
        }
        cmd.add(url);
        ToolResult old = Tools.run(TIMEOUT, cmd.toArray(String[]::new));
        Matcher m = MISMATCH.matcher(old.output());
        List<String> again = new ArrayList<>(List.of(qemuIo.toString(), "-f", "raw"));
        while (m.find()) {
            long at = Long.parseLong(m.group(1)) / 4096 * 4096;
            units.put(at, inFlight[2]);
            again.addAll(List.of("-c", "read -P " + inFlight[2] + " " + at + " 4096"));
        }
        System.out.println("interrupted write to region " + region + ": " + units.size()
                + " of 16 units new, the rest old");
        if (!units.isEmpty()) {
            again.add(url);
            ToolResult neu = Tools.run(TIMEOUT, again.toArray(String[]::new));
            assertThat(neu.output()).as("units of the interrupted write that are neither old nor new\n"
                    + neu.describe()).doesNotContain("Pattern verification failed");
        }
        ToolResult w = Tools.ok(TIMEOUT, qemuIo.toString(), "-f", "raw", "-c",
                "write -P " + inFlight[2] + " " + base + " " + REGION, "-c", "flush", url);
        assertThat(w.output()).contains("wrote " + REGION);
        model[region] = inFlight[2];
        inFlight = null;
    }
}
