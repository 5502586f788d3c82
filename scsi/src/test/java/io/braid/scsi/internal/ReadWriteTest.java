package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.store.FileBlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.braid.scsi.internal.Cdbs.pattern;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** READ and WRITE through a real file via {@link FileBlockDevice}. */
class ReadWriteTest {

    private static final long BLOCKS = 4096;

    @TempDir
    Path dir;
    private FileBlockDevice file;
    private Harness h;

    @BeforeEach
    void open() throws IOException {
        file = FileBlockDevice.open(dir.resolve("v0.img"), BLOCKS * 512);
        h = Harness.of(file);
    }

    @AfterEach
    void close() throws IOException {
        file.close();
        assertThat(h.target.tasksInFlight()).isZero();
    }

    @ParameterizedTest
    @EnumSource(LbaFields.class)
    void writeThenReadBackThroughTheFile(LbaFields size) throws IOException {
        byte[] data = pattern(5 * 512, size.ordinal());
        Harness.Reply w = h.run(0, Cdbs.rw(size, true, 0, 100, 5), data);
        assertThat(w.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(w.transferLength()).isEqualTo(5 * 512);
        assertThat(w.data()).isNull();
        Harness.Reply r = h.run(0, Cdbs.rw(size, false, 0, 100, 5));
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(r.data()).isEqualTo(data);
        ByteBuffer onDisk = ByteBuffer.allocate(5 * 512);
        file.read(100 * 512, onDisk);
        assertThat(onDisk.array()).isEqualTo(data);
    }

    @Test
    void crossSizeRoundTripAtTheLastBlocks() {
        byte[] data = pattern(8 * 512, 42);
        assertThat(h.run(0, Cdbs.rw(LbaFields.SIXTEEN, true, 0x08, BLOCKS - 8, 8), data).status()).isZero();
        assertThat(h.run(0, Cdbs.rw(LbaFields.SIX, false, 0, BLOCKS - 8, 8)).data()).isEqualTo(data);
        assertThat(h.run(0, Cdbs.rw(LbaFields.TWELVE, false, 0, BLOCKS - 8, 8)).data()).isEqualTo(data);
    }

    @Test
    void sixByteTransferLengthZeroMeans256Blocks() {
        byte[] data = pattern(256 * 512, 3);
        Harness.Reply w = h.run(0, Cdbs.six(Cdbs.WRITE6, 10, 0), data);
        assertThat(w.status()).isZero();
        assertThat(w.transferLength()).isEqualTo(256 * 512);
        Harness.Reply r = h.run(0, Cdbs.six(Cdbs.READ6, 10, 0));
        assertThat(r.data()).hasSize(256 * 512).isEqualTo(data);
    }

    @ParameterizedTest
    @EnumSource(value = LbaFields.class, names = {"TEN", "TWELVE", "SIXTEEN"})
    void zeroBlocksIsGoodWithoutData(LbaFields size) {
        Harness.Reply r = h.run(0, Cdbs.rw(size, false, 0, 0, 0));
        assertThat(r.status()).isZero();
        assertThat(r.data()).isNull();
        assertThat(r.transferLength()).isZero();
        Harness.Reply w = h.run(0, Cdbs.rw(size, true, 0, BLOCKS - 1, 0));
        assertThat(w.status()).isZero();
        assertThat(w.transferLength()).isZero();
    }

    @ParameterizedTest
    @EnumSource(LbaFields.class)
    void outOfRange(LbaFields size) {
        long[][] cases = {{BLOCKS, 1}, {BLOCKS - 1, 2}, {BLOCKS + 1, 0}, {BLOCKS, 0}};
        for (long[] c : cases) {
            assertCheckCondition(h.run(0, Cdbs.rw(size, false, 0, c[0], (int) c[1])), 0x5, 0x21, 0x00);
            assertCheckCondition(h.run(0, Cdbs.rw(size, true, 0, c[0], (int) c[1]), new byte[(int) c[1] * 512]),
                    0x5, 0x21, 0x00);
        }
        assertThat(h.run(0, Cdbs.rw(size, false, 0, BLOCKS - 1, 1)).status()).isZero();
    }

    @Test
    void outOfRangeAtWrappingLbas() {
        for (long lba : new long[] {0xFFFF_FFFFL, 0x8000_0000L}) {
            assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.READ10, 0, lba, 1)), 0x5, 0x21, 0x00);
            assertCheckCondition(h.run(0, Cdbs.twelve(Cdbs.READ12, 0, lba, 0)), 0x5, 0x21, 0x00);
        }
        // 2^55 * 512 wraps to 0 in 64 bits: the check must be on blocks, not bytes.
        for (long lba : new long[] {-1L, Long.MIN_VALUE, 1L << 55, 1L << 54}) {
            assertCheckCondition(h.run(0, Cdbs.sixteen(Cdbs.READ16, 0, lba, 1)), 0x5, 0x21, 0x00);
            assertCheckCondition(h.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, lba, 0)), 0x5, 0x21, 0x00);
        }
        assertCheckCondition(h.run(0, Cdbs.six(Cdbs.READ6, 0x1FFFFF, 1)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.six(Cdbs.READ6, (int) BLOCKS - 1, 0)), 0x5, 0x21, 0x00);
    }

    @Test
    void transferLengthAboveTheBlockLimitsMaximum() {
        Harness big = Harness.of(new MemoryBlockDevice(512, 1 << 20));
        assertThat(big.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 16384)).status()).isZero();
        assertInvalidFieldInCdb(big.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 16385)), 7, 7);
        assertInvalidFieldInCdb(big.run(0, Cdbs.twelve(Cdbs.READ12, 0, 0, 100_000)), 6, 7);
        assertInvalidFieldInCdb(big.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 0, 20000)), 10, 7);
        // Out of range is found first.
        assertCheckCondition(big.run(0, Cdbs.sixteen(Cdbs.READ16, 0, 0, 0xFFFF_FFFFL)), 0x5, 0x21, 0x00);
    }

    @Test
    void protectionFieldsAndReservedBitsAreInvalidFields() {
        for (int p = 1; p < 8; p++) {
            assertInvalidFieldInCdb(h.run(0, Cdbs.ten(Cdbs.READ10, p << 5, 0, 1)), 1, 31 - Integer.numberOfLeadingZeros(p << 5));
            assertInvalidFieldInCdb(h.run(0, Cdbs.ten(Cdbs.WRITE10, p << 5, 0, 1), new byte[512]), 1, 31 - Integer.numberOfLeadingZeros(p << 5));
            assertInvalidFieldInCdb(h.run(0, Cdbs.sixteen(Cdbs.READ16, p << 5, 0, 1)), 1, 31 - Integer.numberOfLeadingZeros(p << 5));
        }
        assertInvalidFieldInCdb(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0x04, 0, 1), new byte[512]), 1, 2);
        assertInvalidFieldInCdb(h.run(0, Cdbs.sixteen(Cdbs.READ16, 0x01, 0, 1)), 1, 0); // DLD2
        byte[] dld1 = Cdbs.sixteen(Cdbs.READ16, 0, 0, 1);
        dld1[14] = (byte) 0x80;
        assertInvalidFieldInCdb(h.run(0, dld1), 14, 7);
        byte[] read6 = Cdbs.six(Cdbs.READ6, 0, 1);
        read6[1] = 0x20; // formerly the LUN field, reserved
        assertInvalidFieldInCdb(h.run(0, read6), 1, 5);
        byte[] naca = Cdbs.ten(Cdbs.READ10, 0, 0, 1);
        naca[9] = 0x04;
        assertInvalidFieldInCdb(h.run(0, naca), 9, 2);
        byte[] link = Cdbs.ten(Cdbs.READ10, 0, 0, 1);
        link[9] = 0x01;
        assertInvalidFieldInCdb(h.run(0, link), 9, 0);
    }

    @Test
    void dpoFuaObsoleteBitsAndGroupNumbersAreAccepted() {
        byte[] data = pattern(512, 1);
        for (int flags : new int[] {0x10, 0x08, 0x18, 0x02, 0x0A, 0x1B}) {
            byte[] cdb = Cdbs.ten(Cdbs.WRITE10, flags & 0x1B, 0, 1);
            cdb[6] = 0x3F;
            assertThat(h.run(0, cdb, data).status()).as("WRITE(10) flags %02x", flags).isZero();
            assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, flags, 0, 1)).data()).as("READ(10) flags %02x", flags).isEqualTo(data);
        }
        assertThat(h.run(0, Cdbs.sixteen(Cdbs.READ16, 0x1E, 0, 1)).status()).isZero();
        assertThat(h.run(0, Cdbs.twelve(Cdbs.READ12, 0x1F, 0, 1)).status()).isZero();
    }

    @Test
    void readOnlyUnitRefusesWritesOnly() {
        Harness ro = new Harness(List.of(Harness.readOnlyUnit(0, file)));
        assertCheckCondition(ro.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), new byte[512]), 0x7, 0x27, 0x00);
        assertCheckCondition(ro.run(0, Cdbs.six(Cdbs.WRITE6, 0, 1), new byte[512]), 0x7, 0x27, 0x00);
        assertThat(ro.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1)).status()).isZero();
        assertThat(ro.run(0, Cdbs.ten(Cdbs.SYNC10, 0, 0, 0)).status()).isZero();
    }

    @Test
    void shortDataOutWritesTheWholeBlocksReceived() {
        byte[] a = new byte[3 * 512];
        Arrays.fill(a, (byte) 'a');
        assertThat(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 3), a).status()).isZero();

        Harness.Reply none = h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), new byte[0]);
        assertThat(none.status()).as("EDTL 0").isZero();
        assertThat(none.transferLength()).isEqualTo(512);

        byte[] b = new byte[512];
        Arrays.fill(b, (byte) 'b');
        Harness.Reply one = h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 2), b);
        assertThat(one.status()).as("EDTL one block of two").isZero();
        assertThat(one.transferLength()).isEqualTo(1024);
        byte[] back = h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 3)).data();
        assertThat(Arrays.copyOfRange(back, 0, 512)).containsOnly('b');
        assertThat(Arrays.copyOfRange(back, 512, 1536)).containsOnly('a');
    }

    @Test
    void dataOutEndingInsideABlockWritesNothing() {
        byte[] c = new byte[200];
        Arrays.fill(c, (byte) 'c');
        Harness.Reply r = h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), c);
        assertCheckCondition(r, 0x5, 0x0E, 0x03);
        assertThat(r.transferLength()).as("CDB length, for the overflow residual").isEqualTo(512);
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1)).data()).containsOnly(0);
        byte[] oneAndHalf = new byte[768];
        assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 2), oneAndHalf), 0x5, 0x0E, 0x03);
    }

    @Test
    void dataOutBeyondTheCdbIsIgnored() {
        byte[] d = pattern(10000, 5);
        Harness.Reply r = h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), d);
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isEqualTo(512);
        byte[] back = h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 2)).data();
        assertThat(Arrays.copyOf(back, 512)).isEqualTo(Arrays.copyOf(d, 512));
        assertThat(Arrays.copyOfRange(back, 512, 1024)).containsOnly(0);
    }

    @Test
    void dataOutOnAReadIsReleasedAndIgnored() {
        ByteBuf out = Unpooled.wrappedBuffer(new byte[512]);
        Harness.Reply r = h.run(Harness.NEXUS_A, 0, Cdbs.ten(Cdbs.READ10, 0, 0, 1), out, TaskAttribute.SIMPLE);
        assertThat(r.status()).isZero();
        assertThat(r.data()).hasSize(512);
        assertThat(out.refCnt()).isZero();
    }

    @Test
    void compositeDataOutAlignedAndUnaligned() {
        byte[] data = pattern(4 * 512, 9);
        CompositeByteBuf aligned = Unpooled.compositeBuffer();
        aligned.addComponents(true, Unpooled.wrappedBuffer(data, 0, 1024), Unpooled.wrappedBuffer(data, 1024, 1024));
        assertThat(h.run(Harness.NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 4), aligned, TaskAttribute.SIMPLE).status()).isZero();
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 4)).data()).isEqualTo(data);

        byte[] data2 = pattern(4 * 512, 10);
        CompositeByteBuf unaligned = Unpooled.compositeBuffer();
        unaligned.addComponents(true, Unpooled.wrappedBuffer(data2, 0, 700), Unpooled.wrappedBuffer(data2, 700, 1000),
                Unpooled.wrappedBuffer(data2, 1700, 348));
        assertThat(h.run(Harness.NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0, 8, 4), unaligned, TaskAttribute.SIMPLE).status()).isZero();
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 8, 4)).data()).isEqualTo(data2);
    }
}
