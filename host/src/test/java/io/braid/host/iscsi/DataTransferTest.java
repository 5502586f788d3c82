package io.braid.host.iscsi;

import io.braid.host.TestTarget;
import io.braid.host.scsi.Cdbs;
import io.braid.iscsi.login.Digest;
import io.braid.iscsi.login.InitiatorNegotiator.Preferences;
import io.braid.iscsi.login.NegotiatedParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.braid.host.iscsi.IscsiSessionTest.await;
import static io.braid.host.iscsi.IscsiSessionTest.clearUnitAttention;
import static io.braid.host.iscsi.IscsiSessionTest.pattern;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data movement against a real Braid node: every way of sending write data the negotiation
 * allows, Data-In split into many PDUs and sequences, digests, and many commands in flight at
 * once beyond the target's CmdSN window, all verified byte for byte.
 */
class DataTransferTest {
    @TempDir
    Path dir;
    TestTarget target;
    IscsiInitiator initiator;
    io.braid.host.AgentEventLoops loops;

    @AfterEach
    void tearDown() {
        if (initiator != null) {
            initiator.close();
        }
        if (loops != null) {
            loops.close();
        }
        if (target != null) {
            target.close();
        }
    }

    IscsiSession open(Preferences prefs) throws Exception {
        initiator = new IscsiInitiator(InitiatorConfig.defaults(IscsiSessionTest.INITIATOR).withNegotiation(prefs));
        IscsiSession s = initiator.open(new SessionSpec(target.iqn(), null, target.portal(), Authentication.NONE));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        clearUnitAttention(s, 0);
        return s;
    }

    static Stream<Arguments> negotiations() {
        List<Digest> none = List.of(Digest.NONE);
        List<Digest> crc = List.of(Digest.CRC32C);
        return Stream.of(
                // ImmediateData=Yes, InitialR2T=No: immediate, unsolicited Data-Out, then R2Ts.
                Arguments.of("immediate+unsolicited+R2T", new Preferences(none, none, 262144, 262144, 65536, 1, false, true, 2, 0), false, true),
                // Every byte solicited by R2T.
                Arguments.of("R2T only", new Preferences(none, none, 262144, 262144, 65536, 1, true, false, 2, 0), true, false),
                Arguments.of("immediate+R2T", new Preferences(none, none, 262144, 131072, 65536, 1, true, true, 2, 0), true, true),
                // Unsolicited Data-Out without immediate data; small PDUs and bursts both ways.
                Arguments.of("unsolicited+R2T, small bursts", new Preferences(none, none, 4096, 16384, 8192, 1, false, false, 2, 0), false, false),
                Arguments.of("CRC32C digests", new Preferences(crc, crc, 65536, 262144, 65536, 1, false, true, 2, 0), false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negotiations")
    void largeWritesAndReadsVerify(String label, Preferences prefs, boolean initialR2T, boolean immediateData)
            throws Exception {
        target = TestTarget.in(dir).volume("v0", 16 << 20).start();
        IscsiSession s = open(prefs);
        NegotiatedParameters p = s.parameters();
        assertThat(p.initialR2T()).isEqualTo(initialR2T);
        assertThat(p.immediateData()).isEqualTo(immediateData);
        if (prefs.headerDigests().contains(Digest.CRC32C)) {
            assertThat(p.headerDigestCrc32c()).isTrue();
            assertThat(p.dataDigestCrc32c()).isTrue();
        }
        // 4 MiB needs many R2Ts at any MaxBurstLength the target grants; 3 KiB + odd sizes test the edges.
        int[] sizes = {4 << 20, 512, 3 * 1024, 65536 + 512, 1 << 20};
        long lba = 0;
        for (int i = 0; i < sizes.length; i++) {
            byte[] data = pattern(sizes[i], i + 1);
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            ScsiOutcome w = await(s.submit(ScsiRequest.write(0, Cdbs.write16(lba, data.length / 512, false), buf)));
            buf.release();
            assertThat(w.isGood()).as("write of %d bytes: %s", data.length, w).isTrue();
            ScsiOutcome r = await(s.submit(ScsiRequest.read(0, Cdbs.read16(lba, data.length / 512), data.length)));
            assertThat(r.isGood()).as("read of %d bytes: %s", data.length, r).isTrue();
            try {
                ByteBuf got = ((ScsiOutcome.Good) r).data();
                assertThat(got.readableBytes()).isEqualTo(data.length);
                assertThat(ByteBufUtil.getBytes(got)).isEqualTo(data);
            } finally {
                r.release();
            }
            lba += data.length / 512 + 8;
        }
    }

    @Test
    void manyCommandsInFlightBeyondTheCmdSnWindow() throws Exception {
        target = TestTarget.in(dir).volume("v0", 48 << 20).start();
        IscsiSession s = open(Preferences.defaults());
        int regions = 320; // more than the target's window of 128
        int size = 128 * 1024;
        List<CompletableFuture<ScsiOutcome>> writes = new ArrayList<>();
        int mostOutstanding = 0;
        for (int i = 0; i < regions; i++) {
            ByteBuf buf = Unpooled.wrappedBuffer(pattern(size, 1000 + i));
            writes.add(s.submit(ScsiRequest.write(0, Cdbs.write16((long) i * size / 512, size / 512, false), buf)));
            buf.release(); // the session holds its own reference
            mostOutstanding = Math.max(mostOutstanding, s.outstanding());
        }
        // Sampled while submitting: after the loop a fast target may already have answered them all.
        assertThat(mostOutstanding).isGreaterThan(0);
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (CompletableFuture<ScsiOutcome> w : writes) {
            assertThat(w.get().isGood()).as("%s", w.get()).isTrue();
        }
        // Reads of every region and rewrites of every other one, all at once.
        List<CompletableFuture<ScsiOutcome>> reads = new ArrayList<>();
        List<CompletableFuture<ScsiOutcome>> rewrites = new ArrayList<>();
        for (int i = 0; i < regions; i++) {
            if (i % 2 == 0) {
                reads.add(s.submit(ScsiRequest.read(0, Cdbs.read16((long) i * size / 512, size / 512), size)));
            } else {
                ByteBuf buf = Unpooled.wrappedBuffer(pattern(size, 5000 + i));
                rewrites.add(s.submit(ScsiRequest.write(0, Cdbs.write16((long) i * size / 512, size / 512, false), buf)));
                buf.release();
            }
        }
        for (int k = 0; k < reads.size(); k++) {
            ScsiOutcome r = reads.get(k).get(60, TimeUnit.SECONDS);
            try {
                assertThat(ByteBufUtil.getBytes(((ScsiOutcome.Good) r).data())).isEqualTo(pattern(size, 1000 + 2 * k));
            } finally {
                r.release();
            }
        }
        for (CompletableFuture<ScsiOutcome> w : rewrites) {
            assertThat(w.get(60, TimeUnit.SECONDS).isGood()).isTrue();
        }
        for (int i = 1; i < regions; i += 2) {
            ScsiOutcome r = await(s.submit(ScsiRequest.read(0, Cdbs.read16((long) i * size / 512, size / 512), size)));
            try {
                assertThat(ByteBufUtil.getBytes(((ScsiOutcome.Good) r).data())).isEqualTo(pattern(size, 5000 + i));
            } finally {
                r.release();
            }
        }
        assertThat(s.outstanding()).isZero();
        assertThat(s.stats().failed()).isZero();
    }

    @Test
    void queueBoundRefusesTheExcess() throws Exception {
        target = TestTarget.in(dir).volume("v0", 4 << 20).start();
        // One loop thread, so the test can run code on the session's own thread.
        loops = io.braid.host.AgentEventLoops.start(1);
        initiator = new IscsiInitiator(InitiatorConfig.defaults(IscsiSessionTest.INITIATOR).withMaxQueuedCommands(4),
                loops.group());
        IscsiSession s = initiator.open(new SessionSpec(target.iqn(), null, target.portal(), Authentication.NONE));
        s.firstLogin().get(10, TimeUnit.SECONDS);
        clearUnitAttention(s, 0);
        List<CompletableFuture<ScsiOutcome>> all = new ArrayList<>();
        // Submitted from the session's own thread in one go, so none can finish in between
        // (a callback on a submit's future may run on the caller's thread instead when the
        // command completed before the callback was attached).
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        loops.group().next().execute(() -> {
            for (int i = 0; i < 8; i++) {
                all.add(s.submit(ScsiRequest.read(0, Cdbs.read16(0, 8), 4096)));
            }
            submitted.complete(null);
        });
        submitted.get(10, TimeUnit.SECONDS);
        long full = 0;
        for (CompletableFuture<ScsiOutcome> f : all) {
            ScsiOutcome o = await(f);
            if (o instanceof ScsiOutcome.TransportFailure t) {
                assertThat(t.kind()).isEqualTo(FailureKind.QUEUE_FULL);
                full++;
            }
            o.release();
        }
        assertThat(full).isEqualTo(4);
    }
}
