package io.braid.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileBlockDeviceTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void createsMissingFileAtRequestedSizeReadingAsZeroes() throws IOException {
        Path file = dir.resolve("sub/v0.img");
        try (FileBlockDevice dev = FileBlockDevice.open(file, 4 * MIB)) {
            assertThat(Files.size(file)).isEqualTo(4 * MIB);
            assertThat(dev.blockSize()).isEqualTo(512);
            assertThat(dev.blockCount()).isEqualTo(8192);
            ByteBuffer buf = ByteBuffer.allocate(4096);
            dev.read(4 * MIB - 4096, buf);
            assertThat(buf.hasRemaining()).isFalse();
            assertThat(buf.array()).containsOnly(0);
        }
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("v0.img");
        }
    }

    @Test
    void dataSurvivesReopen() throws IOException {
        Path file = dir.resolve("v.img");
        byte[] pattern = pattern(1024, 7);
        try (FileBlockDevice dev = FileBlockDevice.open(file, MIB)) {
            dev.write(512 * 10, ByteBuffer.wrap(pattern), true);
            dev.flush();
        }
        try (FileBlockDevice dev = FileBlockDevice.open(file, MIB)) {
            ByteBuffer back = ByteBuffer.allocate(1024);
            dev.read(512 * 10, back);
            assertThat(back.array()).isEqualTo(pattern);
        }
    }

    @Test
    void existingFileWithOtherSizeIsRefusedNamingBothSizes() throws IOException {
        Path file = dir.resolve("v.img");
        FileBlockDevice.open(file, MIB).close();
        assertThatThrownBy(() -> FileBlockDevice.open(file, 2 * MIB))
                .isInstanceOf(IOException.class)
                .hasMessage("volume file " + file + " has 1048576 bytes, expected 2097152");
    }

    @Test
    void sizeMustBePositiveMultipleOfBlockSize() {
        assertThatThrownBy(() -> FileBlockDevice.open(dir.resolve("a"), 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("volume size 1000 bytes is not a positive multiple of 512");
        assertThatThrownBy(() -> FileBlockDevice.open(dir.resolve("a"), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void secondOpenOfSameFileIsRefused() throws IOException {
        Path file = dir.resolve("v.img");
        try (FileBlockDevice ignored = FileBlockDevice.open(file, MIB)) {
            assertThatThrownBy(() -> FileBlockDevice.open(file, MIB))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("already open");
        }
        // The lock went away with the close.
        FileBlockDevice.open(file, MIB).close();
    }

    @Test
    void rangesOutsideTheFileOrUnalignedAreRejectedBeforeAnyIo() throws IOException {
        Path file = dir.resolve("v.img");
        try (FileBlockDevice dev = FileBlockDevice.open(file, MIB)) {
            assertThatThrownBy(() -> dev.write(MIB, ByteBuffer.allocate(512), false))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dev.write(MIB - 512, ByteBuffer.allocate(1024), false))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dev.read(100, ByteBuffer.allocate(512)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(100)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dev.read(-512, ByteBuffer.allocate(512)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Files.size(file)).isEqualTo(MIB);
    }

    @Test
    void writesHonourBufferPositionAndDirectBuffers() throws IOException {
        try (FileBlockDevice dev = FileBlockDevice.open(dir.resolve("v.img"), MIB)) {
            ByteBuffer src = ByteBuffer.allocateDirect(2048);
            src.put(pattern(2048, 3)).flip();
            src.position(512);
            dev.write(0, src, false);
            assertThat(src.hasRemaining()).isFalse();
            ByteBuffer dst = ByteBuffer.allocate(2048);
            dst.position(512);
            dev.read(0, dst);
            assertThat(dst.array()).isEqualTo(withZeroPrefix(pattern(2048, 3), 512));
        }
    }

    @Test
    void concurrentWritersOnDistinctBlocksAllLand() throws Exception {
        try (FileBlockDevice dev = FileBlockDevice.open(dir.resolve("v.img"), MIB)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    int block = i;
                    futures.add(pool.submit(() -> {
                        dev.write(block * 512L, ByteBuffer.wrap(pattern(512, block)), block % 16 == 0);
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            for (int i = 0; i < 256; i++) {
                ByteBuffer back = ByteBuffer.allocate(512);
                dev.read(i * 512L, back);
                assertThat(back.array()).as("block %d", i).isEqualTo(pattern(512, i));
            }
        }
    }

    @Test
    void anInterruptedReaderDoesNotTakeTheVolumeOffline() throws Exception {
        try (FileBlockDevice dev = FileBlockDevice.open(dir.resolve("v.img"), MIB)) {
            dev.write(0, ByteBuffer.wrap(pattern(512, 9)), false);
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    dev.read(0, ByteBuffer.allocate(512));
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            t.start();
            t.join();
            assertThat(seen.get()).isInstanceOf(ClosedByInterruptException.class);
            ByteBuffer back = ByteBuffer.allocate(512);
            dev.read(0, back);
            assertThat(back.array()).isEqualTo(pattern(512, 9));
            dev.write(512, ByteBuffer.wrap(pattern(512, 10)), true);
        }
    }

    @Test
    void closeIsIdempotentAndLaterIoFails() throws IOException {
        FileBlockDevice dev = FileBlockDevice.open(dir.resolve("v.img"), MIB);
        dev.close();
        dev.close();
        assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(512))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(dev::flush).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void readOnlyOpenNeverCreatesAndRefusesWrites() throws IOException {
        Path file = dir.resolve("ro.img");
        assertThatThrownBy(() -> FileBlockDevice.open(file, MIB, true)).isInstanceOf(NoSuchFileException.class);
        assertThat(file).doesNotExist();
        FileBlockDevice.open(file, MIB).close();
        try (FileBlockDevice dev = FileBlockDevice.open(file, MIB, true)) {
            assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(512), false))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("read-only");
            dev.flush();
            dev.read(0, ByteBuffer.allocate(512));
        }
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed * 17 + (i >> 9));
        }
        return b;
    }

    private static byte[] withZeroPrefix(byte[] data, int zeroes) {
        byte[] b = data.clone();
        java.util.Arrays.fill(b, 0, zeroes, (byte) 0);
        return b;
    }
}
