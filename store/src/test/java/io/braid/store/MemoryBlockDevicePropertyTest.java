package io.braid.store;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random writes and unmaps against a plain array and a per-chunk "mapped" model: contents,
 * provisioning extents and the allocation count must always agree with the model.
 */
class MemoryBlockDevicePropertyTest {

    private static final int BS = 512;
    private static final int CHUNK = 4096;
    private static final int BLOCKS = 70; // 8 whole chunks and a 3 KiB tail chunk

    record Op(boolean unmap, int lba, int blocks, int seed) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> lba = Arbitraries.integers().between(0, BLOCKS - 1);
        Arbitrary<Op> op = Combinators.combine(Arbitraries.of(true, false), lba,
                        Arbitraries.integers().between(0, 24), Arbitraries.integers().between(0, 255))
                .as((u, l, n, s) -> new Op(u, l, Math.min(n, BLOCKS - l), s));
        return op.list().ofMaxSize(40);
    }

    @Property(tries = 300)
    void agreesWithTheModel(@ForAll("ops") List<Op> ops) throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(BS, BLOCKS, CHUNK, MemoryBlockDevice.UNLIMITED);
        byte[] model = new byte[BLOCKS * BS];
        int chunks = (BLOCKS * BS + CHUNK - 1) / CHUNK;
        boolean[] mapped = new boolean[chunks];
        for (Op op : ops) {
            int off = op.lba() * BS;
            int len = op.blocks() * BS;
            if (op.unmap()) {
                dev.unmap(off, len);
                Arrays.fill(model, off, off + len, (byte) 0);
                for (int c = 0; c < chunks; c++) {
                    int cs = c * CHUNK;
                    int ce = Math.min(model.length, cs + CHUNK);
                    if (off <= cs && off + len >= ce) {
                        mapped[c] = false;
                    }
                }
            } else {
                byte[] data = MemoryBlockDeviceTest.pattern(len, op.seed());
                dev.write(off, ByteBuffer.wrap(data), false);
                System.arraycopy(data, 0, model, off, len);
                for (int c = off / CHUNK; len > 0 && c <= (off + len - 1) / CHUNK; c++) {
                    mapped[c] = true;
                }
            }
        }
        ByteBuffer all = ByteBuffer.allocate(model.length);
        dev.read(0, all);
        assertThat(all.array()).isEqualTo(model);
        int mappedCount = 0;
        for (boolean m : mapped) {
            mappedCount += m ? 1 : 0;
        }
        assertThat(dev.allocatedBytes()).isEqualTo((long) mappedCount * CHUNK);
        // Walking the extents from every block start covers the device exactly with the model's status.
        for (int lba = 0; lba < BLOCKS; lba++) {
            BlockDevice.Extent e = dev.provisioning((long) lba * BS);
            assertThat(e.offset()).isEqualTo((long) lba * BS);
            assertThat(e.length()).isPositive();
            assertThat(e.offset() + e.length()).isLessThanOrEqualTo(model.length);
            for (long b = e.offset(); b < e.offset() + e.length(); b += BS) {
                assertThat(mapped[(int) (b / CHUNK)]).isEqualTo(e.mapped());
            }
            long end = e.offset() + e.length();
            if (end < model.length) {
                assertThat(mapped[(int) (end / CHUNK)]).as("extent ends where the status changes").isNotEqualTo(e.mapped());
            }
        }
    }
}
