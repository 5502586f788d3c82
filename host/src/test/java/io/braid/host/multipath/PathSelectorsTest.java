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
        PathSelector s = PathSelectors.create(PathSelectors.SERVICE_TIME, null);
        FixedPath slow = FixedPath.of("h", "s1:1", 0, 0, 2_000_000);   // (0+1) × 2 ms = 2 ms
        FixedPath fast = FixedPath.of("h", "s2:1", 1, 3, 300_000);     // (3+1) × 0.3 ms = 1.2 ms
        assertThat(count(s, List.of(slow, fast), 10)).containsExactly(Map.entry(fast, 10));
        FixedPath fastBusy = FixedPath.of("h", "s2:1", 1, 9, 300_000); // 10 × 0.3 ms = 3 ms
        assertThat(count(s, List.of(slow, fastBusy), 10)).containsExactly(Map.entry(slow, 10));
        // An unmeasured path counts as 1 µs, so it is tried.
        FixedPath fresh = FixedPath.of("h", "s3:1", 2, 0, 0);
        assertThat(s.select(List.of(slow, fresh), IO)).isEqualTo(fresh);
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
