package io.braid.host.multipath;

import io.braid.host.Endpoint;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.TestTarget;
import io.braid.host.iscsi.Backoff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy's {@link IoScheduler} against a real node (127.0.11.x): the per-path limit holds
 * commands back in the device, and held commands go in the policy's rank order.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IoSchedulerTest {
    @TempDir
    java.nio.file.Path dir;
    TestTarget target;
    HostAgent agent;
    Multipath multipath;

    @AfterEach
    void tearDown() {
        if (multipath != null) {
            multipath.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Test
    void heldCommandsGoInRankOrderUnderThePerPathLimit() throws Exception {
        target = TestTarget.in(dir.resolve("node")).volume("v0", 8 << 20).portals("127.0.11.5", "127.0.11.6").start();
        HostConfig config = HostConfig.of("iqn.2026-11.io.braid.test:scheduler",
                        List.of(InetAddress.getByName("127.0.11.25"), InetAddress.getByName("127.0.11.26")),
                        target.portals().stream().map(a -> new Endpoint(a.getHostString(), a.getPort())).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        agent = HostAgent.start(config);
        multipath = Multipath.start(agent, MultipathConfig.defaults());
        MultipathDevice d = multipath.devices().get(0);
        assertThat(d.paths()).hasSize(4);

        List<Long> selected = new CopyOnWriteArrayList<>();
        AtomicInteger maxDepth = new AtomicInteger();
        PathSelector rr = PathSelectors.create(PathSelectors.ROUND_ROBIN, null);
        PathSelector recording = new PathSelector() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public PathView select(List<? extends PathView> candidates, IoInfo io) {
                for (PathView p : candidates) {
                    maxDepth.accumulateAndGet(p.queueDepth(), Math::max);
                }
                selected.add(io.lba());
                return rr.select(candidates, io);
            }
        };
        IoScheduler highestFirst = new IoScheduler() {
            @Override
            public int maxOutstandingPerPath() {
                return 1;
            }

            @Override
            public long rank(IoInfo io) {
                return -io.lba();
            }
        };
        d.policy(new DevicePolicy("recording", recording, ScsiErrorAnalyzer.INSTANCE, DefaultFailureScope.INSTANCE,
                highestFirst), "test");

        int n = 64;
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            reads.add(d.read((long) i * d.blockSize(), ByteBuffer.allocate(d.blockSize())));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(selected).hasSize(n);
        assertThat(maxDepth.get()).as("a candidate never had more than the limit in flight").isLessThanOrEqualTo(0);
        int descending = 0;
        for (int i = 1; i < n; i++) {
            if (selected.get(i) < selected.get(i - 1)) {
                descending++;
            }
        }
        // Submitted in ascending order: first come first served would give no descending step.
        assertThat(descending).as("selection order " + selected).isGreaterThan((n - 1) * 7 / 10);
        assertThat(d.stats().errors()).isZero();
    }
}
