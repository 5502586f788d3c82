package io.braid.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench/run --quick} as a smoke test of the harness only: it starts tgt and a Braid node,
 * runs every benchmark once and prints a complete table. The figures are not checked here —
 * benchmarks are never timed unit tests; docs/performance.md records full runs.
 */
class BenchSmokeTest {

    @Test
    void quickRunPrintsAFullTable() {
        Tools.require("tgtd");
        Tools.require("iperf3");
        Tools.require("iscsi-perf");
        Tools.require("qemu-img");
        Path script = Path.of("..", "bench", "run").toAbsolutePath().normalize();
        ToolResult r = Tools.run(Duration.ofMinutes(5), script.toString(), "--quick");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<String> rows = Arrays.stream(r.stdout().split("\n"))
                .filter(l -> l.startsWith("| file |") || l.startsWith("| memory |")).toList();
        assertThat(rows).as(r.stdout()).hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(row -> assertThat(row.split("\\|")).as("nine figures and the rounds").hasSize(11));
        assertThat(r.stdout()).contains("loopback TCP (iperf3, one stream)");
    }
}
