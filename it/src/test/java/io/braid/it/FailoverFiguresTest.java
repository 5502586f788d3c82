package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failover figures of docs/performance.md, measured on {@code braid up} (node and host agent,
 * four paths) with real tools:
 *
 * <ul>
 *   <li><b>Stall under load</b>: fio (4 KiB random read/write, QD32) runs through the NBD export
 *   and logs every I/O with wall-clock timestamps; a path is cut — its connection reset
 *   ({@code ss -K}), or made silent (nftables drops its packets) — at a time this test records.
 *   Detection is the time from the cut to the agent's path-failed event. The stall is the longest
 *   any I/O was held up after the cut: over the I/Os completed in the 10 s after it, the largest
 *   time from the cut (or from the I/O's submission, if later) to its completion — for an I/O
 *   caught on the cut path, the time until it completed through another path. The worst I/O
 *   latency in the 2 s before the first cut shows the noise of the machine.</li>
 *   <li><b>Overhead</b>: {@code qemu-img bench} (4 KiB, QD32, read and write) straight over iSCSI
 *   (qemu's libiscsi, one session) against the same through the agent's NBD export (qemu's NBD
 *   client, then NBD + multipath over four paths), alternating, same volume, same run.</li>
 * </ul>
 *
 * One round by default, with loose bounds so that a loaded CI machine passes; for the figures run
 * {@code mvn -pl it -am verify -Dtest=FailoverFiguresTest -Dbraid.failover.rounds=5}: the table goes
 * to stdout and {@code it/target/failover-figures.md}.
 */
class FailoverFiguresTest {
    private static final String V = "v0";
    private static final int ROUNDS = Integer.getInteger("braid.failover.rounds", 1);
    private static final Pattern BENCH = Pattern.compile("Run completed in ([\\d.]+) seconds");

    @TempDir
    Path dir;

    record Cut(String kind, long atMillis, long detectedMillis, long stallMillis, long worstMillis) {
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void stallAfterACutAndOverheadOfNbdAndMultipath() throws Exception {
        NetFaults.require();
        Tools.require("fio");
        Tools.require("qemu-img");
        List<Cut> cuts = new ArrayList<>();
        List<Long> baselineWorst = new ArrayList<>();
        List<double[]> ratios = new ArrayList<>();
        StringBuilder iopsRows = new StringBuilder();
        String load;
        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, V + ":256M")) {
            up.awaitActivePaths(V, 4, Duration.ofSeconds(30));
            load = loadAverage();
            for (int round = 1; round <= ROUNDS; round++) {
                Path logs = dir.resolve("round-" + round);
                try (FioRun fio = FioRun.start(dir, up.nbd(V), logs, "--name=load", "--rw=randrw",
                        "--bs=4k", "--iodepth=32", "--size=64M", "--time_based", "--runtime=26")) {
                    Thread.sleep(3000);
                    long quietFrom = System.currentTimeMillis() - 2000;
                    long quietTo = System.currentTimeMillis();

                    long events = lastEvent(up);
                    long reset = System.currentTimeMillis();
                    assertThat(NetFaults.reset("127.0.0.1", up.portalHost(0), up.portalPort(0))).isEqualTo(1);
                    long resetDetected = detected(up, events, "127.0.0.1->" + up.portal(0)) - reset;
                    up.awaitActivePaths(V, 4, Duration.ofSeconds(20));
                    Thread.sleep(Math.max(0, reset + 8000 - System.currentTimeMillis()));

                    events = lastEvent(up);
                    long silent = System.currentTimeMillis();
                    long silentDetected;
                    try (NetFaults.Silence s = NetFaults.silence("127.0.0.2", up.portalHost(1), up.portalPort(1))) {
                        up.awaitDevice(V, Duration.ofSeconds(15), d -> d.get("activePaths").asInt() == 3);
                        silentDetected = detected(up, events, "127.0.0.2->" + up.portal(1)) - silent;
                        Thread.sleep(Math.max(0, silent + 6000 - System.currentTimeMillis()));
                    }
                    up.awaitActivePaths(V, 4, Duration.ofSeconds(30));

                    ToolResult r = fio.await(Duration.ofMinutes(2));
                    assertThat(r.exitCode()).as(r.describe()).isZero();
                    for (JsonNode j : FioRun.json(r).get("jobs")) {
                        assertThat(j.get("error").asInt()).as(r.describe()).isZero();
                    }
                    List<FioRun.Io> ios = fio.ios();
                    baselineWorst.add(worst(ios, quietFrom, quietTo));
                    cuts.add(cut("reset", reset, resetDetected, ios));
                    cuts.add(cut("silent", silent, silentDetected, ios));
                }
                for (boolean write : new boolean[] {false, true}) {
                    double direct = bench(up.iscsi(V), write);
                    double nbd = bench(up.nbd(V), write);
                    double direct2 = bench(up.iscsi(V), write);
                    double nbd2 = bench(up.nbd(V), write);
                    double d = (direct + direct2) / 2;
                    double n = (nbd + nbd2) / 2;
                    ratios.add(new double[] {write ? 1 : 0, d, n});
                    iopsRows.append(String.format(Locale.ROOT, "| %d | 4 KiB QD32 %s | %.0f | %.0f | %.0f%% |%n",
                            round, write ? "write" : "read", d, n, 100 * n / d));
                }
            }
            JsonNode device = up.host("/devices/" + V);
            assertThat(device.get("errors").asLong()).as(device.toString()).isZero();
        }

        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(machine()).append("; load average at start: ").append(load).append("\n\n");
        md.append("| round | cut | detected (path failed) | stall | worst I/O latency, 10 s after the cut | worst I/O latency before any cut |\n");
        md.append("| --- | --- | --- | --- | --- | --- |\n");
        for (int i = 0; i < cuts.size(); i++) {
            Cut c = cuts.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %s | %d ms | %d ms | %d ms | %d ms |%n", i / 2 + 1, c.kind(),
                    c.detectedMillis(), c.stallMillis(), c.worstMillis(), baselineWorst.get(i / 2)));
        }
        md.append("\n| round | qemu-img bench | straight over iSCSI (IOPS) | NBD + multipath, 4 paths (IOPS) | ratio |\n");
        md.append("| --- | --- | --- | --- | --- |\n").append(iopsRows);
        System.out.println(md);
        Files.writeString(Path.of("target", "failover-figures.md"), md);

        for (Cut c : cuts) {
            assertThat(c.detectedMillis()).as(c.toString()).isNotNegative();
            // Loose bounds for a loaded CI machine; the goals (1 s, 2 s) are in docs/performance.md.
            assertThat(c.stallMillis()).as(c.toString()).isLessThan(c.kind().equals("reset") ? 5000 : 10000);
        }
        for (double[] r : ratios) {
            assertThat(r[2]).as("NBD IOPS").isPositive();
        }
    }

    /** The stall of a cut at {@code at}: the longest any I/O was held up after it. */
    private static Cut cut(String kind, long at, long detected, List<FioRun.Io> ios) {
        double stall = 0;
        for (FioRun.Io io : ios) {
            if (io.completedMillis() >= at && io.completedMillis() <= at + 10_000) {
                stall = Math.max(stall, io.completedMillis() - Math.max(io.issuedMillis(), at));
            }
        }
        return new Cut(kind, at, detected, Math.round(stall), worst(ios, at, at + 10_000));
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
                    return java.time.Instant.parse(e.get("time").asText()).toEpochMilli();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no path-failed event for " + path);
    }

    /** The worst latency of the I/Os completed between {@code from} and {@code to}, in ms. */
    private static long worst(List<FioRun.Io> ios, long from, long to) {
        long worst = 0;
        for (FioRun.Io io : ios) {
            if (io.completedMillis() >= from && io.completedMillis() <= to) {
                worst = Math.max(worst, io.latencyNanos() / 1_000_000);
            }
        }
        return worst;
    }

    /** IOPS of {@code qemu-img bench} 4 KiB QD32 against {@code url}. */
    private static double bench(String url, boolean write) {
        int count = 40_000;
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "bench", "-f", "raw", "-c", String.valueOf(count),
                "-d", "32", "-s", "4096"));
        if (write) {
            cmd.add("-w");
        }
        cmd.add(url);
        ToolResult r = Tools.run(Duration.ofMinutes(5), java.util.Map.of(), cmd);
        Matcher m = BENCH.matcher(r.stdout());
        assertThat(r.exitCode() == 0 && m.find()).as(r.describe()).isTrue();
        return count / Double.parseDouble(m.group(1));
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0]
                + " " + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[1];
    }

    private static String machine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        return Runtime.getRuntime().availableProcessors() + " x " + cpu + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
