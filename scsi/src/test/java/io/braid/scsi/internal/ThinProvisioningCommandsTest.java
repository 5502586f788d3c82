package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.UnitFeature;
import io.braid.scsi.UnitStateStore;
import io.braid.store.MemoryBlockDevice;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.Cdbs.pattern;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** UNMAP, GET LBA STATUS, WRITE SAME and how thin provisioning is reported, on a thin MemoryBlockDevice. */
class ThinProvisioningCommandsTest {

    private static final int BS = 512;
    private static final int CHUNK_BLOCKS = MemoryBlockDevice.DEFAULT_CHUNK_SIZE / BS; // 128
    private static final long BLOCKS = 64 * CHUNK_BLOCKS; // 4 MiB

    private final MemoryBlockDevice dev = new MemoryBlockDevice(BS, BLOCKS);
    private final Harness h = Harness.of(dev);

    private static byte[] unmapCdb(int parameterLength) {
        byte[] c = new byte[10];
        c[0] = 0x42;
        BigEndian.put16(c, 7, parameterLength);
        return c;
    }

    /** An UNMAP parameter list with one 16-byte descriptor per (lba, blocks) pair. */
    private static byte[] unmapList(long... lbaAndBlocks) {
        int n = lbaAndBlocks.length / 2;
        byte[] p = new byte[8 + 16 * n];
        BigEndian.put16(p, 0, p.length - 2);
        BigEndian.put16(p, 2, 16 * n);
        for (int i = 0; i < n; i++) {
            BigEndian.put64(p, 8 + 16 * i, lbaAndBlocks[2 * i]);
            BigEndian.put32(p, 16 + 16 * i, lbaAndBlocks[2 * i + 1]);
        }
        return p;
    }

    private Harness.Reply unmap(long... lbaAndBlocks) {
        byte[] p = unmapList(lbaAndBlocks);
        return h.run(0, unmapCdb(p.length), p);
    }

    private static byte[] getLbaStatus(long lba, int allocation) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x12;
        BigEndian.put64(c, 2, lba);
        BigEndian.put32(c, 10, allocation);
        return c;
    }

    private static byte[] writeSame16(int flags, long lba, long blocks) {
        return Cdbs.sixteen(0x93, flags, lba, blocks);
    }

    private void write(long lba, int blocks, int seed) {
        assertThat(h.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, lba, blocks), pattern(blocks * BS, seed)).status()).isZero();
    }

    private byte[] read(long lba, int blocks) {
        return h.run(0, Cdbs.sixteen(Cdbs.READ16, 0, lba, blocks)).data();
    }

    /** The (lba, blocks, status) triples of a GET LBA STATUS reply. */
    private static long[][] descriptors(byte[] data) {
        int n = (int) ((BigEndian.u32(data, 0) - 4) / 16);
        long[][] out = new long[n][];
        for (int i = 0; i < n; i++) {
            out[i] = new long[] {BigEndian.u64(data, 8 + 16 * i), BigEndian.u32(data, 16 + 16 * i), data[20 + 16 * i] & 0x0F};
        }
        return out;
    }

    @Test
    void thinProvisioningIsReported() throws Exception {
        byte[] rc16 = h.run(0, "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00").data();
        assertThat(rc16[14] & 0xC0).as("LBPME and LBPRZ").isEqualTo(0xC0);
        assertThat(HexFormat.of().formatHex(h.run(0, "12 01 b2 00 ff 00").data()))
                .as("LBPU LBPWS LBPWS10, LBPRZ 001b, ANC_SUP, thin provisioned").isEqualTo("00b20004" + "00e60200");
        byte[] b0 = h.run(0, "12 01 b0 00 ff 00").data();
        assertThat(BigEndian.u32(b0, 20)).as("MAXIMUM UNMAP LBA COUNT").isEqualTo(1 << 20);
        assertThat(BigEndian.u32(b0, 24)).as("MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT").isEqualTo(256);
        assertThat(BigEndian.u32(b0, 28)).as("OPTIMAL UNMAP GRANULARITY: one chunk").isEqualTo(CHUNK_BLOCKS);
        assertThat(b0[32] & 0x80).as("UGAVALID").isEqualTo(0x80);
        assertThat(BigEndian.u64(b0, 36)).as("MAXIMUM WRITE SAME LENGTH").isEqualTo(0xFFFF);
        assertThat(h.run(0, "12 01 b1 00 ff 00").data()[7] & 0xF0).as("WABEREQ 01b").isEqualTo(0x40);
    }

    @Test
    void aFullyProvisionedDeviceReportsNone() throws Exception {
        // The recording test device of this package: it does not deallocate.
        Harness file = Harness.of(new io.braid.scsi.internal.MemoryBlockDevice(BS, BLOCKS));
        assertThat(file.run(0, "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00").data()[14]).isZero();
        assertThat(HexFormat.of().formatHex(file.run(0, "12 01 b2 00 ff 00").data())).isEqualTo("00b20004" + "00000000");
        assertThat(Arrays.copyOfRange(file.run(0, "12 01 b0 00 ff 00").data(), 20, 36)).containsOnly(0);
        assertCheckCondition(file.run(0, unmapCdb(24), unmapList(0, 1)), 0x5, 0x20, 0x00);
        assertInvalidFieldInCdb(file.run(0, writeSame16(0x08, 0, 1), new byte[BS]), 1, 3);
        // GET LBA STATUS still answers: everything is mapped.
        long[][] d = descriptors(file.run(0, getLbaStatus(5, 1024)).data());
        assertThat(d).isDeepEqualTo(new long[][] {{5, BLOCKS - 5, 0}});
    }

    @Test
    void switchedOffThinProvisioningHidesItAll() throws Exception {
        Harness off = new Harness(List.of(new LogicalUnitSpec(0, "v0", Harness.uuid(0), dev, false,
                UnitStateStore.inMemory(), EnumSet.complementOf(EnumSet.of(UnitFeature.THIN_PROVISIONING)))));
        assertThat(off.run(0, "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00").data()[14]).isZero();
        assertCheckCondition(off.run(0, unmapCdb(24), unmapList(0, 1)), 0x5, 0x20, 0x00);
        // GET LBA STATUS is a service action of 9Eh: unsupported service action, field pointer on it.
        assertInvalidFieldInCdb(off.run(0, getLbaStatus(0, 64)), 1, 4);
        assertThat(HexFormat.of().formatHex(off.run(0, "a3 0c 02 9e 00 12 00 00 ff ff 00 00").data())).isEqualTo("00010000");
        assertThat(HexFormat.of().formatHex(off.run(0, "a3 0c 01 42 00 00 00 00 ff ff 00 00").data())).isEqualTo("00010000");
        assertThat(HexFormat.of().formatHex(off.run(0, "a3 0c 02 48 00 02 00 00 ff ff 00 00").data()))
                .as("no BLOCK ERASE either").isEqualTo("00010000");
    }

    @Test
    void unmapDeallocatesWholeChunksAndZeroesTheRest() throws Exception {
        write(0, 4 * CHUNK_BLOCKS, 1);
        assertThat(dev.allocatedBytes()).isEqualTo(4L * MemoryBlockDevice.DEFAULT_CHUNK_SIZE);
        assertThat(unmap(CHUNK_BLOCKS - 8, CHUNK_BLOCKS + 16, 3 * CHUNK_BLOCKS, 1).status()).isZero();
        assertThat(dev.allocatedBytes()).as("chunk 1 freed").isEqualTo(3L * MemoryBlockDevice.DEFAULT_CHUNK_SIZE);
        byte[] expected = pattern(4 * CHUNK_BLOCKS * BS, 1);
        Arrays.fill(expected, (CHUNK_BLOCKS - 8) * BS, (2 * CHUNK_BLOCKS + 8) * BS, (byte) 0);
        Arrays.fill(expected, 3 * CHUNK_BLOCKS * BS, (3 * CHUNK_BLOCKS + 1) * BS, (byte) 0);
        assertThat(read(0, 4 * CHUNK_BLOCKS)).isEqualTo(expected);
    }

    @Test
    void unmapParameterListChecks() throws Exception {
        assertThat(h.run(0, unmapCdb(0)).status()).as("no list: nothing to do").isZero();
        assertCheckCondition(h.run(0, unmapCdb(7), new byte[7]), 0x5, 0x1A, 0x00);
        assertThat(unmap(BLOCKS, 0).status()).as("zero blocks at the capacity name no block").isZero();
        assertThat(unmap().status()).as("no descriptors").isZero();
        write(0, CHUNK_BLOCKS, 2);
        // One bad descriptor refuses the whole list before anything is deallocated.
        Harness.Reply oob = unmap(0, CHUNK_BLOCKS, BLOCKS - 1, 2);
        assertThat(oob.senseKey()).isEqualTo(0x5);
        assertThat(oob.asc()).isEqualTo(0x21);
        assertThat(dev.provisioning(0).mapped()).isTrue();
        long[] many = new long[2 * 257];
        for (int i = 0; i < 257; i++) {
            many[2 * i] = i;
            many[2 * i + 1] = 1;
        }
        Harness.Reply tooMany = unmap(many);
        assertThat(tooMany.asc()).as("INVALID FIELD IN PARAMETER LIST").isEqualTo(0x26);
        assertThat(HexFormat.of().formatHex(tooMany.sense(), 15, 18)).as("SKSV, parameter list, bit 7 of byte 2")
                .isEqualTo("8f0002");
        Harness big = Harness.of(new MemoryBlockDevice(BS, 1L << 22));
        byte[] twoHalves = unmapList(0, 1 << 19, 0, (1 << 19) + 1);
        assertThat(big.run(0, unmapCdb(twoHalves.length), twoHalves).asc()).as("more than MAXIMUM UNMAP LBA COUNT")
                .isEqualTo(0x26);
        assertThat(dev.provisioning(0).mapped()).isTrue();
        // A descriptor data length longer than what arrived only counts the whole descriptors present.
        byte[] p = unmapList(0, CHUNK_BLOCKS);
        BigEndian.put16(p, 2, 48);
        assertThat(h.run(0, unmapCdb(p.length), p).status()).isZero();
        assertThat(dev.provisioning(0).mapped()).isFalse();
    }

    @Test
    void getLbaStatusFollowsTheChunkMap() throws Exception {
        write(2 * CHUNK_BLOCKS, 2 * CHUNK_BLOCKS, 3);
        long[][] d = descriptors(h.run(0, getLbaStatus(5, 1024)).data());
        assertThat(d).isDeepEqualTo(new long[][] {
                {5, 2 * CHUNK_BLOCKS - 5, 1},
                {2 * CHUNK_BLOCKS, 2 * CHUNK_BLOCKS, 0},
                {4 * CHUNK_BLOCKS, BLOCKS - 4 * CHUNK_BLOCKS, 1}});
        // The allocation length bounds the descriptors; the data length says what is there.
        Harness.Reply two = h.run(0, getLbaStatus(5, 40));
        assertThat(two.data()).hasSize(40);
        assertThat(BigEndian.u32(two.data(), 0)).isEqualTo(36);
        Harness.Reply truncated = h.run(0, getLbaStatus(0, 20));
        assertThat(truncated.data()).hasSize(20);
        assertCheckCondition(h.run(0, getLbaStatus(BLOCKS, 64)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, getLbaStatus(-1, 64)), 0x5, 0x21, 0x00);
        // After an unmap of a single block the next block of its chunk is still mapped.
        assertThat(unmap(2 * CHUNK_BLOCKS, 1).status()).isZero();
        assertThat(descriptors(h.run(0, getLbaStatus(2 * CHUNK_BLOCKS + 1, 24)).data())[0])
                .containsExactly(2 * CHUNK_BLOCKS + 1, 2 * CHUNK_BLOCKS - 1, 0);
    }

    @Test
    void writeSameRepeatsTheBlock() throws Exception {
        byte[] block = pattern(BS, 7);
        assertThat(h.run(0, Cdbs.ten(0x41, 0, 10, 300), block).status()).isZero();
        byte[] back = read(10, 300);
        for (int i = 0; i < 300; i++) {
            assertThat(Arrays.copyOfRange(back, i * BS, (i + 1) * BS)).isEqualTo(block);
        }
        assertThat(h.run(0, writeSame16(0, 400, 3), block).status()).isZero();
        assertThat(Arrays.copyOfRange(read(400, 3), 2 * BS, 3 * BS)).isEqualTo(block);
    }

    @Test
    void writeSameWithUnmapDeallocatesWhateverTheBlock() throws Exception {
        write(0, 2 * CHUNK_BLOCKS, 4);
        assertThat(h.run(0, writeSame16(0x08, 0, CHUNK_BLOCKS), pattern(BS, 5)).status()).isZero();
        assertThat(dev.provisioning(0).mapped()).isFalse();
        assertThat(read(0, CHUNK_BLOCKS)).containsOnly(0);
        // WRITE SAME(10) with UNMAP and zero blocks: to the last LBA.
        write(BLOCKS - 3, 3, 6);
        assertThat(h.run(0, Cdbs.ten(0x41, 0x08, BLOCKS - 3, 0), new byte[BS]).status()).isZero();
        assertThat(read(BLOCKS - 3, 3)).containsOnly(0);
    }

    @Test
    void writeSameWithNdobWritesZeroesWithoutData() throws Exception {
        write(50, 4, 8);
        Harness.Reply r = h.run(0, writeSame16(0x01, 50, 4));
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isZero();
        assertThat(read(50, 4)).containsOnly(0);
        assertThat(dev.provisioning(50L * BS).mapped()).as("written, not unmapped").isTrue();
        assertThat(h.run(0, writeSame16(0x09, 0, CHUNK_BLOCKS)).status()).isZero();
        assertThat(dev.provisioning(0).mapped()).as("NDOB with UNMAP deallocates").isFalse();
    }

    @Test
    void writeSameChecks() throws Exception {
        byte[] block = new byte[BS];
        assertCheckCondition(h.run(0, Cdbs.ten(0x41, 0, BLOCKS, 0), block), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.ten(0x41, 0, BLOCKS - 1, 2), block), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, writeSame16(0, 1L << 63, 1), block), 0x5, 0x21, 0x00);
        // Zero blocks from LBA 0 is the whole 8192-block unit: within MAXIMUM WRITE SAME LENGTH.
        assertThat(h.run(0, Cdbs.ten(0x41, 0, 0, 0), block).status()).isZero();
        Harness big = Harness.of(new MemoryBlockDevice(BS, 0x20000));
        assertInvalidFieldInCdb(big.run(0, Cdbs.ten(0x41, 0, 0, 0), block), 7, 7);
        assertInvalidFieldInCdb(big.run(0, writeSame16(0, 0, 0x10000), block), 10, 7);
        assertThat(big.run(0, writeSame16(0, 0x20000 - 0xFFFF, 0), block).status()).isZero();
        // The data-out must be exactly one block (none with NDOB).
        assertCheckCondition(h.run(0, Cdbs.ten(0x41, 0, 0, 1), new byte[BS / 2]), 0x5, 0x0E, 0x03);
        assertCheckCondition(h.run(0, Cdbs.ten(0x41, 0x08, 0, 1), new byte[2 * BS]), 0x5, 0x0E, 0x03);
        assertCheckCondition(h.run(0, writeSame16(0x01, 0, 1), new byte[BS]), 0x5, 0x0E, 0x03);
        // ANCHOR without UNMAP, WRPROTECT, and the obsolete LBDATA/PBDATA bits are refused.
        assertInvalidFieldInCdb(h.run(0, Cdbs.ten(0x41, 0x10, 0, 1), block), 1, 4);
        assertInvalidFieldInCdb(h.run(0, writeSame16(0x10, 0, 1), block), 1, 4);
        assertInvalidFieldInCdb(h.run(0, Cdbs.ten(0x41, 0x20, 0, 1), block), 1, 5);
        assertInvalidFieldInCdb(h.run(0, Cdbs.ten(0x41, 0x02, 0, 1), block), 1, 1);
    }

    @Test
    void writeSameWithAnchorAndUnmapAnchorsAndGetLbaStatusReportsIt() throws Exception {
        write(0, 4 * CHUNK_BLOCKS, 2);
        // WRITE SAME(16) UNMAP+ANCHOR over chunks 1 and 2, WRITE SAME(10) the same way over chunk 5.
        assertThat(h.run(0, writeSame16(0x18, CHUNK_BLOCKS, 2 * CHUNK_BLOCKS), pattern(BS, 9)).status()).isZero();
        assertThat(h.run(0, Cdbs.ten(0x41, 0x18, 5 * CHUNK_BLOCKS, CHUNK_BLOCKS), pattern(BS, 9)).status()).isZero();
        assertThat(read(CHUNK_BLOCKS, 2 * CHUNK_BLOCKS)).as("anchored blocks read as zeroes (LBPRZ)").containsOnly(0);
        assertThat(descriptors(h.run(0, getLbaStatus(0, 1024)).data())).isDeepEqualTo(new long[][] {
                {0, CHUNK_BLOCKS, 0},
                {CHUNK_BLOCKS, 2 * CHUNK_BLOCKS, 2},
                {3 * CHUNK_BLOCKS, CHUNK_BLOCKS, 0},
                {4 * CHUNK_BLOCKS, CHUNK_BLOCKS, 1},
                {5 * CHUNK_BLOCKS, CHUNK_BLOCKS, 2},
                {6 * CHUNK_BLOCKS, BLOCKS - 6 * CHUNK_BLOCKS, 1}});
        // A write maps an anchored block, an unmap deallocates one.
        write(CHUNK_BLOCKS + 1, 1, 3);
        assertThat(unmap(2 * CHUNK_BLOCKS, CHUNK_BLOCKS).status()).isZero();
        assertThat(descriptors(h.run(0, getLbaStatus(CHUNK_BLOCKS, 1024)).data())[0])
                .containsExactly(CHUNK_BLOCKS, CHUNK_BLOCKS, 0);
        assertThat(descriptors(h.run(0, getLbaStatus(2 * CHUNK_BLOCKS, 1024)).data())[0])
                .containsExactly(2 * CHUNK_BLOCKS, CHUNK_BLOCKS, 1);
    }

    @Test
    void unmapWithAnchorAnchorsEveryDescriptor() throws Exception {
        byte[] p = unmapList(0, CHUNK_BLOCKS, 3 * CHUNK_BLOCKS, CHUNK_BLOCKS);
        byte[] cdb = unmapCdb(p.length);
        cdb[1] = 0x01;
        assertThat(h.run(0, cdb, p).status()).isZero();
        long[][] d = descriptors(h.run(0, getLbaStatus(0, 1024)).data());
        assertThat(d[0]).containsExactly(0, CHUNK_BLOCKS, 2);
        assertThat(d[1]).containsExactly(CHUNK_BLOCKS, 2 * CHUNK_BLOCKS, 1);
        assertThat(d[2]).containsExactly(3 * CHUNK_BLOCKS, CHUNK_BLOCKS, 2);
    }

    @Test
    void anchorIsRefusedWithoutAnchorSupport() throws Exception {
        // A thin backstore that deallocates but cannot anchor: ANC_SUP 0, ANCHOR is an invalid field.
        io.braid.store.BlockDevice noAnchor = new io.braid.store.BlockDevice() {
            public int blockSize() { return dev.blockSize(); }
            public long blockCount() { return dev.blockCount(); }
            public void read(long o, java.nio.ByteBuffer d) throws java.io.IOException { dev.read(o, d); }
            public void write(long o, java.nio.ByteBuffer s, boolean f) throws java.io.IOException { dev.write(o, s, f); }
            public void flush() { }
            public boolean supportsUnmap() { return true; }
            public void unmap(long o, long l) throws java.io.IOException { dev.unmap(o, l); }
            public void close() { }
        };
        Harness plain = Harness.of(noAnchor);
        assertThat(plain.run(0, "12 01 b2 00 ff 00").data()[5] & 0x02).as("ANC_SUP 0").isZero();
        assertInvalidFieldInCdb(plain.run(0, writeSame16(0x18, 0, 1), new byte[BS]), 1, 4);
        assertInvalidFieldInCdb(plain.run(0, Cdbs.ten(0x41, 0x18, 0, 1), new byte[BS]), 1, 4);
        byte[] cdb = unmapCdb(24);
        cdb[1] = 0x01;
        assertInvalidFieldInCdb(plain.run(0, cdb, unmapList(0, 1)), 1, 0);
        assertThat(plain.run(0, writeSame16(0x08, 0, 1), new byte[BS]).status()).as("UNMAP alone still works").isZero();
    }

    @Test
    void spaceExhaustionIsADataProtectError() throws Exception {
        MemoryBlockDevice small = new MemoryBlockDevice(BS, BLOCKS, MemoryBlockDevice.DEFAULT_CHUNK_SIZE,
                2L * MemoryBlockDevice.DEFAULT_CHUNK_SIZE);
        Harness hs = Harness.of(small);
        assertThat(hs.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 0, 2 * CHUNK_BLOCKS), new byte[2 * CHUNK_BLOCKS * BS]).status())
                .isZero();
        Harness.Reply full = hs.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 5 * CHUNK_BLOCKS, 1), pattern(BS, 1));
        // DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT, never a medium error.
        assertCheckCondition(full, 0x7, 0x27, 0x07);
        assertThat(hs.run(0, unmapCdb(24), unmapList(0, CHUNK_BLOCKS)).status()).isZero();
        assertThat(hs.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0, 5 * CHUNK_BLOCKS, 1), pattern(BS, 1)).status())
                .as("room again after an UNMAP").isZero();
    }
}
