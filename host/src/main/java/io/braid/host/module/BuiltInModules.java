package io.braid.host.module;

import io.braid.host.multipath.Failback;
import io.braid.host.multipath.PathSelectors;
import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.IoRequest;
import io.braid.policy.spi.PathInfo;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.PolicyModule;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The four built-in policies (dm-multipath's of the same names) as modules on the SPI:
 * failover-only, round-robin, least-queue-depth and service-time. They claim no device by
 * themselves: host.yaml's {@code multipath.policies} rules choose them, and every device no
 * loaded module claims runs one. Their error analysis and failure scope are the agent's
 * built-in ones ({@link io.braid.host.multipath.ScsiErrorAnalyzer},
 * {@link io.braid.host.multipath.DefaultFailureScope}), which is what a module's
 * {@link io.braid.policy.spi.Verdict#builtIn()} falls back to. The driver calls them directly on
 * the I/O thread (they are trusted: no decision thread, no budget).
 */
public final class BuiltInModules {
    /** The version built-ins report: the agent's. */
    public static final String VERSION = versionOfAgent();

    private BuiltInModules() {
    }

    /** The built-in module of this name. */
    public static BuiltIn of(String name) {
        return new BuiltIn(name);
    }

    /** Every built-in, in listing order. */
    public static List<BuiltIn> all() {
        return List.of(of(PathSelectors.FAILOVER_ONLY), of(PathSelectors.ROUND_ROBIN),
                of(PathSelectors.LEAST_QUEUE_DEPTH), of(PathSelectors.SERVICE_TIME));
    }

    private static String versionOfAgent() {
        String v = BuiltInModules.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v;
    }

    /** One built-in policy as a module. */
    public static final class BuiltIn implements PolicyModule {
        private final String name;

        private BuiltIn(String name) {
            PathSelectors.create(name, Failback.IMMEDIATE); // validates the name
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String version() {
            return VERSION;
        }

        /** Built-ins are chosen by host.yaml rules, never by claiming. */
        @Override
        public boolean claims(DeviceAttributes device) {
            return false;
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            return newPolicy(Failback.IMMEDIATE);
        }

        /**
         * The policy of one device; {@code failback} matters for failover-only. The driver does
         * not ask it to select: for a built-in module the device's own built-in selector
         * ({@link PathSelectors}, with the host.yaml rule's failback and path burst) chooses
         * directly, without the SPI's views.
         */
        public PathPolicy newPolicy(Failback failback) {
            return switch (name) {
                case PathSelectors.FAILOVER_ONLY -> new FailoverOnly(failback);
                case PathSelectors.ROUND_ROBIN -> new RoundRobin();
                case PathSelectors.LEAST_QUEUE_DEPTH -> new Lowest(PathInfo::queueDepth);
                case PathSelectors.SERVICE_TIME -> new Lowest(p -> (p.queueDepth() + 1L) * Math.max(1_000L, p.latencyNanos()));
                default -> throw new IllegalStateException(name);
            };
        }
    }

    /** All I/O through the first candidate; with MANUAL failback the path in use is kept while it is a candidate. */
    static final class FailoverOnly implements PathPolicy {
        private final Failback failback;
        private volatile PathRef current;

        FailoverOnly(Failback failback) {
            this.failback = failback;
        }

        @Override
        public PathRef select(List<PathInfo> candidates, IoRequest io) {
            if (failback == Failback.MANUAL) {
                PathRef in = current;
                for (PathInfo p : candidates) {
                    if (p.ref().equals(in)) {
                        return in;
                    }
                }
            }
            PathRef first = candidates.get(0).ref();
            current = first;
            return first;
        }
    }

    /** Each I/O to the next candidate in turn. */
    static final class RoundRobin implements PathPolicy {
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public PathRef select(List<PathInfo> candidates, IoRequest io) {
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size())).ref();
        }
    }

    /** The candidate with the lowest score; among equal scores the turn picks, so ties spread. */
    static final class Lowest implements PathPolicy {
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private final ToLongFunction<PathInfo> score;

        Lowest(ToLongFunction<PathInfo> score) {
            this.score = score;
        }

        @Override
        public PathRef select(List<PathInfo> candidates, IoRequest io) {
            int n = candidates.size();
            int start = Math.floorMod(next.getAndIncrement(), n);
            PathInfo best = null;
            long bestScore = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                PathInfo p = candidates.get((start + i) % n);
                long s = score.applyAsLong(p);
                if (best == null || s < bestScore) {
                    best = p;
                    bestScore = s;
                }
            }
            return best.ref();
        }
    }
}
