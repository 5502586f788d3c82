package io.braid.host.multipath;

import io.braid.host.discovery.PathId;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The built-in path selectors (dm-multipath's policies of the same names): failover-only,
 * round-robin, least-queue-depth and service-time.
 */
public final class PathSelectors {
    public static final String FAILOVER_ONLY = "failover-only";
    public static final String ROUND_ROBIN = "round-robin";
    public static final String LEAST_QUEUE_DEPTH = "least-queue-depth";
    public static final String SERVICE_TIME = "service-time";
    /** The policy of a device no rule names. */
    public static final String DEFAULT = SERVICE_TIME;
    /**
     * Commands service-time keeps sending to one path while it has fewer in flight (host.yaml
     * {@code multipath.pathBurst}); 1 chooses the path of every command by its score alone.
     */
    public static final int DEFAULT_BURST = 32;
    /** The most {@code multipath.pathBurst} may be. */
    public static final int MAX_BURST = 1024;
    /** A run on one path ends after this many bursts' worth of commands, so the others stay measured. */
    static final int RUN_FACTOR = 4;
    /** A burst's data: a run also ends at {@code burst × BURST_UNIT} bytes in flight on the path. */
    static final int BURST_UNIT = 4096;

    private static final Set<String> NAMES = Set.of(FAILOVER_ONLY, ROUND_ROBIN, LEAST_QUEUE_DEPTH, SERVICE_TIME);

    private PathSelectors() {
    }

    /** The built-in policy names. */
    public static Set<String> names() {
        return NAMES;
    }

    /**
     * A new selector for one device.
     *
     * @throws IllegalArgumentException for a name that is not built in
     */
    public static PathSelector create(String name, Failback failback) {
        return create(name, failback, DEFAULT_BURST);
    }

    /**
     * A new selector for one device; {@code burst} applies to service-time (see
     * {@link ServiceTime}).
     *
     * @throws IllegalArgumentException for a name that is not built in, or a burst outside
     *                                  1..{@link #MAX_BURST}
     */
    public static PathSelector create(String name, Failback failback, int burst) {
        if (burst < 1 || burst > MAX_BURST) {
            throw new IllegalArgumentException("path burst " + burst + " is out of range 1.." + MAX_BURST);
        }
        return switch (name) {
            case FAILOVER_ONLY -> new FailoverOnly(failback == null ? Failback.IMMEDIATE : failback);
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_QUEUE_DEPTH -> new LeastQueueDepth();
            case SERVICE_TIME -> new ServiceTime(burst);
            default -> throw new IllegalArgumentException("\"" + name + "\" is not a path selection policy (use one of "
                    + String.join(", ", List.of(FAILOVER_ONLY, ROUND_ROBIN, LEAST_QUEUE_DEPTH, SERVICE_TIME)) + ")");
        };
    }

    /**
     * All I/O through one path: the first candidate in the device's order. With
     * {@link Failback#MANUAL} the path in use is kept while it is a candidate, so a returning
     * better path does not take the I/O back.
     */
    static final class FailoverOnly implements PathSelector {
        private final Failback failback;
        private final AtomicReference<Object> current = new AtomicReference<>();

        FailoverOnly(Failback failback) {
            this.failback = failback;
        }

        @Override
        public String name() {
            return FAILOVER_ONLY;
        }

        @Override
        public PathView select(List<? extends PathView> candidates, IoInfo io) {
            if (failback == Failback.MANUAL) {
                Object in = current.get();
                for (PathView p : candidates) {
                    if (p.id().equals(in)) {
                        return p;
                    }
                }
            }
            PathView first = candidates.get(0);
            current.set(first.id());
            return first;
        }
    }

    /** Each I/O to the next candidate in turn. */
    static final class RoundRobin implements PathSelector {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public String name() {
            return ROUND_ROBIN;
        }

        @Override
        public PathView select(List<? extends PathView> candidates, IoInfo io) {
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        }
    }

    /** The candidate with the fewest I/Os in flight; ties in turn. */
    static final class LeastQueueDepth implements PathSelector {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public String name() {
            return LEAST_QUEUE_DEPTH;
        }

        @Override
        public PathView select(List<? extends PathView> candidates, IoInfo io) {
            return lowest(candidates, next.getAndIncrement(), p -> p.queueDepth());
        }
    }

    /**
     * The candidate whose I/Os would finish first: (in flight + 1) × mean latency, the latency
     * at least 1 µs so that an unmeasured path is tried; ties in turn. With a burst above 1, a
     * command goes to the path the previous one went to while that path has fewer than
     * {@code burst} commands of the device in flight, less than {@code burst × 4 KiB} of data
     * in flight, and has taken fewer than {@code 4 × burst} in a row; only then is the path
     * chosen by that score again. Small commands (a 4 KiB random load) thus run in bursts,
     * large ones (128 KiB and up) spread over the paths as with a burst of 1. A burst of
     * requests then reaches the target as one batch on one connection instead of a few commands
     * on each, which costs both ends fewer system calls and wake-ups per command
     * (docs/host.md, "Path selection"); a path whose queue fills up (saturated, or slower)
     * sends the excess elsewhere at once, and the rotation keeps every path's latency measured.
     *
     * <p>The selector is called under the device's lock, which guards the burst state.
     */
    static final class ServiceTime implements PathSelector {
        private final AtomicInteger next = new AtomicInteger();
        private final int burst;
        private final int maxRun;
        private final long burstBytes;
        /** The path of the current run, and how many more commands it may take in a row. */
        private PathId current;
        private int left;

        ServiceTime(int burst) {
            this.burst = burst;
            this.maxRun = burst == 1 ? 1 : RUN_FACTOR * burst; // 1: every command by its score
            this.burstBytes = (long) burst * BURST_UNIT;
        }

        @Override
        public String name() {
            return SERVICE_TIME;
        }

        @Override
        public PathView select(List<? extends PathView> candidates, IoInfo io) {
            if (left > 0) {
                for (PathView p : candidates) {
                    if (p.id().equals(current)) {
                        if (p.queueDepth() < burst && p.bytesInFlight() < burstBytes) {
                            left--;
                            return p;
                        }
                        break;
                    }
                }
            }
            PathView p = lowest(candidates, next.getAndIncrement(),
                    v -> (v.queueDepth() + 1L) * Math.max(1_000L, v.latencyNanos()));
            current = p.id();
            left = maxRun - 1;
            return p;
        }
    }

    /** The candidate with the lowest score; among equal scores the turn picks, so ties spread. */
    private static PathView lowest(List<? extends PathView> candidates, int turn,
                                   java.util.function.ToLongFunction<PathView> score) {
        int n = candidates.size();
        int start = Math.floorMod(turn, n);
        PathView best = null;
        long bestScore = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            PathView p = candidates.get((start + i) % n);
            long s = score.applyAsLong(p);
            if (best == null || s < bestScore) {
                best = p;
                bestScore = s;
            }
        }
        return best;
    }
}
