package io.braid.host.multipath;

import io.braid.host.Closer;
import io.braid.host.Endpoint;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.TestTarget;
import io.braid.host.iscsi.Backoff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy's {@link IoScheduler} against a real node (127.0.11.x): the per-path limit holds
 * commands back in the device, and held commands go in the policy's rank order.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IoSchedulerTest {
    @TempDir
    java.nio.file.Path dir;
    @RegisterExtension
    final Closer closer = new Closer();
    TestTarget target;
    HostAgent agent;
    Multipath multipath;

    @Test
    void heldCommandsGoInRankOrderUnderThePerPathLimit() throws Exception {
        target = closer.add(TestTarget.in(dir.resolve("node")).volume("v0", 8 << 20).portals("127.0.11.5", "127.0.11.6").start());
        HostConfig config = HostConfig.of("iqn.2026-11.io.braid.test:scheduler",
                        List.of(InetAddress.getByName("127.0.11.25"), InetAddress.getByName("127.0.11.26")),
                        target.portals().stream().map(a -> new Endpoint(a.getHostString(), a.getPort())).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        agent = closer.add(HostAgent.start(config));
        multipath = closer.add(Multipath.start(agent, MultipathConfig.defaults()));
        MultipathDevice d = multipath.devices().get(0);
        assertThat(d.paths()).hasSize(4);

        // A logical clock orders "held" (rank asked: only held commands are ranked) and "selected"
        // (sent) events, so the check below does not depend on how fast the machine completes I/O.
        AtomicLong clock = new AtomicLong();
        Map<Long, Long> heldAt = new ConcurrentHashMap<>();
        Map<Long, Long> selectedAt = new ConcurrentHashMap<>();
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
                selectedAt.put(io.lba(), clock.incrementAndGet());
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
                heldAt.putIfAbsent(io.lba(), clock.incrementAndGet());
                return -io.lba();
            }
        };
        d.policy(new DevicePolicy("recording", recording, ScsiErrorAnalyzer.INSTANCE, DefaultFailureScope.INSTANCE,
                highestFirst), "test");

        // Rounds of 64 one-block reads, submitted at once, until at least 16 of them were held
        // back by the limit (a round is a few milliseconds; at most 20 rounds).
        int n = 64;
        long base = 0;
        for (int round = 0; round < 20 && heldAt.size() < 16; round++) {
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                reads.add(d.read((base + i) * d.blockSize(), ByteBuffer.allocate(d.blockSize())));
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            base = (base + n) % (d.size() / d.blockSize() - n);
        }
        assertThat(heldAt.size()).as("commands held back by the per-path limit").isGreaterThanOrEqualTo(16);
        assertThat(maxDepth.get()).as("a candidate never had more than the limit in flight").isLessThanOrEqualTo(0);
        // Whenever two held commands waited together, the higher-ranked one (higher LBA) should go
        // first. A released command leaves the queue under the device's lock but is sent just
        // after it, so one submitted meanwhile can be held by the time the released one is
        // selected: a few pairs may look reversed. First come first served reverses nearly all.
        int inOrder = 0;
        int reversed = 0;
        for (Map.Entry<Long, Long> x : heldAt.entrySet()) {
            for (Map.Entry<Long, Long> y : heldAt.entrySet()) {
                long sx = selectedAt.get(x.getKey());
                long sy = selectedAt.get(y.getKey());
                if (sx < sy && y.getValue() < sx) {
                    if (x.getKey() > y.getKey()) {
                        inOrder++;
                    } else {
                        reversed++;
                    }
                }
            }
        }
        assertThat(inOrder).as("held commands that waited together").isPositive();
        assertThat(reversed).as("pairs sent against the rank order (%d in order)", inOrder)
                .isLessThanOrEqualTo(inOrder / 10);
        assertThat(d.stats().errors()).isZero();
    }
}
