package io.braid.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryBlockDeviceTest {

    private static final int CHUNK = 64 * 1024;

    @Test
    void holesReadAsZeroAndCostNothing() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(512, 1L << 31); // 1 TiB virtual
        ByteBuffer buf = ByteBuffer.allocate(3 * CHUNK);
        Arrays.fill(buf.array(), (byte) 0x55);
        dev.read((1L << 40) - 3 * CHUNK, buf);
        assertThat(buf.array()).containsOnly(0);
        assertThat(dev.allocatedBytes()).isZero();
        assertThat(dev.provisioning(0)).isEqualTo(new BlockDevice.Extent(0, 1L << 40, false));
    }

    @Test
    void writeAcrossChunkBoundariesReadsBackAndAllocatesWholeChunks() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(512, 4096);
        byte[] data = pattern(CHUNK + 1024, 3);
        dev.write(CHUNK - 512, ByteBuffer.wrap(data), false);
        assertThat(dev.allocatedBytes()).isEqualTo(3L * CHUNK);
        ByteBuffer back = ByteBuffer.allocate(data.length);
        dev.read(CHUNK - 512, back);
        assertThat(back.array()).isEqualTo(data);
        // A direct buffer takes the same path.
        ByteBuffer direct = ByteBuffer.allocateDirect(1024);
        dev.read(CHUNK - 512, direct);
        direct.flip();
        byte[] head = new byte[1024];
        direct.get(head);
        assertThat(head).isEqualTo(Arrays.copyOf(data, 1024));
    }

    @Test
    void unmapFreesWholeChunksAndZeroesPartialOnes() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(512, 4 * CHUNK / 512);
        dev.write(0, ByteBuffer.wrap(pattern(4 * CHUNK, 9)), false);
        assertThat(dev.allocatedBytes()).isEqualTo(4L * CHUNK);

        dev.unmap(CHUNK - 1024, CHUNK + 2048); // tail of chunk 0, all of chunk 1, head of chunk 2
        assertThat(dev.allocatedBytes()).isEqualTo(3L * CHUNK);
        ByteBuffer back = ByteBuffer.allocate(4 * CHUNK);
        dev.read(0, back);
        byte[] expected = pattern(4 * CHUNK, 9);
        Arrays.fill(expected, CHUNK - 1024, 2 * CHUNK + 1024, (byte) 0);
        assertThat(back.array()).isEqualTo(expected);

        assertThat(dev.provisioning(0)).isEqualTo(new BlockDevice.Extent(0, CHUNK, true));
        assertThat(dev.provisioning(CHUNK + 512)).isEqualTo(new BlockDevice.Extent(CHUNK + 512, CHUNK - 512, false));
        assertThat(dev.provisioning(2 * CHUNK)).isEqualTo(new BlockDevice.Extent(2 * CHUNK, 2 * CHUNK, true));
    }

    @Test
    void anchorAllocatesZeroesAndIsReportedUntilWrittenOrUnmapped() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(512, 4 * CHUNK / 512, CHUNK, 3L * CHUNK);
        assertThat(dev.supportsAnchor()).isTrue();
        dev.write(0, ByteBuffer.wrap(pattern(CHUNK, 5)), false);
        // Anchor the tail of chunk 0 and all of chunks 1 and 2.
        dev.anchor(CHUNK - 1024, 2L * CHUNK + 1024);
        assertThat(dev.allocatedBytes()).as("storage is allocated by anchoring").isEqualTo(3L * CHUNK);
        ByteBuffer back = ByteBuffer.allocate(3 * CHUNK);
        dev.read(0, back);
        byte[] expected = new byte[3 * CHUNK];
        System.arraycopy(pattern(CHUNK, 5), 0, expected, 0, CHUNK - 1024);
        assertThat(back.array()).as("anchored blocks read as zeroes").isEqualTo(expected);
        assertThat(dev.provisioning(0)).as("partly anchored: mapped").isEqualTo(new BlockDevice.Extent(0, CHUNK, true));
        assertThat(dev.provisioning(CHUNK)).isEqualTo(new BlockDevice.Extent(CHUNK, 2L * CHUNK, false, true));
        assertThat(dev.provisioning(3L * CHUNK)).isEqualTo(new BlockDevice.Extent(3L * CHUNK, CHUNK, false));
        // The space limit is reached, yet a write into anchored storage needs nothing more.
        dev.write(CHUNK + 512, ByteBuffer.wrap(pattern(512, 7)), false);
        assertThat(dev.provisioning(CHUNK)).as("written: mapped").isEqualTo(new BlockDevice.Extent(CHUNK, CHUNK, true));
        assertThat(dev.provisioning(2L * CHUNK)).isEqualTo(new BlockDevice.Extent(2L * CHUNK, CHUNK, false, true));
        assertThatThrownBy(() -> dev.anchor(3L * CHUNK, CHUNK)).isInstanceOf(SpaceExhaustedException.class);
        assertThat(dev.provisioning(3L * CHUNK)).as("a refused anchor changes nothing")
                .isEqualTo(new BlockDevice.Extent(3L * CHUNK, CHUNK, false));
        dev.unmap(2L * CHUNK, CHUNK);
        assertThat(dev.provisioning(2L * CHUNK)).as("unmapped: deallocated").isEqualTo(new BlockDevice.Extent(2L * CHUNK, 2L * CHUNK, false));
    }

    @Test
    void lastPartialChunkIsFreedByAnUnmapToTheEnd() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(512, 130); // 65 KiB: one chunk and 1 KiB
        dev.write(129 * 512, ByteBuffer.wrap(pattern(512, 1)), true);
        assertThat(dev.provisioning(128 * 512)).isEqualTo(new BlockDevice.Extent(128 * 512, 1024, true));
        dev.unmap(128 * 512, 1024);
        assertThat(dev.allocatedBytes()).isZero();
        assertThat(dev.provisioning(0)).isEqualTo(new BlockDevice.Extent(0, 130 * 512, false));
    }

    @Test
    void spaceLimitRefusesAWriteWithoutStoringAnyOfIt() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(512, 1024, CHUNK, 2L * CHUNK);
        dev.write(0, ByteBuffer.wrap(pattern(CHUNK, 1)), false);
        // Needs chunks 1 and 2, only one is left: nothing of it may land.
        assertThatThrownBy(() -> dev.write(CHUNK, ByteBuffer.wrap(pattern(2 * CHUNK, 2)), false))
                .isInstanceOf(SpaceExhaustedException.class)
                .hasMessageContaining("131072 more bytes needed")
                .hasMessageContaining("65536 of the 131072-byte limit in use");
        assertThat(dev.allocatedBytes()).isEqualTo(CHUNK);
        assertThat(dev.provisioning(CHUNK).mapped()).isFalse();
        // Rewriting allocated space is always possible; freeing space makes room again.
        dev.write(512, ByteBuffer.wrap(pattern(1024, 3)), false);
        dev.write(CHUNK, ByteBuffer.wrap(pattern(CHUNK, 4)), false);
        assertThatThrownBy(() -> dev.write(2 * CHUNK, ByteBuffer.wrap(pattern(512, 5)), false))
                .isInstanceOf(SpaceExhaustedException.class);
        dev.unmap(0, CHUNK);
        dev.write(2 * CHUNK, ByteBuffer.wrap(pattern(512, 5)), false);
        assertThat(dev.allocatedBytes()).isEqualTo(2L * CHUNK);
    }

    @Test
    void fourKiBBlocksAndSmallChunks() throws IOException {
        MemoryBlockDevice dev = new MemoryBlockDevice(4096, 100, 8192, MemoryBlockDevice.UNLIMITED);
        assertThat(dev.allocationUnit()).isEqualTo(8192);
        dev.write(4096, ByteBuffer.wrap(pattern(3 * 4096, 6)), false);
        assertThat(dev.allocatedBytes()).isEqualTo(2L * 8192);
        assertThatThrownBy(() -> dev.write(512, ByteBuffer.allocate(4096), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not block aligned");
        assertThatThrownBy(() -> dev.read(99 * 4096, ByteBuffer.allocate(8192)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeDropsDataAndRefusesLaterCalls() throws IOException {
        MemoryBlockDevice dev = MemoryBlockDevice.ofSize(1 << 20);
        dev.write(0, ByteBuffer.wrap(pattern(4096, 1)), false);
        dev.close();
        dev.close();
        assertThat(dev.allocatedBytes()).isZero();
        assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(512))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(512), false)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> dev.unmap(0, 512)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(dev::flush).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void rejectsUnusableGeometry() {
        assertThatThrownBy(() -> new MemoryBlockDevice(1000, 10)).hasMessageContaining("block size 1000");
        assertThatThrownBy(() -> new MemoryBlockDevice(512, 0)).hasMessageContaining("block count 0");
        assertThatThrownBy(() -> new MemoryBlockDevice(4096, 10, 2048, 0)).hasMessageContaining("chunk size 2048");
        assertThatThrownBy(() -> new MemoryBlockDevice(512, 10, CHUNK, -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> MemoryBlockDevice.ofSize(1000)).hasMessageContaining("multiple of 512");
    }

    /**
     * Writers on disjoint ranges and unmappers on other ranges, all at once: every writer's data
     * reads back, every unmapped range reads zero, and the allocation count matches the table.
     */
    @Test
    void concurrentWritersAndUnmappersOnDisjointRanges() throws Exception {
        int threads = 8;
        int perThread = 8 * CHUNK;
        MemoryBlockDevice dev = new MemoryBlockDevice(512, (long) threads * perThread / 512, CHUNK,
                (long) threads * perThread);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    start.await();
                    long base = (long) id * perThread;
                    for (int round = 0; round < 50; round++) {
                        dev.write(base, ByteBuffer.wrap(pattern(perThread, id + round)), round % 7 == 0);
                        if (id % 2 == 0) {
                            dev.unmap(base, perThread);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long expectedAllocated = 0;
        for (int t = 0; t < threads; t++) {
            ByteBuffer back = ByteBuffer.allocate(perThread);
            dev.read((long) t * perThread, back);
            if (t % 2 == 0) {
                assertThat(back.array()).containsOnly(0);
            } else {
                assertThat(back.array()).isEqualTo(pattern(perThread, t + 49));
                expectedAllocated += perThread;
            }
        }
        assertThat(dev.allocatedBytes()).isEqualTo(expectedAllocated);
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed * 17 + (i >> 9));
        }
        return b;
    }
}
