package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.node.api.ManagementApi;
import org.junit.jupiter.api.Assertions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * fio running in the background while a test makes faults, with its JSON summary and, when asked,
 * a completion log of every I/O with wall-clock timestamps ({@code --log_unix_epoch}), so that
 * the test can tell which I/Os were in flight at a cut and when they completed.
 */
final class FioRun implements AutoCloseable {
    private final Process process;
    private final List<String> command;
    private final Path out;
    private final Path err;
    private final Path logPrefix;

    private FioRun(Process process, List<String> command, Path out, Path err, Path logPrefix) {
        this.process = process;
        this.command = command;
        this.out = out;
        this.err = err;
        this.logPrefix = logPrefix;
    }

    /**
     * Starts {@code fio --ioengine=nbd --uri=URI --output-format=json JOB...}.
     *
     * @param logDir where the per-I/O completion-latency log goes, or null for none
     */
    static FioRun start(Path dir, String uri, Path logDir, String... job) throws IOException {
        Tools.require("fio");
        List<String> cmd = new ArrayList<>(List.of("fio", "--ioengine=nbd", "--uri=" + uri,
                "--output-format=json", "--verify_state_save=0"));
        Path prefix = null;
        if (logDir != null) {
            Files.createDirectories(logDir);
            prefix = logDir.resolve("io");
            cmd.addAll(List.of("--write_lat_log=" + prefix, "--log_avg_msec=0", "--log_unix_epoch=1"));
        }
        cmd.addAll(List.of(job));
        Path o = Files.createTempFile(dir, "fio-", ".out");
        Path e = Files.createTempFile(dir, "fio-", ".err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        return new FioRun(p, cmd, o, e, prefix);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for fio to end; a run still going after {@code timeout} fails the test. */
    ToolResult await(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            Assertions.fail("fio still running after " + timeout.toSeconds() + " s\n" + result(-1).describe());
        }
        return result(process.exitValue());
    }

    private ToolResult result(int exit) throws IOException {
        return new ToolResult(command, exit, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** fio's JSON summary from its output (the nbd engine prints a line before it). */
    static JsonNode json(ToolResult r) throws IOException {
        int start = r.stdout().indexOf('{');
        Assertions.assertTrue(start >= 0, () -> "no JSON from fio\n" + r.describe());
        return ManagementApi.JSON.readTree(r.stdout().substring(start));
    }

    /** One completed I/O from the latency log: completion time (epoch ms), latency, direction. */
    record Io(long completedMillis, long latencyNanos, boolean write) {
        double issuedMillis() {
            return completedMillis - latencyNanos / 1e6;
        }
    }

    /** Every I/O of every job's total-latency log ({@code lat}: submission to completion). */
    List<Io> ios() throws IOException {
        List<Io> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(logPrefix.getParent())) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("io_lat")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] v = line.split(",\\s*");
                    if (v.length >= 3) {
                        all.add(new Io(Long.parseLong(v[0]), Long.parseLong(v[1]), v[2].equals("1")));
                    }
                }
            }
        }
        return all;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
