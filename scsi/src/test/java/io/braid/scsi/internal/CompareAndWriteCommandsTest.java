package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.UnitFeature;
import io.braid.scsi.UnitStateStore;
import io.braid.store.BlockDevice;
import io.braid.store.ForwardingBlockDevice;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.braid.scsi.internal.Cdbs.pattern;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** COMPARE AND WRITE, ORWRITE, WRITE AND VERIFY and WRITE ATOMIC, and their atomicity. */
class CompareAndWriteCommandsTest {

    private static final int BS = 512;

    private final io.braid.store.MemoryBlockDevice dev = new io.braid.store.MemoryBlockDevice(BS, 4096);
    private final Harness h = Harness.of(dev);

    static byte[] caw(long lba, int blocks, int flags) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        c[1] = (byte) flags;
        BigEndian.put64(c, 2, lba);
        c[13] = (byte) blocks;
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private byte[] read(long lba, int blocks) {
        Harness.Reply r = h.run(0, Cdbs.sixteen(Cdbs.READ16, 0, lba, blocks));
        assertThat(r.status()).isZero();
        return r.data();
    }

    private void write(long lba, byte[] data) {
        assertThat(h.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, lba, data.length / BS), data).status()).isZero();
    }

    @Test
    void compareAndWriteReplacesMatchingBlocks() {
        byte[] old = pattern(2 * BS, 1);
        byte[] fresh = pattern(2 * BS, 2);
        write(100, old);
        Harness.Reply r = h.run(0, caw(100, 2, 0x08), concat(old, fresh));
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isEqualTo(4 * BS);
        assertThat(read(100, 2)).isEqualTo(fresh);
    }

    @Test
    void miscompareReportsTheOffsetAndWritesNothing() {
        byte[] old = pattern(3 * BS, 1);
        write(10, old);
        byte[] verify = old.clone();
        verify[2 * BS + 27] ^= 0x40;
        Harness.Reply r = h.run(0, caw(10, 3, 0), concat(verify, pattern(3 * BS, 9)));
        // MISCOMPARE / MISCOMPARE DURING VERIFY OPERATION, VALID, INFORMATION = 1051 (41Bh).
        assertThat(HexFormat.of().formatHex(r.sense())).isEqualTo("f0000e0000041b" + "0a00000000" + "1d00" + "00000000");
        assertThat(read(10, 3)).isEqualTo(old);
    }

    @Test
    void dataOutMustBeTwiceTheBlocks() {
        assertInvalidFieldInCdb(h.run(0, caw(0, 1, 0), new byte[3 * BS]), 13, 7);
        assertInvalidFieldInCdb(h.run(0, caw(0, 2, 0), new byte[2 * BS]), 13, 7);
        // NUMBER OF LOGICAL BLOCKS 0 with data: what libiscsi sends for 256 blocks (the byte wraps).
        assertInvalidFieldInCdb(h.run(0, caw(0, 0, 0), new byte[512 * BS]), 13, 7);
        assertThat(h.run(0, caw(0, 0, 0)).status()).as("zero blocks, no data: nothing to do").isZero();
    }

    @Test
    void rangeAndReservedFields() {
        assertCheckCondition(h.run(0, caw(4096, 1, 0), new byte[2 * BS]), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, caw(4095, 2, 0), new byte[4 * BS]), 0x5, 0x21, 0x00);
        assertInvalidFieldInCdb(h.run(0, caw(0, 1, 0x20), new byte[2 * BS]), 1, 5); // WRPROTECT
        assertThat(h.run(0, caw(0, 1, 0x02), new byte[2 * BS]).status()).as("obsolete FUA_NV ignored").isZero();
    }

    @Test
    void blockLimitsReportTheLength() {
        byte[] b0 = h.run(0, "12 01 b0 00 ff 00").data();
        assertThat(b0[5] & 0xFF).isEqualTo(CompareAndWriteCommands.MAX_COMPARE_AND_WRITE_BLOCKS);
    }

    @Test
    void switchedOffCompareAndWriteIsAnUnknownOpcodeAndNotAdvertised() {
        Harness off = new Harness(List.of(new LogicalUnitSpec(0, "v0", Harness.uuid(0), dev, false,
                UnitStateStore.inMemory(), EnumSet.complementOf(EnumSet.of(UnitFeature.COMPARE_AND_WRITE)))));
        assertCheckCondition(off.run(0, caw(0, 1, 0), new byte[2 * BS]), 0x5, 0x20, 0x00);
        assertThat(off.run(0, "12 01 b0 00 ff 00").data()[5]).isZero();
        Harness.Reply one = off.run(0, "a3 0c 01 89 00 00 00 00 ff ff 00 00");
        assertThat(HexFormat.of().formatHex(one.data())).isEqualTo("00010000");
        String all = HexFormat.of().formatHex(off.run(0, "a3 0c 00 00 00 00 00 00 ff ff 00 00").data());
        for (int p = 8; p < all.length(); p += 16) {
            assertThat(all.substring(p, p + 2)).isNotEqualTo("89");
        }
    }

    /**
     * The ATS property: threads increment one counter block only through COMPARE AND WRITE
     * (read, then compare the old value and write old + 1, retrying on MISCOMPARE). Without the
     * exclusive range two of them could compare the same old value and one increment would be
     * lost.
     */
    @Test
    void concurrentCompareAndWritesLoseNoUpdate() throws Exception {
        int threads = 6;
        int increments = 150;
        write(7, new byte[BS]);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger miscompares = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < increments; ) {
                        byte[] now = read(7, 1);
                        byte[] next = now.clone();
                        BigEndian.put64(next, 0, BigEndian.u64(now, 0) + 1);
                        Harness.Reply r = h.run(0, caw(7, 1, 0), concat(now, next));
                        if (r.status() == ScsiResult.GOOD) {
                            i++;
                        } else {
                            assertThat(r.senseKey()).isEqualTo(0xE);
                            miscompares.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(BigEndian.u64(read(7, 1), 0)).isEqualTo((long) threads * increments);
        assertThat(miscompares.get()).as("the threads really raced").isPositive();
    }

    /**
     * COMPARE AND WRITE against plain WRITE on a device that writes block by block slowly: every
     * round a writer overwrites eight blocks holding A with B while a COMPARE AND WRITE replaces
     * A with C. Whichever runs first, the blocks must end up all B: a COMPARE AND WRITE that ran
     * after the write must have miscompared, one that ran before was overwritten. A C anywhere
     * means the compare and the write were split by the plain write.
     */
    @Test
    void compareAndWriteIsAtomicAgainstPlainWrites() throws Exception {
        SlowDevice slow = new SlowDevice(new io.braid.store.MemoryBlockDevice(BS, 1024));
        Harness hs = Harness.of(slow);
        byte[] a = filled(8, 'A');
        byte[] b = filled(8, 'B');
        byte[] c = filled(8, 'C');
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int succeeded = 0;
        try {
            for (int round = 0; round < 40; round++) {
                slow.enabled = false;
                assertThat(hs.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 64, 8), a).status()).isZero();
                slow.enabled = true;
                CountDownLatch go = new CountDownLatch(1);
                // Alternate who starts first, by 0 to 3 ms, so the two overlap in every order.
                int writerDelay = round % 2 == 0 ? round % 8 / 2 : 0;
                int swapDelay = round % 2 == 1 ? round % 8 / 2 : 0;
                Future<Harness.Reply> writer = pool.submit(() -> {
                    go.await();
                    Thread.sleep(writerDelay);
                    return hs.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 64, 8), b);
                });
                Future<Harness.Reply> swap = pool.submit(() -> {
                    go.await();
                    Thread.sleep(swapDelay);
                    return hs.run(0, caw(64, 8, 0), concat(a, c));
                });
                go.countDown();
                assertThat(writer.get(30, TimeUnit.SECONDS).status()).isZero();
                Harness.Reply r = swap.get(30, TimeUnit.SECONDS);
                succeeded += r.status() == ScsiResult.GOOD ? 1 : 0;
                slow.enabled = false;
                byte[] now = hs.run(0, Cdbs.sixteen(Cdbs.READ16, 0, 64, 8)).data();
                assertThat(now).as("round %d: all B", round).isEqualTo(b);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(succeeded).as("some compares ran before the write").isPositive();
    }

    @Test
    void orWriteOrsIntoTheMedium() {
        byte[] zero = new byte[4 * BS];
        write(20, zero);
        byte[] a5 = filled(4, 0xA5);
        byte[] x5a = filled(4, 0x5A);
        assertThat(h.run(0, Cdbs.sixteen(0x8B, 0, 20, 4), a5).status()).isZero();
        assertThat(read(20, 4)).isEqualTo(a5);
        assertThat(h.run(0, Cdbs.sixteen(0x8B, 0x08, 20, 4), x5a).status()).isZero();
        assertThat(read(20, 4)).isEqualTo(filled(4, 0xFF));
        assertCheckCondition(h.run(0, Cdbs.sixteen(0x8B, 0, 4095, 2), new byte[2 * BS]), 0x5, 0x21, 0x00);
        assertInvalidFieldInCdb(h.run(0, Cdbs.sixteen(0x8B, 0x20, 0, 1), new byte[BS]), 1, 5); // ORPROTECT
    }

    @Test
    void writeAndVerifyWritesThroughAndChecks() {
        RecordingDevice rec = new RecordingDevice(new io.braid.store.MemoryBlockDevice(BS, 1024));
        Harness hr = Harness.of(rec);
        byte[] data = pattern(3 * BS, 4);
        for (byte[] cdb : List.of(Cdbs.ten(0x2E, 0x02, 5, 3), Cdbs.twelve(0xAE, 0x02, 5, 3), Cdbs.sixteen(0x8E, 0x02, 5, 3),
                Cdbs.ten(0x2E, 0x00, 5, 3))) {
            rec.fuaWrites.set(0);
            Harness.Reply r = hr.run(0, cdb, data);
            assertThat(r.status()).isZero();
            assertThat(rec.fuaWrites.get()).as("written through to the medium").isEqualTo(1);
        }
        assertThat(hr.run(0, Cdbs.sixteen(Cdbs.READ16, 0, 5, 3)).data()).isEqualTo(data);
        assertInvalidFieldInCdb(hr.run(0, Cdbs.ten(0x2E, 0x04, 5, 1), new byte[BS]), 1, 2); // BYTCHK 10b
        assertInvalidFieldInCdb(hr.run(0, Cdbs.ten(0x2E, 0x06, 5, 1), new byte[BS]), 1, 2); // BYTCHK 11b
        // Short data-out: the whole blocks that came are written (libiscsi's residual tests).
        Harness.Reply shortOut = hr.run(0, Cdbs.ten(0x2E, 0x02, 40, 2), pattern(BS, 8));
        assertThat(shortOut.status()).isZero();
        assertThat(shortOut.transferLength()).isEqualTo(2 * BS);
        assertThat(hr.run(0, Cdbs.ten(Cdbs.READ10, 0, 40, 1)).data()).isEqualTo(pattern(BS, 8));
    }

    @Test
    void writeAtomicWritesAllOrNothing() {
        byte[] old = pattern(4 * BS, 1);
        write(30, old);
        byte[] atomic = new byte[16];
        atomic[0] = (byte) 0x9C;
        BigEndian.put64(atomic, 2, 30);
        BigEndian.put16(atomic, 12, 4);
        byte[] fresh = pattern(4 * BS, 2);
        assertThat(h.run(0, atomic, fresh).status()).isZero();
        assertThat(read(30, 4)).isEqualTo(fresh);
        // Short data-out writes nothing at all.
        assertCheckCondition(h.run(0, atomic, pattern(3 * BS, 3)), 0x5, 0x0E, 0x03);
        assertThat(read(30, 4)).isEqualTo(fresh);
        // Longer than MAXIMUM ATOMIC TRANSFER LENGTH (1 MiB), checked after the range.
        byte[] big = atomic.clone();
        BigEndian.put16(big, 12, 2049);
        BigEndian.put64(big, 2, 0);
        assertInvalidFieldInCdb(h.run(0, big, new byte[2049 * BS]), 12, 7);
        BigEndian.put64(big, 2, 4000);
        assertCheckCondition(h.run(0, big, new byte[2049 * BS]), 0x5, 0x21, 0x00);
        // ATOMIC BOUNDARY: no boundaries are supported.
        byte[] boundary = atomic.clone();
        boundary[11] = 1;
        assertInvalidFieldInCdb(h.run(0, boundary, fresh), 11, 0);
        byte[] b0 = h.run(0, "12 01 b0 00 ff 00").data();
        assertThat(BigEndian.u32(b0, 44)).isEqualTo(2048);
    }

    @Test
    void writeAtomicPutsTheOldDataBackWhenTheWriteFails() {
        FailingOnceDevice failing = new FailingOnceDevice(new io.braid.store.MemoryBlockDevice(BS, 1024));
        Harness hf = Harness.of(failing);
        byte[] old = pattern(4 * BS, 5);
        assertThat(hf.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 8, 4), old).status()).isZero();
        failing.failNextWriteAfter = 2 * BS;
        byte[] atomic = new byte[16];
        atomic[0] = (byte) 0x9C;
        BigEndian.put64(atomic, 2, 8);
        BigEndian.put16(atomic, 12, 4);
        Harness.Reply r = hf.run(0, atomic, pattern(4 * BS, 6));
        assertThat(r.senseKey()).isEqualTo(0x3); // MEDIUM ERROR / WRITE ERROR
        assertThat(r.asc()).isEqualTo(0x0C);
        assertThat(hf.run(0, Cdbs.sixteen(Cdbs.READ16, 0, 8, 4)).data()).isEqualTo(old);
    }

    @Test
    void aWriteWaitingForAnExclusiveRangeCanBeAborted() throws Exception {
        LogicalUnit unit = h.target.unit(0);
        unit.ranges().lockExclusive(50, 1, null);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<ScsiResult> w = pool.submit(() -> h.execute(Harness.NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0, 50, 1),
                    Unpooled.wrappedBuffer(new byte[BS]), TaskAttribute.SIMPLE, 4242));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (h.target.tasksInFlight() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertThat(w.isDone()).as("waits for the range").isFalse();
            assertThat(h.target.manageTask(Harness.NEXUS_A, io.braid.scsi.TaskManagementFunction.ABORT_TASK, 0, 4242))
                    .isEqualTo(io.braid.scsi.TaskManagementResponse.FUNCTION_COMPLETE);
            assertThat(w.get(10, TimeUnit.SECONDS).status()).isEqualTo(ScsiResult.TASK_ABORTED);
        } finally {
            unit.ranges().unlockExclusive(50, 1);
            pool.shutdownNow();
        }
        assertThat(dev.provisioning(50L * BS).mapped()).as("nothing was written").isFalse();
    }

    static byte[] filled(int blocks, int value) {
        byte[] b = new byte[blocks * BS];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Writes one block at a time with a pause between blocks, so a concurrent command can interleave. */
    static final class SlowDevice extends Wrapped {
        volatile boolean enabled;

        SlowDevice(BlockDevice d) {
            super(d);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            if (!enabled) {
                d.write(offset, src, fua);
                return;
            }
            int bs = d.blockSize();
            while (src.hasRemaining()) {
                ByteBuffer one = src.slice(src.position(), bs);
                d.write(offset, one, false);
                src.position(src.position() + bs);
                offset += bs;
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    /** Counts FUA writes. */
    static final class RecordingDevice extends Wrapped {
        final AtomicLong fuaWrites = new AtomicLong();

        RecordingDevice(BlockDevice d) {
            super(d);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            if (fua) {
                fuaWrites.incrementAndGet();
            }
            d.write(offset, src, fua);
        }
    }

    /** The next write stores {@code failNextWriteAfter} bytes and then fails (a torn write). */
    static final class FailingOnceDevice extends Wrapped {
        volatile int failNextWriteAfter = -1;

        FailingOnceDevice(BlockDevice d) {
            super(d);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            int n = failNextWriteAfter;
            if (n >= 0) {
                failNextWriteAfter = -1;
                d.write(offset, src.slice(src.position(), n), fua);
                throw new IOException("injected failure after " + n + " bytes");
            }
            d.write(offset, src, fua);
        }
    }

    /** Delegates everything to another device; {@code d} is the device wrapped. */
    abstract static class Wrapped extends ForwardingBlockDevice {
        final BlockDevice d;

        Wrapped(BlockDevice d) {
            super(d);
            this.d = d;
        }
    }
}
