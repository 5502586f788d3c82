package io.braid.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs real external tools (libiscsi, qemu, libnbd, fio) for end-to-end tests. A missing tool fails the test
 * when running in CI ({@code CI=true}, passed by surefire as {@code BRAID_CI} too) and skips it
 * elsewhere: in CI a missing tool must never turn into a silent skip.
 */
final class Tools {
    /** Debian/Ubuntu package of each tool, for the message when it is missing. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("iscsi-ls", "libiscsi-bin"),
            Map.entry("iscsi-inq", "libiscsi-bin"),
            Map.entry("iscsi-readcapacity16", "libiscsi-bin"),
            Map.entry("iscsi-test-cu", "libiscsi-bin"),
            Map.entry("qemu-img", "qemu-utils qemu-block-extra"),
            Map.entry("qemu-io", "qemu-utils qemu-block-extra"),
            Map.entry("qemu-nbd", "qemu-utils qemu-block-extra"),
            Map.entry("iscsi-perf", "libiscsi-bin"),
            Map.entry("tgtd", "tgt"),
            Map.entry("tgtadm", "tgt"),
            Map.entry("iperf3", "iperf3"),
            Map.entry("nbdinfo", "libnbd-bin"),
            Map.entry("nbdcopy", "libnbd-bin"),
            Map.entry("fio", "fio"),
            Map.entry("ss", "iproute2"),
            Map.entry("nft", "nftables"),
            Map.entry("losetup", "mount"));

    private Tools() {
    }

    /** Whether this run is CI, where missing tools are failures. */
    static boolean ci() {
        return isSet(System.getenv("CI")) || isSet(System.getenv("BRAID_CI"));
    }

    static boolean isSet(String value) {
        // Maven leaves "${env.CI}" unexpanded when CI is not set.
        return value != null && !value.isBlank() && !value.startsWith("${")
                && !value.equalsIgnoreCase("false") && !value.equals("0");
    }

    /**
     * The path of {@code tool}; when it is missing, fails in CI and aborts (skips) the test
     * elsewhere.
     */
    static Path require(String tool) {
        return require(tool, ci());
    }

    static Path require(String tool, boolean ci) {
        Path found = find(tool);
        if (found != null) {
            return found;
        }
        String message = "required test tool '" + tool + "' is not installed (Debian/Ubuntu: "
                + "apt-get install " + PACKAGES.getOrDefault(tool, tool)
                + "; .ci/run installs it)";
        if (ci) {
            Assertions.fail(message + " [CI=true: a missing tool is a failure, never a skip]");
        }
        Assumptions.abort(message);
        return null;
    }

    static Path find(String tool) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs a command to completion; a command still running after {@code timeout} fails the test. */
    static ToolResult run(Duration timeout, String... command) {
        return run(timeout, Map.of(), List.of(command));
    }

    static ToolResult run(Duration timeout, Map<String, String> env, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("braid-tool-", ".out");
            err = Files.createTempFile("braid-tool-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                ToolResult partial = new ToolResult(command, -1, read(out), read(err));
                Assertions.fail("timed out after " + seconds(timeout) + ":\n"
                        + partial.describe());
            }
            return new ToolResult(command, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs and asserts exit code 0, returning the result. */
    static ToolResult ok(Duration timeout, String... command) {
        ToolResult r = run(timeout, command);
        Assertions.assertEquals(0, r.exitCode(), () -> "command failed:\n" + r.describe());
        return r;
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() / 1000.0 + "s";
    }

    static List<String> cmd(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            out.add(String.valueOf(p));
        }
        return out;
    }

    private static String read(Path file) throws IOException {
        // Not readString: tool output may hold bytes that are not UTF-8; replace them, never throw.
        return file == null ? "" : new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }
}
