package io.braid.host.multipath;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in path selection policies. */
class PathSelectorsTest {
    static final IoInfo IO = new IoInfo("v0", IoOperation.READ, 0, 8, 4096);
    final FixedPath a = FixedPath.of("127.0.0.1", "127.0.0.1:3260", 0, 0, 0);
    final FixedPath b = FixedPath.of("127.0.0.1", "127.0.0.2:3260", 1, 0, 0);
    final FixedPath c = FixedPath.of("127.0.0.2", "127.0.0.1:3260", 2, 0, 0);

    static Map<PathView, Integer> count(PathSelector s, List<? extends PathView> candidates, int n) {
        Map<PathView, Integer> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.merge(s.select(candidates, IO), 1, Integer::sum);
        }
        return m;
    }

    @Test
    void failoverOnlyTakesTheFirstAndFailsBackAtOnce() {
        PathSelector s = PathSelectors.create(PathSelectors.FAILOVER_ONLY, Failback.IMMEDIATE);
        assertThat(s.name()).isEqualTo("failover-only");
        assertThat(count(s, List.of(a, b, c), 10)).containsExactly(Map.entry(a, 10));
        assertThat(s.select(List.of(b, c), IO)).isEqualTo(b);      // a failed
        assertThat(s.select(List.of(a, b, c), IO)).isEqualTo(a);   // a back: immediate failback
    }

    @Test
    void manualFailbackStaysWhereItWent() {
        PathSelector s = PathSelectors.create(PathSelectors.FAILOVER_ONLY, Failback.MANUAL);
        assertThat(s.select(List.of(a, b, c), IO)).isEqualTo(a);
        assertThat(s.select(List.of(b, c), IO)).isEqualTo(b);
        assertThat(s.select(List.of(a, b, c), IO)).isEqualTo(b);   // stays on b
        assertThat(s.select(List.of(a, c), IO)).isEqualTo(a);      // b failed: the first again
    }

    @Test
    void roundRobinTakesEachInTurn() {
        PathSelector s = PathSelectors.create(PathSelectors.ROUND_ROBIN, null);
        assertThat(List.of(s.select(List.of(a, b, c), IO), s.select(List.of(a, b, c), IO), s.select(List.of(a, b, c), IO),
                s.select(List.of(a, b, c), IO))).containsExactly(a, b, c, a);
        assertThat(count(s, List.of(a, b, c), 300)).containsOnly(Map.entry(a, 100), Map.entry(b, 100), Map.entry(c, 100));
    }

    @Test
    void leastQueueDepthTakesTheEmptiestAndSpreadsTies() {
        PathSelector s = PathSelectors.create(PathSelectors.LEAST_QUEUE_DEPTH, null);
        FixedPath busy = FixedPath.of("h", "s1:1", 0, 5, 0);
        FixedPath idle = FixedPath.of("h", "s2:1", 1, 1, 0);
        assertThat(count(s, List.of(busy, idle), 10)).containsExactly(Map.entry(idle, 10));
        assertThat(count(s, List.of(a, b), 10)).containsOnly(Map.entry(a, 5), Map.entry(b, 5));
    }

    @Test
    void serviceTimeWeighsQueueDepthByLatency() {
        PathSelector s = PathSelectors.create(PathSelectors.SERVICE_TIME, null, 1); // every command by its score
        FixedPath slow = FixedPath.of("h", "s1:1", 0, 0, 2_000_000);   // (0+1) × 2 ms = 2 ms
        FixedPath fast = FixedPath.of("h", "s2:1", 1, 3, 300_000);     // (3+1) × 0.3 ms = 1.2 ms
        assertThat(count(s, List.of(slow, fast), 10)).containsExactly(Map.entry(fast, 10));
        FixedPath fastBusy = FixedPath.of("h", "s2:1", 1, 9, 300_000); // 10 × 0.3 ms = 3 ms
        assertThat(count(s, List.of(slow, fastBusy), 10)).containsExactly(Map.entry(slow, 10));
        // An unmeasured path counts as 1 µs, so it is tried.
        FixedPath fresh = FixedPath.of("h", "s3:1", 2, 0, 0);
        assertThat(s.select(List.of(slow, fresh), IO)).isEqualTo(fresh);
    }

    /** A path whose commands in flight the test moves, as the driver does around each selection. */
    static final class LivePath implements PathView {
        final FixedPath fixed;
        int depth;
        long bytes;
        long latency;

        LivePath(FixedPath fixed, long latency) {
            this.fixed = fixed;
            this.latency = latency;
        }

        // @formatter:off
        @Override public io.braid.host.discovery.PathId id() { return fixed.id(); }
        @Override public String deviceId() { return fixed.deviceId(); }
        @Override public MultipathPathState state() { return fixed.state(); }
        @Override public io.braid.host.scsi.AluaState aluaState() { return fixed.aluaState(); }
        @Override public io.braid.host.discovery.PathPriority priority() { return fixed.priority(); }
        @Override public boolean preferred() { return fixed.preferred(); }
        @Override public int targetPortGroup() { return fixed.targetPortGroup(); }
        @Override public int order() { return fixed.order(); }
        @Override public int queueDepth() { return depth; }
        @Override public long bytesInFlight() { return bytes; }
        @Override public long latencyNanos() { return latency; }
        @Override public long ios() { return 0; }
        // @formatter:on
    }

    /** Selects and counts the command in flight on the chosen path, as the driver does. */
    static LivePath send(PathSelector s, List<LivePath> candidates) {
        LivePath p = (LivePath) s.select(candidates, IO);
        p.depth++;
        return p;
    }

    @Test
    void serviceTimeKeepsABurstOnOnePath() {
        PathSelector s = PathSelectors.create(PathSelectors.SERVICE_TIME, null, 8);
        LivePath pa = new LivePath(a, 100_000);
        LivePath pb = new LivePath(b, 100_000);
        LivePath pc = new LivePath(c, 100_000);
        List<LivePath> all = List.of(pa, pb, pc);
        // Eight commands in a row go to one path (by score each would go to an emptier one).
        LivePath first = send(s, all);
        for (int i = 1; i < 8; i++) {
            assertThat(send(s, all)).isSameAs(first);
        }
        assertThat(first.depth).isEqualTo(8);
        // With 8 in flight the path is full: the next goes to the best other one, and stays there.
        LivePath second = send(s, all);
        assertThat(second).isNotSameAs(first);
        assertThat(send(s, all)).isSameAs(second);
        // Completions make room; the run on the second path goes on while it has room.
        first.depth = 0;
        second.depth = 1;
        assertThat(send(s, all)).isSameAs(second);
    }

    @Test
    void largeCommandsEndARunByTheirData() {
        PathSelector s = PathSelectors.create(PathSelectors.SERVICE_TIME, null, 32);
        IoInfo large = new IoInfo("v0", IoOperation.READ, 0, 256, 128 * 1024);
        LivePath pa = new LivePath(a, 100_000);
        LivePath pb = new LivePath(b, 100_000);
        LivePath pc = new LivePath(c, 100_000);
        List<LivePath> all = List.of(pa, pb, pc);
        // 32 × 4 KiB = 128 KiB in flight ends a run: each 128 KiB command goes by score, as with a
        // burst of 1, so large transfers use every path at once.
        for (int i = 0; i < 9; i++) {
            LivePath p = (LivePath) s.select(all, large);
            p.depth++;
            p.bytes += large.bytes();
        }
        assertThat(List.of(pa.depth, pb.depth, pc.depth)).containsExactly(3, 3, 3);
    }

    @Test
    void serviceTimeEndsARunAfterFourBurstsSoEveryPathStaysMeasured() {
        PathSelector s = PathSelectors.create(PathSelectors.SERVICE_TIME, null, 8);
        LivePath pa = new LivePath(a, 100_000);
        LivePath pb = new LivePath(b, 100_000);
        List<LivePath> all = List.of(pa, pb);
        Map<LivePath, Integer> runs = new HashMap<>();
        LivePath last = null;
        for (int i = 0; i < 32 * 4; i++) {
            LivePath p = send(s, all);
            p.depth = 0; // completes at once: never full
            if (p != last) {
                runs.merge(p, 1, Integer::sum);
            }
            last = p;
        }
        // Runs of 32 commands, alternating between the equally good paths.
        assertThat(runs).containsOnly(Map.entry(pa, 2), Map.entry(pb, 2));
    }

    @Test
    void serviceTimeLeavesAFailedOrFullPathAndAvoidsASlowOne() {
        PathSelector s = PathSelectors.create(PathSelectors.SERVICE_TIME, null, 8);
        LivePath fast = new LivePath(a, 100_000);
        LivePath slow = new LivePath(b, 1_000_000);
        assertThat(send(s, List.of(fast, slow))).isSameAs(fast);
        // The path of the run is no longer a candidate (failed): the other one at once.
        assertThat(send(s, List.of(slow))).isSameAs(slow);
        // The fast path is back: the run on the slow one goes on while it has room, at most four
        // bursts (32 commands) in all; then a new run starts by score, on the fast path even with
        // a few in flight ((3+1) × 0.1 ms < 1 ms).
        fast.depth = 3;
        for (int i = 1; i < 32; i++) {
            slow.depth = 0;
            assertThat(send(s, List.of(fast, slow))).isSameAs(slow);
        }
        slow.depth = 0;
        assertThat(send(s, List.of(fast, slow))).isSameAs(fast);
        // A full path leaves the choice to the score: still the fast one at (8+1) × 0.1 ms, the
        // slow one past 1 ms.
        fast.depth = 8;
        assertThat(send(s, List.of(fast, slow))).isSameAs(fast);
        fast.depth = 12;
        assertThat(send(s, List.of(fast, slow))).isSameAs(slow);
    }

    @Test
    void pathBurstIsBounded() {
        assertThatThrownBy(() -> PathSelectors.create(PathSelectors.SERVICE_TIME, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("path burst 0 is out of range 1..1024");
        assertThatThrownBy(() -> MultipathConfig.defaults().withPathBurst(1025))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pathBurst 1025 is out of range 1..1024");
        assertThat(MultipathConfig.defaults().pathBurst()).isEqualTo(PathSelectors.DEFAULT_BURST);
        assertThat(MultipathConfig.defaults().withPathBurst(4).ruleFor(new io.braid.host.discovery.Device("naa.1",
                "BRAID", "Braid volume", "0001", "s1", "e1", "braid", 1 << 20, 512, false, List.of())).burst())
                .isEqualTo(4);
    }

    @Test
    void unknownPoliciesAreRefusedByName() {
        assertThat(PathSelectors.names()).containsExactlyInAnyOrder("failover-only", "round-robin",
                "least-queue-depth", "service-time");
        assertThatThrownBy(() -> PathSelectors.create("fastest", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"fastest\" is not a path selection policy (use one of failover-only, round-robin,"
                        + " least-queue-depth, service-time)");
    }

    @Test
    void failureScopes() {
        FixedPath a0 = a.withGroup(1, "naa.1", 0);
        FixedPath a1 = a.withGroup(1, "naa.2", 1);           // same nexus, other LUN
        FixedPath b0 = b.withGroup(1, "naa.1", 0);           // same port group, other nexus
        FixedPath c0 = c.withGroup(2, "naa.1", 0);           // other group
        List<FixedPath> known = List.of(a0, a1, b0, c0);
        FailureScope s = DefaultFailureScope.INSTANCE;
        assertThat(s.affected(a0, PathFault.NEXUS, known)).containsExactlyInAnyOrder(a0.id(), a1.id());
        assertThat(s.affected(a0, PathFault.PORT_GROUP, known)).containsExactlyInAnyOrder(a0.id(), b0.id());
        assertThat(s.affected(a0, PathFault.PATH, known)).containsExactly(a0.id());
        assertThat(s.affected(a0.withGroup(-1, "naa.1", 0), PathFault.PORT_GROUP, known)).containsExactly(a0.id());
    }

    @Test
    void rulesChooseThePolicy() {
        io.braid.host.discovery.Device braid = new io.braid.host.discovery.Device("naa.1", "BRAID   ",
                "Braid volume    ", "0001", "s1", "e1", "braid", 1 << 20, 512, false, List.of());
        io.braid.host.discovery.Device other = new io.braid.host.discovery.Device("naa.2", "LIO-ORG", "disk01",
                "4.0", "s2", "", "alua", 1 << 20, 512, true, List.of());
        MultipathConfig c = MultipathConfig.defaults().withPolicies(List.of(
                new PolicyRule("naa.2", null, null, PathSelectors.FAILOVER_ONLY, Failback.MANUAL),
                new PolicyRule(null, java.util.regex.Pattern.compile("BRAID"),
                        java.util.regex.Pattern.compile("Braid.*"), PathSelectors.ROUND_ROBIN, null)));
        assertThat(c.ruleFor(braid).policy()).isEqualTo("round-robin");
        assertThat(c.ruleFor(other).policy()).isEqualTo("failover-only");
        assertThat(c.ruleFor(other).failback()).isEqualTo(Failback.MANUAL);
        assertThat(MultipathConfig.defaults().ruleFor(other).policy()).isEqualTo("service-time");
        assertThat(DevicePolicy.builtIn(c.ruleFor(other)).name()).isEqualTo("failover-only (manual failback)");
    }
}
