package io.braid.host;

import io.braid.store.BlockDevice;
import io.braid.store.FileBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The adapter from a store {@link BlockDevice} to an {@link ExportedDevice}. */
class BlockDeviceExportTest {
    @TempDir
    Path dir;

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void readsWritesAndFlushesAVolumeFile() throws Exception {
        try (FileBlockDevice file = FileBlockDevice.open(dir.resolve("v.img"), 1 << 20)) {
            BlockDeviceExport e = BlockDeviceExport.of("v", file);
            assertThat(e.size()).isEqualTo(1 << 20);
            assertThat(e.blockSize()).isEqualTo(512);
            assertThat(e.canTrim()).isFalse();
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 7);
            await(e.write(8192, ByteBuffer.wrap(data), true));
            await(e.flush());
            ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            await(e.read(8192, dst));
            assertThat(dst.hasRemaining()).as("read fills the buffer to its limit").isFalse();
            byte[] back = new byte[4096];
            dst.flip().get(back);
            assertThat(back).isEqualTo(data);

            await(e.writeZeroes(8192, 4096, true, false));
            ByteBuffer z = ByteBuffer.allocate(4096);
            await(e.read(8192, z));
            assertThat(z.array()).containsOnly(0);

            CompletableFuture<Void> outOfRange = e.read(1 << 20, ByteBuffer.allocate(512));
            assertThatThrownBy(() -> outOfRange.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
            CompletableFuture<Void> trim = e.trim(0, 512, false);
            assertThatThrownBy(() -> trim.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void aReadOnlyExportRefusesEveryKindOfWrite() throws Exception {
        try (FileBlockDevice file = FileBlockDevice.open(dir.resolve("v.img"), 1 << 20)) {
            BlockDeviceExport e = BlockDeviceExport.of("v", "", file, true, Runnable::run);
            assertThat(e.readOnly()).isTrue();
            for (CompletableFuture<Void> f : List.of(e.write(0, ByteBuffer.allocate(512), false),
                    e.trim(0, 512, false), e.writeZeroes(0, 512, false, false))) {
                assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(ReadOnlyDeviceException.class)
                        .hasMessageContaining("export v is read-only");
            }
            await(e.read(0, ByteBuffer.allocate(512)));
        }
    }

    @Test
    void trimAndZeroesUseUnmapUnlessHolesAreForbidden() throws Exception {
        RecordingDevice dev = new RecordingDevice();
        BlockDeviceExport e = BlockDeviceExport.of("m", "", dev, false, Runnable::run);
        assertThat(e.canTrim()).isTrue();
        await(e.trim(4096, 8192, true));
        await(e.writeZeroes(0, 1024, false, false));
        await(e.writeZeroes(0, (5 << 20) / 2, true, true)); // 2.5 MiB: three writes of zeroes
        assertThat(dev.calls).containsExactly("unmap 4096+8192", "flush", "unmap 0+1024",
                "write 0+1048576 fua", "write 1048576+1048576 fua", "write 2097152+524288 fua");
    }

    @Test
    void namesAreChecked() {
        assertThatThrownBy(() -> ExportedDevice.checkName("")).hasMessage("device name is empty");
        assertThatThrownBy(() -> ExportedDevice.checkName("a?b")).hasMessageContaining("contains '?' at index 1");
        assertThatThrownBy(() -> ExportedDevice.checkName("a\nb")).hasMessageContaining("a control character");
        assertThatThrownBy(() -> ExportedDevice.checkName("x".repeat(256))).hasMessageContaining("at most 255");
        assertThat(ExportedDevice.checkName("vol-0.data_1")).isEqualTo("vol-0.data_1");
    }

    /** A thin-provisioned device that records its calls. */
    private static final class RecordingDevice implements BlockDevice {
        final List<String> calls = new ArrayList<>();

        @Override
        public int blockSize() {
            return 512;
        }

        @Override
        public long blockCount() {
            return 8192;
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            calls.add("read " + offset + "+" + dst.remaining());
            dst.position(dst.limit());
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) {
            calls.add("write " + offset + "+" + src.remaining() + (fua ? " fua" : ""));
            while (src.hasRemaining()) {
                if (src.get() != 0) {
                    throw new AssertionError("non-zero byte in write zeroes");
                }
            }
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public boolean supportsUnmap() {
            return true;
        }

        @Override
        public void unmap(long offset, long length) {
            calls.add("unmap " + offset + "+" + length);
        }

        @Override
        public void close() throws IOException {
        }
    }
}
