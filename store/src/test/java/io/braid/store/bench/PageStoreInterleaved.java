package io.braid.store.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link PageStoreBenchmark} workloads measured interleaved (docs/performance.md): all three
 * targets are set up at once and run in short alternating slices, round after round, so that a
 * load that comes and goes on a shared machine hits each of them alike; the figure per target is
 * the median slice. Besides operations per second (wall clock) it reports the process CPU time
 * per operation (all threads: the caller, a helper, the kernel work of its system calls), which a
 * busy machine disturbs far less than throughput. Run with {@code scripts/bench-store --interleaved}.
 *
 * <p>System properties: {@code bytes} (data set per target, default 512 MiB), {@code rounds}
 * (default 8), {@code sliceMs} (default 1000), {@code threads} (default 1), {@code ops} (comma
 * separated, default all four).
 */
public final class PageStoreInterleaved {
    private static final String[] TARGETS = {"channel", "channel2", "pagestore"};

    private PageStoreInterleaved() {
    }

    @FunctionalInterface
    interface Op {
        void run(PageStoreBenchmark b, PageStoreBenchmark.Worker w) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        long bytes = Long.getLong("bytes", 512L << 20);
        int rounds = Integer.getInteger("rounds", 8);
        long sliceMs = Long.getLong("sliceMs", 1000);
        int threads = Integer.getInteger("threads", 1);
        List<String> ops = List.of(System.getProperty("ops",
                "randomRead4k,randomWrite4k,sequentialRead1m,sequentialWrite1m").split(","));
        PageStoreBenchmark[] bs = new PageStoreBenchmark[TARGETS.length];
        for (int i = 0; i < TARGETS.length; i++) {
            bs[i] = new PageStoreBenchmark();
            bs[i].target = TARGETS[i];
            bs[i].bytes = bytes;
            bs[i].setUp();
        }
        System.out.printf(Locale.ROOT, "interleaved: %d MiB per target, %d thread(s), %d rounds of %d ms slices%n",
                bytes >> 20, threads, rounds, sliceMs);
        System.out.printf(Locale.ROOT, "%-18s %10s %10s %10s %6s %6s | CPU us/op: %8s %8s %8s %6s %6s%n",
                "benchmark", "channel", "channel2", "pagestore", "ps/ch", "ps/ch2", "channel", "channel2",
                "pagestore", "ps/ch", "ps/ch2");
        try {
            for (String name : ops) {
                Op op = switch (name) {
                    case "randomRead4k" -> (b, w) -> b.randomRead4k(w);
                    case "randomWrite4k" -> (b, w) -> b.randomWrite4k(w);
                    case "sequentialRead1m" -> (b, w) -> b.sequentialRead1m(w);
                    case "sequentialWrite1m" -> (b, w) -> b.sequentialWrite1m(w);
                    default -> throw new IllegalArgumentException("unknown benchmark " + name);
                };
                double[][] rates = new double[TARGETS.length][rounds];
                double[][] cpu = new double[TARGETS.length][rounds];
                for (int i = 0; i < TARGETS.length; i++) {
                    slice(bs[i], op, threads, sliceMs); // warm-up
                }
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < TARGETS.length; k++) {
                        int i = (k + r) % TARGETS.length; // rotate who goes first
                        double[] m = slice(bs[i], op, threads, sliceMs);
                        rates[i][r] = m[0];
                        cpu[i][r] = m[1];
                    }
                }
                double[] med = new double[TARGETS.length];
                double[] us = new double[TARGETS.length];
                for (int i = 0; i < TARGETS.length; i++) {
                    med[i] = median(rates[i]);
                    us[i] = median(cpu[i]);
                }
                System.out.printf(Locale.ROOT, "%-18s %10.0f %10.0f %10.0f %6.2f %6.2f |            %8.2f %8.2f %8.2f"
                                + " %6.2f %6.2f%n", name, med[0], med[1], med[2], med[2] / med[0], med[2] / med[1],
                        us[0], us[1], us[2], us[2] / us[0], us[2] / us[1]);
            }
        } finally {
            for (PageStoreBenchmark b : bs) {
                b.tearDown();
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Operations per second of {@code threads} threads running {@code op} for {@code ms}, and the
     * process CPU microseconds per operation.
     */
    private static double[] slice(PageStoreBenchmark b, Op op, int threads, long ms) throws Exception {
        AtomicLong count = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long end = start + ms * 1_000_000;
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            PageStoreBenchmark.Worker w = new PageStoreBenchmark.Worker();
            w.setUp(b);
            Thread th = new Thread(() -> {
                long n = 0;
                try {
                    while (System.nanoTime() < end) {
                        op.run(b, w);
                        n++;
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
                count.addAndGet(n);
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.get(0));
        }
        long n = Math.max(1, count.get());
        return new double[]{count.get() * 1e9 / (System.nanoTime() - start), (processCpuNanos() - cpu0) / 1e3 / n};
    }
}
