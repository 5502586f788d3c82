package io.braid.it;

import org.junit.jupiter.api.Assertions;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@code braid} CLI in its own JVM (the same classes as {@code ./braid}, from the test
 * classpath), so that tests can send it SIGTERM and watch it exit like a user would.
 */
final class CliProcess implements AutoCloseable {
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final List<String> command;

    private CliProcess(Process process, Path stderr, List<String> command) {
        this.process = process;
        this.stderr = stderr;
        this.command = command;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process went away; EOF below tells the waiter
            } finally {
                lines.add(EOF);
            }
        }, "cli-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static CliProcess start(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.braid.cli.Main");
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "cli-", ".err");
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(err.toFile())
                .start();
        return new CliProcess(p, err, List.of(args));
    }

    /** Waits for {@code n} lines on stdout; fails with everything printed if they do not come. */
    List<String> awaitLines(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < n) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                Assertions.fail("braid " + String.join(" ", command) + ": no " + n
                        + " lines within " + timeout.toSeconds() + "s\n" + describe());
            }
            if (line.equals(EOF)) {
                process.waitFor(10, TimeUnit.SECONDS);
                Assertions.fail("braid " + String.join(" ", command) + " ended before printing "
                        + n + " lines\n" + describe());
            }
            seen.add(line);
        }
        return List.copyOf(seen.subList(0, n));
    }

    /** Sends SIGTERM (what {@code kill PID} and service managers send) and waits for the exit. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Sends SIGKILL (no shutdown hook runs, like a crash) and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            Assertions.fail("braid " + String.join(" ", command) + " survived SIGKILL\n" + describe());
        }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            Assertions.fail("braid " + String.join(" ", command) + " did not exit within "
                    + timeout.toSeconds() + "s\n" + describe());
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    String stderr() {
        try {
            return new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** Every stdout line so far, waiting briefly for the stream to end if the process has. */
    String stdout() {
        List<String> all = new ArrayList<>(seen);
        String line;
        while ((line = lines.poll()) != null) {
            if (!line.equals(EOF)) {
                all.add(line);
                seen.add(line);
            }
        }
        return String.join("\n", all);
    }

    String describe() {
        return "--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr() + "\n---";
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
