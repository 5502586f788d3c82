package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failover figures of docs/performance.md, measured on {@code braid up} (node and host agent
 * in one process, four paths) with real tools:
 *
 * <ul>
 *   <li><b>Stall under load</b>: fio (4 KiB random read/write, QD32) runs through the NBD export
 *   and logs every I/O with wall-clock timestamps ({@code --log_unix_epoch}); a path is cut — its
 *   connection reset ({@code ss -K}), or made silent (nftables drops its packets) — at a time this
 *   test records. <i>Detected</i>: from the cut to the agent's path-failed event. <i>Stall</i>:
 *   over the I/Os submitted before the detection and completed after the cut, the longest time
 *   from the cut (or the I/O's submission, if later) to its completion — for an I/O caught on
 *   the cut path, the time until it completed through another path. <i>Later writes held</i>:
 *   the worst latency of an I/O submitted after the detection, in the 10 s after the cut: writes
 *   overlapping a write of unknown outcome wait until the cut path's session logs in again
 *   (docs/host.md, "Ordering after a silent path"). <i>Noise</i>: the worst latency in the 2 s
 *   before the first cut.</li>
 *   <li><b>Overhead</b>: {@code qemu-img bench} (4 KiB, QD32, sequential read and write) straight
 *   over iSCSI (qemu's libiscsi, one session to the node) against the same I/O through the agent's
 *   NBD export (NBD + multipath over four paths), alternating, same volume, same run, with the CPU
 *   time the braid process spent per I/O. Through NBD twice: with {@code qemu-img bench}, whose
 *   NBD client keeps at most 16 requests in flight whatever {@code -d} says, and with fio's nbd
 *   engine (libnbd), which keeps all 32. For scale, a relay written in C measured the same way:
 *   {@code qemu-nbd} exporting the volume's {@code iscsi://} URL (libiscsi, one path), read and
 *   written by fio.</li>
 * </ul>
 *
 * One round by default, with loose bounds so that a loaded CI machine passes; for the figures run
 * {@code mvn -pl it -am verify -Dtest=FailoverFiguresTest -Dbraid.failover.rounds=5}: the table goes
 * to stdout and {@code it/target/failover-figures.md}.
 */
class FailoverFiguresTest {
    private static final String V = "v0";
    private static final int ROUNDS = Integer.getInteger("braid.failover.rounds", 1);
    private static final int BENCH_COUNT = 40_000;
    private static final Pattern BENCH = Pattern.compile("Run completed in ([\\d.]+) seconds");
    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS = 100;

    @TempDir
    Path dir;

    record Cut(String kind, long detectedMillis, long stallMillis, long laterMillis, long noiseMillis) {
    }

    /**
     * One round of one direction: IOPS straight over iSCSI, through the agent with qemu-img and with
     * fio, through qemu-nbd's relay with fio; the braid process's CPU µs per I/O straight and through
     * the agent (fio).
     */
    record Bench(boolean write, double directIops, double nbdIops, double fioIops, double relayIops,
            double directCpuMicros, double fioCpuMicros) {
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void stallAfterACutAndOverheadOfNbdAndMultipath() throws Exception {
        NetFaults.require();
        Tools.require("fio");
        Tools.require("qemu-img");
        List<Cut> cuts = new ArrayList<>();
        List<Bench> benches = new ArrayList<>();
        String load;
        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, V + ":256M")) {
            up.awaitActivePaths(V, 4, Duration.ofSeconds(30));
            long pid = up.process().pid();
            load = loadAverage();
            for (int round = 1; round <= ROUNDS; round++) {
                Path logs = dir.resolve("round-" + round);
                try (FioRun fio = FioRun.start(dir, up.nbd(V), logs, "--name=load", "--rw=randrw",
                        "--bs=4k", "--iodepth=32", "--size=64M", "--time_based", "--runtime=26")) {
                    Thread.sleep(3000);
                    long quietTo = System.currentTimeMillis();

                    long events = lastEvent(up);
                    long reset = System.currentTimeMillis();
                    assertThat(NetFaults.reset("127.0.0.1", up.portalHost(0), up.portalPort(0))).isEqualTo(1);
                    long resetDetected = detected(up, events, "127.0.0.1->" + up.portal(0));
                    up.awaitActivePaths(V, 4, Duration.ofSeconds(20));
                    Thread.sleep(Math.max(0, reset + 8000 - System.currentTimeMillis()));

                    events = lastEvent(up);
                    long silent = System.currentTimeMillis();
                    long silentDetected;
                    try (NetFaults.Silence s = NetFaults.silence("127.0.0.2", up.portalHost(1), up.portalPort(1))) {
                        silentDetected = detected(up, events, "127.0.0.2->" + up.portal(1));
                        Thread.sleep(Math.max(0, silent + 6000 - System.currentTimeMillis()));
                    }
                    up.awaitActivePaths(V, 4, Duration.ofSeconds(30));

                    ToolResult r = fio.await(Duration.ofMinutes(2));
                    assertThat(r.exitCode()).as(r.describe()).isZero();
                    for (JsonNode j : FioRun.json(r).get("jobs")) {
                        assertThat(j.get("error").asInt()).as(r.describe()).isZero();
                    }
                    List<FioRun.Io> ios = fio.ios();
                    long noise = worst(ios, quietTo - 2000, quietTo, Long.MIN_VALUE);
                    cuts.add(cut("reset", reset, resetDetected, noise, ios));
                    cuts.add(cut("silent", silent, silentDetected, noise, ios));
                }
                try (Relay relay = Relay.start(dir, up.iscsi(V))) {
                    for (boolean write : new boolean[] {false, true}) {
                        // Straight first and last, so that a drift of the machine's speed during
                        // the round weighs on both sides of the ratio alike.
                        double[] direct = bench(pid, up.iscsi(V), write);
                        double[] nbd = bench(pid, up.nbd(V), write);
                        double[] fio = fio(pid, up.nbd(V), write);
                        double[] viaRelay = fio(pid, relay.uri(), write);
                        double[] direct2 = bench(pid, up.iscsi(V), write);
                        benches.add(new Bench(write, (direct[0] + direct2[0]) / 2, nbd[0], fio[0], viaRelay[0],
                                (direct[1] + direct2[1]) / 2, fio[1]));
                    }
                }
            }
            JsonNode device = up.host("/devices/" + V);
            assertThat(device.get("errors").asLong()).as(device.toString()).isZero();
        }

        String md = table(load, cuts, benches);
        System.out.println(md);
        Files.writeString(Path.of("target", "failover-figures.md"), md);

        for (Cut c : cuts) {
            // Loose bounds for a loaded CI machine; the goals (1 s, 2 s) are in docs/performance.md.
            assertThat(c.stallMillis()).as(c.toString()).isLessThan(c.kind().equals("reset") ? 5000 : 10000);
        }
        for (Bench b : benches) {
            assertThat(b.nbdIops()).as(b.toString()).isPositive();
            assertThat(b.fioIops()).as(b.toString()).isPositive();
            assertThat(b.relayIops()).as(b.toString()).isPositive();
        }
    }

    private static String table(String load, List<Cut> cuts, List<Bench> benches) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(machine()).append("; load average at start: ").append(load).append("\n\n");
        md.append("| round | cut | detected | stall | later writes held | noise |\n");
        md.append("| --- | --- | --- | --- | --- | --- |\n");
        for (int i = 0; i < cuts.size(); i++) {
            Cut c = cuts.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %s | %d ms | %d ms | %d ms | %d ms |%n", i / 2 + 1,
                    c.kind(), c.detectedMillis(), c.stallMillis(), c.laterMillis(), c.noiseMillis()));
        }
        for (String kind : List.of("reset", "silent")) {
            long[] stalls = cuts.stream().filter(c -> c.kind().equals(kind)).mapToLong(Cut::stallMillis).toArray();
            long[] detected = cuts.stream().filter(c -> c.kind().equals(kind)).mapToLong(Cut::detectedMillis).toArray();
            md.append(String.format(Locale.ROOT, "| median | %s | %d ms | %d ms | | |%n", kind, median(detected),
                    median(stalls)));
        }
        md.append("\n| round | 4 KiB QD32 | straight over iSCSI, qemu-img | NBD + multipath, qemu-img (16 in flight)"
                + " | NBD + multipath, fio | qemu-nbd relay, fio | braid CPU per I/O, straight | braid CPU per I/O,"
                + " NBD + multipath (fio) |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (int i = 0; i < benches.size(); i++) {
            Bench b = benches.get(i);
            md.append(String.format(Locale.ROOT,
                    "| %d | %s | %.0f IOPS | %.0f IOPS (%.0f%%) | %.0f IOPS (%.0f%%) | %.0f IOPS (%.0f%%) | %.0f µs | %.0f µs |%n",
                    i / 2 + 1, b.write() ? "write" : "read", b.directIops(), b.nbdIops(),
                    100 * b.nbdIops() / b.directIops(), b.fioIops(), 100 * b.fioIops() / b.directIops(),
                    b.relayIops(), 100 * b.relayIops() / b.directIops(), b.directCpuMicros(), b.fioCpuMicros()));
        }
        for (boolean write : new boolean[] {false, true}) {
            md.append(String.format(Locale.ROOT, "| median | %s | | %d%% | %d%% | %d%% | | |%n",
                    write ? "write" : "read", medianRatio(benches, write, Bench::nbdIops),
                    medianRatio(benches, write, Bench::fioIops), medianRatio(benches, write, Bench::relayIops)));
        }
        return md.toString();
    }

    /** The median over the rounds of {@code iops} as a percentage of the straight IOPS. */
    private static long medianRatio(List<Bench> benches, boolean write, ToDoubleFunction<Bench> iops) {
        return median(benches.stream().filter(b -> b.write() == write)
                .mapToLong(b -> Math.round(100 * iops.applyAsDouble(b) / b.directIops())).toArray());
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    /** A cut at {@code at} (epoch ms), detected at {@code detectedAt} (epoch ms). */
    private static Cut cut(String kind, long at, long detectedAt, long noise, List<FioRun.Io> ios) {
        double stall = 0;
        for (FioRun.Io io : ios) {
            if (io.issuedMillis() <= detectedAt && io.completedMillis() >= at) {
                stall = Math.max(stall, io.completedMillis() - Math.max(io.issuedMillis(), at));
            }
        }
        long later = worst(ios, at, at + 10_000, detectedAt);
        return new Cut(kind, detectedAt - at, Math.round(stall), later, noise);
    }

    /** The worst latency (ms) of the I/Os completed between {@code from} and {@code to}, submitted after {@code after}. */
    private static long worst(List<FioRun.Io> ios, long from, long to, long after) {
        long worst = 0;
        for (FioRun.Io io : ios) {
            if (io.completedMillis() >= from && io.completedMillis() <= to && io.issuedMillis() > after) {
                worst = Math.max(worst, io.latencyNanos() / 1_000_000);
            }
        }
        return worst;
    }

    /** The sequence number of the agent's latest event. */
    private static long lastEvent(BraidUpWithAgent up) throws Exception {
        long last = 0;
        for (JsonNode e : up.host("/events?after=0")) {
            last = Math.max(last, e.get("sequence").asLong());
        }
        return last;
    }

    /** When (epoch ms) the agent failed the path {@code hostPort->portal}, after event {@code after}. */
    private static long detected(BraidUpWithAgent up, long after, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            for (JsonNode e : up.host("/events?after=" + after)) {
                if (e.get("type").asText().equals("path-failed") && e.get("path").asText().startsWith(path + " ")) {
                    return Instant.parse(e.get("time").asText()).toEpochMilli();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no path-failed event for " + path);
    }

    /** IOPS of {@code qemu-img bench} 4 KiB QD32 against {@code url}, and the braid process's CPU µs per I/O. */
    private static double[] bench(long pid, String url, boolean write) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "bench", "-f", "raw", "-c", String.valueOf(BENCH_COUNT),
                "-d", "32", "-s", "4096"));
        if (write) {
            cmd.add("-w");
        }
        cmd.add(url);
        long cpu = cpuTicks(pid);
        ToolResult r = Tools.run(Duration.ofMinutes(5), Map.of(), cmd);
        long used = cpuTicks(pid) - cpu;
        Matcher m = BENCH.matcher(r.stdout());
        assertThat(r.exitCode() == 0 && m.find()).as(r.describe()).isTrue();
        return new double[] {BENCH_COUNT / Double.parseDouble(m.group(1)), used / TICKS * 1e6 / BENCH_COUNT};
    }

    /**
     * IOPS of fio's nbd engine (libnbd), 4 KiB QD32, sequential as {@code qemu-img bench} is, against
     * {@code uri}, and the braid process's CPU µs per I/O.
     */
    private static double[] fio(long pid, String uri, boolean write) throws IOException {
        long cpu = cpuTicks(pid);
        ToolResult r = Tools.run(Duration.ofMinutes(5), Map.of(), List.of("fio", "--name=bench", "--ioengine=nbd",
                "--uri=" + uri, "--rw=" + (write ? "write" : "read"), "--bs=4k", "--iodepth=32", "--size=256M",
                "--number_ios=" + BENCH_COUNT, "--output-format=json"));
        long used = cpuTicks(pid) - cpu;
        assertThat(r.exitCode()).as(r.describe()).isZero();
        JsonNode job = FioRun.json(r).get("jobs").get(0);
        assertThat(job.get("error").asInt()).as(r.describe()).isZero();
        JsonNode side = job.get(write ? "write" : "read");
        assertThat(side.get("total_ios").asLong()).as(r.describe()).isEqualTo(BENCH_COUNT);
        return new double[] {side.get("iops").asDouble(), used / TICKS * 1e6 / BENCH_COUNT};
    }

    /**
     * {@code qemu-nbd} serving an {@code iscsi://} URL on a Unix socket: a relay written in C, for
     * scale. Started after a round's cuts and closed before the next round's, so that the reset of
     * portal 0's connection finds the agent's alone.
     */
    private record Relay(Process process, Path socket) implements AutoCloseable {
        static Relay start(Path dir, String iscsiUrl) throws IOException, InterruptedException {
            Tools.require("qemu-nbd");
            Path socket = dir.resolve("relay.sock");
            Path log = dir.resolve("qemu-nbd.log");
            Files.deleteIfExists(socket); // an earlier round's, so that the wait below sees this one's
            Process p = new ProcessBuilder("qemu-nbd", "--persistent", "--format=raw", "--export-name=v0",
                    "--socket=" + socket, iscsiUrl).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(socket) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (!Files.exists(socket)) {
                p.destroyForcibly();
                throw new AssertionError("qemu-nbd did not listen on " + socket + ":\n" + Files.readString(log));
            }
            return new Relay(p, socket);
        }

        String uri() {
            return "nbd+unix:///v0?socket=" + socket;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** utime + stime of a process, in clock ticks (proc(5)). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static String machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        long memGib = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) >> 20).orElse(0L);
        return Runtime.getRuntime().availableProcessors() + " x " + cpu + ", " + memGib + " GiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
