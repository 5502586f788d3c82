package io.braid.it;

import io.braid.host.AgentConfig;
import io.braid.host.Endpoint;
import io.braid.host.HostConfig;
import io.braid.host.HostRuntime;
import io.braid.host.multipath.MultipathConfig;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathEvent;
import io.braid.host.multipath.MultipathPathState;
import io.braid.host.multipath.PathStatus;
import io.braid.node.HostPort;
import io.braid.node.VolumeRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every path gone: qemu-io's I/O through the agent's NBD export waits for a path for the bound
 * ({@code noPathTimeout}, 3 s here), then fails with a clear error; later I/O fails at once while
 * no path is back; once the portals are up again new I/O succeeds and the data written before is
 * intact, with nothing restarted. A path that returns within the bound lets the waiting I/O
 * through. Node and agent run in-process; the client is qemu-io in its own process.
 */
class AllPathsDownTest {
    private static final Duration BOUND = Duration.ofSeconds(3);
    private static final Duration TOOL = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private TestNode node;
    private HostRuntime agent;
    private String url;

    @BeforeEach
    void start() throws Exception {
        Tools.require("qemu-io");
        node = TestNode.in(dir.resolve("data")).volume("v0", 16L << 20).secondPortal().start();
        HostPort a = node.node().portals().get(0);
        VolumeRecord v0 = node.node().volumes().get(0);
        agent = HostRuntime.start(AgentConfig.of(HostConfig.of("iqn.2026-11.io.braid:all-down",
                                List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")),
                                List.of(new Endpoint(a.host(), a.port()))), dir.resolve("agent"))
                .withMultipath(MultipathConfig.defaults().withNoPathTimeout(BOUND))
                .withExportNames(Map.of(v0.id().toString().replace("-", ""), "v0")));
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.export("v0").isPresent() && active() == 4);
        url = agent.export("v0").orElseThrow().unixUri();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private long active() {
        MultipathDevice d = agent.multipath().device("v0").orElse(null);
        return d == null ? 0 : d.paths().stream().filter(p -> p.state() == MultipathPathState.ACTIVE).count();
    }

    private ToolResult qemuIo(String... commands) {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(url);
        return Tools.run(TOOL, Map.of(), cmd);
    }

    private void portals(boolean up) throws Exception {
        for (HostPort p : node.node().portals()) {
            if (up) {
                node.node().portalUp(p);
            } else {
                node.node().portalDown(p);
            }
        }
    }

    @Test
    void ioFailsClearlyAfterTheBoundAndSucceedsOnceAPathIsBack() throws Exception {
        ToolResult before = qemuIo("write -P 0xa1 0 1M");
        assertThat(before.exitCode()).as(before.describe()).isZero();

        portals(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> active() == 0);

        long t0 = System.nanoTime();
        ToolResult waited = qemuIo("write -P 0xb2 1M 64k");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(waited.output()).as(waited.describe()).contains("write failed: Input/output error");
        assertThat(took).as("waited for a path for the bound, then failed").isBetween(
                BOUND.minusMillis(500), BOUND.plusSeconds(10));
        MultipathDevice d = agent.multipath().device("v0").orElseThrow();
        assertThat(d.stats().errors()).isPositive();
        // NBD carries only the errno to the client; the agent says why (its log, events, API).
        assertThat(agent.multipath().events(0)).filteredOn(e -> e.type() == MultipathEvent.Type.NO_PATH_TIMEOUT)
                .singleElement().satisfies(e -> assertThat(e.message()).contains("v0"));

        // Past the bound, with still no path, I/O fails at once.
        t0 = System.nanoTime();
        ToolResult atOnce = qemuIo("read 0 4k");
        assertThat(atOnce.output()).as(atOnce.describe()).contains("read failed: Input/output error");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(BOUND);

        portals(true);
        await().atMost(Duration.ofSeconds(30)).until(() -> active() == 4);
        ToolResult after = qemuIo("read -P 0xa1 0 1M", "write -P 0xc3 1M 64k", "read -P 0xc3 1M 64k");
        assertThat(after.exitCode()).as(after.describe()).isZero();
        assertThat(after.output()).doesNotContain("failed");
        assertThat(agent.multipath().events(0)).extracting(MultipathEvent::type)
                .contains(MultipathEvent.Type.PATH_RESTORED);
    }

    @Test
    void ioWaitingForAPathGoesThroughWhenOneReturnsWithinTheBound() throws Exception {
        portals(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> active() == 0);
        CompletableFuture<ToolResult> write = CompletableFuture.supplyAsync(
                () -> qemuIo("write -P 0xd4 0 256k", "read -P 0xd4 0 256k"));
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.multipath().device("v0").orElseThrow()
                .stats().waiting() > 0);
        node.node().portalUp(node.node().portals().get(1));
        ToolResult r = write.get();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.output()).doesNotContain("failed");
        List<PathStatus> paths = agent.multipath().device("v0").orElseThrow().paths();
        assertThat(paths).filteredOn(p -> p.state() == MultipathPathState.ACTIVE)
                .allSatisfy(p -> assertThat(p.id().storagePort()).isEqualTo(node.node().portals().get(1).toString()));
        node.node().portalUp(node.node().portals().get(0));
    }
}
