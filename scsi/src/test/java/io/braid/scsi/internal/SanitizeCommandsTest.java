package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.braid.store.MemoryBlockDevice;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

class SanitizeCommandsTest {

    private static final int BS = 512;

    /** SANITIZE (48h): 1 IMMED AUSE SERVICE ACTION, 7-8 PARAMETER LIST LENGTH. */
    private static byte[] sanitize(int serviceAction, boolean immed, boolean ause, int parameterLength) {
        byte[] c = new byte[10];
        c[0] = 0x48;
        c[1] = (byte) ((immed ? 0x80 : 0) | (ause ? 0x20 : 0) | serviceAction);
        BigEndian.put16(c, 7, parameterLength);
        return c;
    }

    /** OVERWRITE parameter list: INVERT | OVERWRITE COUNT, pattern length, pattern. */
    private static byte[] overwriteList(boolean invert, int count, byte[] pattern) {
        byte[] p = new byte[4 + pattern.length];
        p[0] = (byte) ((invert ? 0x80 : 0) | count);
        BigEndian.put16(p, 2, pattern.length);
        System.arraycopy(pattern, 0, p, 4, pattern.length);
        return p;
    }

    private static Harness.Reply overwrite(Harness h, boolean immed, boolean ause, byte[] list) {
        return h.run(0, sanitize(SanitizeCommands.OVERWRITE, immed, ause, list.length), list);
    }

    @Test
    void overwriteRepeatsThePatternInEveryBlock() {
        MemoryBlockDevice dev = new MemoryBlockDevice(BS, 64);
        Harness h = Harness.of(dev);
        Harness.Reply r = overwrite(h, false, false, overwriteList(false, 1, new byte[] {1, 2, 3}));
        assertThat(r.status()).isZero();
        byte[] all = h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 64)).data();
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i]).as("byte %d", i).isEqualTo((byte) (1 + (i % BS) % 3));
        }
        assertThat(h.run(0, "00 00 00 00 00 00").status()).isZero();
    }

    @Test
    void invertAlternatesAndTheLastPassWritesThePattern() {
        FirstBytes dev = new FirstBytes(new MemoryBlockDevice(BS, 64));
        Harness h = Harness.of(dev);
        assertThat(overwrite(h, false, false, overwriteList(true, 2, new byte[] {0x0F})).status()).isZero();
        assertThat(dev.firstBytes).containsExactly((byte) 0xF0, (byte) 0x0F);
        dev.firstBytes.clear();
        assertThat(overwrite(h, false, false, overwriteList(true, 3, new byte[] {0x0F})).status()).isZero();
        assertThat(dev.firstBytes).containsExactly((byte) 0x0F, (byte) 0xF0, (byte) 0x0F);
    }

    @Test
    void overwriteParameterChecks() {
        Harness h = Harness.of(new MemoryBlockDevice(BS, 64));
        for (int length : new int[] {0, 1, 4, BS + 5}) {
            assertInvalidFieldInCdb(h.run(0, sanitize(1, false, false, length), new byte[Math.max(length, 0)]), 7, 7);
        }
        Harness.Reply zeroCount = overwrite(h, false, false, overwriteList(false, 0, new byte[4]));
        assertThat(zeroCount.asc()).isEqualTo(0x26);
        Harness.Reply test = overwrite(h, false, false, overwriteList(false, 1, new byte[4]));
        assertThat(test.status()).isZero();
        byte[] withTest = overwriteList(false, 1, new byte[4]);
        withTest[0] |= 0x20;
        assertThat(overwrite(h, false, false, withTest).asc()).as("TEST 01b").isEqualTo(0x26);
        byte[] emptyPattern = overwriteList(false, 1, new byte[4]);
        BigEndian.put16(emptyPattern, 2, 0);
        assertThat(overwrite(h, false, false, emptyPattern).asc()).isEqualTo(0x26);
        byte[] longPattern = overwriteList(false, 1, new byte[BS]);
        BigEndian.put16(longPattern, 2, BS + 4);
        assertThat(overwrite(h, false, false, longPattern).asc()).isEqualTo(0x26);
    }

    @Test
    void serviceActionsAndReservedBits() {
        Harness thin = Harness.of(new MemoryBlockDevice(BS, 64));
        Harness full = Harness.of(new io.braid.scsi.internal.MemoryBlockDevice(BS, 64));
        for (int sa : new int[] {0, 3, 4, 0x1E}) {
            assertInvalidFieldInCdb(thin.run(0, sanitize(sa, false, false, 0)), 1, 4);
        }
        assertInvalidFieldInCdb(full.run(0, sanitize(SanitizeCommands.BLOCK_ERASE, false, false, 0)), 1, 4);
        assertInvalidFieldInCdb(thin.run(0, sanitize(SanitizeCommands.BLOCK_ERASE, false, false, 8), new byte[8]), 7, 7);
        assertInvalidFieldInCdb(thin.run(0, sanitize(SanitizeCommands.EXIT_FAILURE_MODE, false, false, 8), new byte[8]), 7, 7);
        byte[] znr = sanitize(SanitizeCommands.BLOCK_ERASE, false, false, 0);
        znr[1] |= 0x40;
        assertInvalidFieldInCdb(thin.run(0, znr), 1, 6);
        byte[] reserved = sanitize(SanitizeCommands.BLOCK_ERASE, false, false, 0);
        reserved[4] = 1;
        assertInvalidFieldInCdb(thin.run(0, reserved), 4, 0);
        assertThat(thin.run(0, sanitize(SanitizeCommands.EXIT_FAILURE_MODE, false, false, 0)).status())
                .as("nothing to exit").isZero();
        Harness readOnly = new Harness(List.of(Harness.readOnlyUnit(0, new MemoryBlockDevice(BS, 64))));
        assertCheckCondition(readOnly.run(0, sanitize(SanitizeCommands.BLOCK_ERASE, false, false, 0)), 0x7, 0x27, 0x00);
    }

    @Test
    void blockEraseDeallocatesEverything() throws Exception {
        MemoryBlockDevice dev = new MemoryBlockDevice(BS, 4096);
        Harness h = Harness.of(dev);
        assertThat(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 100, 256), Cdbs.pattern(256 * BS, 3)).status()).isZero();
        assertThat(h.run(0, sanitize(SanitizeCommands.BLOCK_ERASE, false, false, 0)).status()).isZero();
        assertThat(dev.allocatedBytes()).isZero();
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 100, 256)).data()).containsOnly(0);
        byte[] gls = new byte[16];
        gls[0] = (byte) 0x9E;
        gls[1] = 0x12;
        BigEndian.put32(gls, 10, 256);
        byte[] status = h.run(0, gls).data();
        assertThat(BigEndian.u32(status, 0)).as("one descriptor").isEqualTo(20);
        assertThat(BigEndian.u32(status, 16)).isEqualTo(4096);
        assertThat(status[20]).as("deallocated").isEqualTo((byte) 1);
    }

    /**
     * With IMMED the command returns at once; while the operation runs every other command but
     * the reporting ones is refused with SANITIZE IN PROGRESS, and REQUEST SENSE reports a
     * progress that grows. Afterwards the unit is back to normal with the pattern everywhere. The
     * device lets the operation write one chunk at a time, so the test does not depend on how fast
     * a loaded machine runs it.
     */
    @Test
    void immediateSanitizeReportsProgress() throws Exception {
        long blocks = 8L << 20 >> 9; // 8 chunks of 1 MiB
        Gated dev = new Gated(new MemoryBlockDevice(BS, blocks));
        Harness h = Harness.of(dev);
        assertThat(overwrite(h, true, false, overwriteList(false, 1, new byte[] {0x5A})).status()).isZero();
        assertSanitizing(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1)));
        assertSanitizing(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), new byte[BS]));
        assertThat(h.run(0, "12 00 00 00 60 00").status()).as("INQUIRY").isZero();
        assertThat(h.run(0, "a0 00 00 00 00 00 00 00 00 40 00 00").status()).as("REPORT LUNS").isZero();
        List<Integer> progress = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Harness.Reply tur = h.run(0, "00 00 00 00 00 00");
            byte[] s = h.run(0, "03 00 00 00 12 00").data();
            if (tur.status() == ScsiResult.GOOD) {
                assertThat(s[12]).as("NO SENSE once done").isZero();
                break;
            }
            assertThat(s[2] & 0x0F).as("NOT READY").isEqualTo(0x2);
            assertThat(s[12] & 0xFF).isEqualTo(0x04);
            assertThat(s[13] & 0xFF).isEqualTo(0x1B);
            assertThat(s[15] & 0x80).as("SKSV").isEqualTo(0x80);
            int now = BigEndian.u16(s, 16);
            if (progress.isEmpty() || progress.get(progress.size() - 1) != now) {
                progress.add(now);
                dev.gate.release(); // one more chunk
            }
            Thread.sleep(10);
        }
        assertThat(progress).as("polled while running").hasSizeGreaterThan(2);
        assertThat(progress).isSorted();
        assertThat(progress.get(progress.size() - 1)).isGreaterThan(progress.get(0));
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, (int) blocks - 1, 1)).data()).containsOnly(0x5A);
    }

    @Test
    void abortingTheWaitingTaskLeavesTheOperationRunning() throws Exception {
        Harness h = Harness.of(new MemoryBlockDevice(BS, 8L << 20 >> 9));
        byte[] list = overwriteList(false, 1, new byte[] {7});
        CompletableFuture<ScsiResult> waiting = CompletableFuture.supplyAsync(() -> h.execute(Harness.NEXUS_A, 0,
                sanitize(SanitizeCommands.OVERWRITE, false, false, list.length), Unpooled.wrappedBuffer(list),
                TaskAttribute.SIMPLE, 99));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!h.target.unit(0).sanitizer().inProgress() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(h.target.manageTask(Harness.NEXUS_A, TaskManagementFunction.ABORT_TASK, 0, 99))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(ScsiResult.TASK_ABORTED);
        assertThat(h.target.manageTask(Harness.NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertSanitizing(h.run(0, "00 00 00 00 00 00"));
        while (h.target.unit(0).sanitizer().inProgress() && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(20)) {
            Thread.sleep(20);
        }
        assertThat(h.run(0, "00 00 00 00 00 00").status()).isZero();
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 5, 1)).data()).containsOnly(7);
    }

    @Test
    void aFailedSanitizeHoldsTheUnitUntilAnotherOneOrExitFailureMode() {
        Failing dev = new Failing(new MemoryBlockDevice(BS, 64));
        Harness h = Harness.of(dev);
        byte[] list = overwriteList(false, 1, new byte[] {1});
        dev.failing = true;
        assertCheckCondition(overwrite(h, false, false, list), 0x3, 0x31, 0x03);
        assertCheckCondition(h.run(0, "00 00 00 00 00 00"), 0x3, 0x31, 0x03);
        assertThat(h.run(0, "03 00 00 00 12 00").data()[12] & 0xFF).isEqualTo(0x31);
        assertThat(h.run(0, "12 00 00 00 60 00").status()).isZero();
        // AUSE was clear: only a sanitize that succeeds gets the unit out.
        assertInvalidFieldInCdb(h.run(0, sanitize(SanitizeCommands.EXIT_FAILURE_MODE, false, false, 0)), 1, 4);
        dev.failing = false;
        assertThat(overwrite(h, false, false, list).status()).isZero();
        assertThat(h.run(0, "00 00 00 00 00 00").status()).isZero();
        // With AUSE, EXIT FAILURE MODE is enough.
        dev.failing = true;
        assertCheckCondition(overwrite(h, false, true, list), 0x3, 0x31, 0x03);
        dev.failing = false;
        assertThat(h.run(0, sanitize(SanitizeCommands.EXIT_FAILURE_MODE, false, false, 0)).status()).isZero();
        assertThat(h.run(0, "00 00 00 00 00 00").status()).isZero();
    }

    @Test
    void progressIndicationInBothSenseFormats() {
        Sense s = Sense.of(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS).withProgress(1, 4);
        assertThat(java.util.HexFormat.of().formatHex(s.encode(SenseFormat.FIXED)))
                .isEqualTo("700002000000000a00000000041b00" + "804000");
        // Descriptor format: sense key specific descriptor 02h with SKSV and the progress.
        assertThat(java.util.HexFormat.of().formatHex(s.encode(SenseFormat.DESCRIPTOR)))
                .isEqualTo("7202041b00000008" + "0206000080400000");
        assertThat(Sense.of(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS).withProgress(9, 8).progress())
                .as("never past 65535").isEqualTo(0xFFFF);
    }

    /** NOT READY / LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS with a progress indication. */
    private static void assertSanitizing(Harness.Reply r) {
        assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(r.senseKey()).isEqualTo(0x2);
        assertThat(r.asc()).isEqualTo(0x04);
        assertThat(r.ascq()).isEqualTo(0x1B);
        assertThat(r.sense()[15] & 0xFF).as("SKSV, progress indication").isEqualTo(0x80);
    }

    /** Lets a write through only for a permit of {@code gate} (waiting at most 30 s for one). */
    static final class Gated extends CompareAndWriteCommandsTest.Wrapped {
        final java.util.concurrent.Semaphore gate = new java.util.concurrent.Semaphore(0);

        Gated(io.braid.store.BlockDevice d) {
            super(d);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            try {
                if (!gate.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IOException("no permit to write within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            d.write(offset, src, fua);
        }
    }

    /** Records the first byte of every write. */
    static final class FirstBytes extends CompareAndWriteCommandsTest.Wrapped {
        final List<Byte> firstBytes = new ArrayList<>();

        FirstBytes(io.braid.store.BlockDevice d) {
            super(d);
        }

        @Override
        public synchronized void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            firstBytes.add(src.get(src.position()));
            d.write(offset, src, fua);
        }
    }

    /** Fails every write while {@code failing}. */
    static final class Failing extends CompareAndWriteCommandsTest.Wrapped {
        volatile boolean failing;

        Failing(io.braid.store.BlockDevice d) {
            super(d);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            if (failing) {
                throw new IOException("injected write failure");
            }
            d.write(offset, src, fua);
        }
    }
}
