package io.braid.it;

import io.braid.host.Endpoint;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathListener;
import io.braid.host.discovery.PathState;
import io.braid.node.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The host agent's paths under faults made by the kernel rather than a relay: two host ports
 * (127.0.0.1, 127.0.0.2) × two portals give four paths to one volume; a connection reset with
 * {@code ss -K}, a path made silent by nftables and a portal taken down on the node each take
 * exactly the paths they concern down, quickly, and the paths come back by themselves.
 */
class KernelPathFaultTest {
    private static final Duration BACK = Duration.ofSeconds(20);

    @TempDir
    java.nio.file.Path dir;
    private TestNode node;
    private HostAgent agent;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, Long> downAt = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        NetFaults.require();
        node = TestNode.in(dir.resolve("data")).volume("v0", 16L << 20).secondPortal().start();
        HostPort a = node.node().portals().get(0);
        agent = HostAgent.start(HostConfig.of("iqn.2026-11.io.braid:kernel-faults",
                List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")),
                List.of(new Endpoint(a.host(), a.port()))));
        agent.addListener(new PathListener() {
            @Override
            public void pathStateChanged(Path path, PathState from, PathState to, String reason) {
                events.add(key(path) + " " + to + " " + reason);
                if (to == PathState.DISCONNECTED) {
                    downAt.put(key(path), System.nanoTime());
                }
            }
        });
        await().atMost(BACK).until(() -> connected() == 4);
        assertThat(agent.devices()).hasSize(1);
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

    private static String key(Path p) {
        return p.hostPort() + "->" + p.storagePort();
    }

    private long connected() {
        return agent.paths().stream().filter(Path::connected).count();
    }

    private List<String> down() {
        return agent.paths().stream().filter(p -> !p.connected()).map(KernelPathFaultTest::key).toList();
    }

    private String portal(int i) {
        return node.node().portals().get(i).toString();
    }

    @Test
    void aResetConnectionTakesOnePathDownAndItComesBack() {
        HostPort b = node.node().portals().get(1);
        assertThat(NetFaults.connections("127.0.0.2", b.host(), b.port())).isEqualTo(1);
        long cut = System.nanoTime();
        assertThat(NetFaults.reset("127.0.0.2", b.host(), b.port())).isEqualTo(1);
        String path = "127.0.0.2->" + portal(1);
        await().atMost(Duration.ofSeconds(2)).until(() -> downAt.containsKey(path));
        assertThat(Duration.ofNanos(downAt.get(path) - cut)).isLessThan(Duration.ofMillis(500));
        await().atMost(BACK).until(() -> connected() == 4);
        assertThat(events).filteredOn(e -> e.contains("DISCONNECTED")).allMatch(e -> e.startsWith(path));
    }

    @Test
    void aSilentPathIsFoundByThePingAndComesBackWhenThePacketsFlow() throws Exception {
        HostPort a = node.node().portals().get(0);
        String path = "127.0.0.1->" + portal(0);
        long cut;
        try (NetFaults.Silence silence = NetFaults.silence("127.0.0.1", a.host(), a.port())) {
            cut = System.nanoTime();
            // Ping interval + timeout are 1 s + 1 s: found within 2 s of the last PDU received.
            await().atMost(Duration.ofSeconds(5)).until(() -> downAt.containsKey(path));
            Duration detected = Duration.ofNanos(downAt.get(path) - cut);
            assertThat(detected).isLessThan(Duration.ofMillis(2500));
            assertThat(down()).containsExactly(path);
            assertThat(events).filteredOn(e -> e.startsWith(path)).first().asString().contains("ping");
        }
        await().atMost(BACK).until(() -> connected() == 4);
        assertThat(events).filteredOn(e -> e.contains("DISCONNECTED")).allMatch(e -> e.startsWith(path));
    }

    @Test
    void aPortalDownTakesItsTwoPathsDownUntilItIsUp() throws Exception {
        HostPort b = node.node().portals().get(1);
        node.node().portalDown(b);
        await().atMost(Duration.ofSeconds(2)).until(() -> down().size() == 2);
        assertThat(down()).containsExactlyInAnyOrder("127.0.0.1->" + portal(1), "127.0.0.2->" + portal(1));
        Thread.sleep(1500); // reconnection attempts are refused meanwhile
        assertThat(down()).hasSize(2);
        node.node().portalUp(b);
        await().atMost(BACK).until(() -> connected() == 4);
    }
}
