package io.braid.store.bench;

import io.braid.store.page.PageStore;
import io.braid.store.page.PageStoreConfig;
import io.braid.store.page.PageVolume;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The page store against plain positional {@link FileChannel} I/O on the same file system
 * (docs/performance.md): 4 KiB random and 1 MiB sequential reads and writes over a prefilled
 * data set, through the OS page cache in both cases. Run with {@code scripts/bench-store}.
 *
 * <p>{@code channel} is one sparse file read and written with {@code FileChannel.read/write(buf,
 * pos)}; {@code channel2} is the fair baseline for a mirror: two such files, every write going to
 * both one after the other, reads alternating between them by offset; {@code pagestore} is a
 * volume of the same size on four drive files, every write going to two of them with checksums.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class PageStoreBenchmark {

    @Param({"channel", "channel2", "pagestore"})
    public String target;

    /** Size of the data set. */
    @Param({"1073741824"})
    public long bytes;

    private Path dir;
    private FileChannel channel;
    private FileChannel mirror;
    private PageStore store;
    private PageVolume volume;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path base = Path.of(System.getProperty("bench.dir", "target/bench"));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base.toAbsolutePath(), "run-");
        if (target.startsWith("channel")) {
            channel = FileChannel.open(dir.resolve("volume.img"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (target.equals("channel2")) {
                mirror = FileChannel.open(dir.resolve("mirror.img"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
        } else {
            List<Path> drives = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                drives.add(dir.resolve("d" + i));
            }
            // Four drives of 5/8 of the data set each: room for two copies with some left over.
            store = PageStore.open(PageStoreConfig.of(dir.resolve("meta"), drives)
                    .withCreateDriveBytes(bytes * 5 / 8 + (64L << 20)));
            volume = store.createVolume(UUID.randomUUID(), "bench", bytes);
        }
        // Prefill, so that reads find data and writes overwrite (the steady state of a volume).
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        byte[] fill = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(fill);
        chunk.put(fill).flip();
        for (long at = 0; at < bytes; at += chunk.capacity()) {
            write(at, chunk.clear());
        }
        flush();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (channel != null) {
            channel.close();
        }
        if (mirror != null) {
            mirror.close();
        }
        if (store != null) {
            store.close();
        }
        try (Stream<Path> w = Files.walk(dir)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    void read(long at, ByteBuffer b) throws IOException {
        if (channel != null) {
            // Like the page store, which alternates copies page by page (4 MiB).
            FileChannel ch = mirror != null && (at >> 22 & 1) != 0 ? mirror : channel;
            while (b.hasRemaining()) {
                ch.read(b, at + b.position());
            }
        } else {
            volume.read(at, b);
        }
    }

    void write(long at, ByteBuffer b) throws IOException {
        if (channel != null) {
            int start = b.position();
            while (b.hasRemaining()) {
                channel.write(b, at + b.position() - start);
            }
            if (mirror != null) {
                b.position(start);
                while (b.hasRemaining()) {
                    mirror.write(b, at + b.position() - start);
                }
            }
        } else {
            volume.write(at, b, false);
        }
    }

    void flush() throws IOException {
        if (channel != null) {
            channel.force(false);
            if (mirror != null) {
                mirror.force(false);
            }
        } else {
            volume.flush();
        }
    }

    /** Per-thread buffers, random source and sequential cursor. */
    @State(Scope.Thread)
    public static class Worker {
        final ByteBuffer small = ByteBuffer.allocateDirect(4096);
        final ByteBuffer large = ByteBuffer.allocateDirect(1 << 20);
        SplittableRandom random;
        long cursor;

        @Setup(Level.Trial)
        public void setUp(PageStoreBenchmark b) {
            random = new SplittableRandom(System.nanoTime());
            byte[] fill = new byte[1 << 20];
            random.nextBytes(fill);
            large.put(fill).flip();
            small.put(fill, 0, 4096).flip();
            cursor = random.nextLong(b.bytes >> 20) << 20;
        }

        long nextRandom(long bytes) {
            return random.nextLong(bytes >> 12) << 12;
        }

        long nextSequential(long bytes) {
            long at = cursor;
            cursor = (cursor + (1 << 20)) % bytes;
            return at;
        }
    }

    @Benchmark
    public ByteBuffer randomRead4k(Worker w) throws IOException {
        read(w.nextRandom(bytes), w.small.clear());
        return w.small;
    }

    @Benchmark
    public ByteBuffer randomWrite4k(Worker w) throws IOException {
        write(w.nextRandom(bytes), w.small.clear());
        return w.small;
    }

    @Benchmark
    public ByteBuffer sequentialRead1m(Worker w) throws IOException {
        read(w.nextSequential(bytes), w.large.clear());
        return w.large;
    }

    @Benchmark
    public ByteBuffer sequentialWrite1m(Worker w) throws IOException {
        write(w.nextSequential(bytes), w.large.clear());
        return w.large;
    }
}
