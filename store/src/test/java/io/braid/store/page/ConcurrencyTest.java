package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

class ConcurrencyTest {
    @TempDir
    Path dir;

    /**
     * Threads own interleaved 512-byte blocks, so every 4 KiB unit is shared by eight writers doing
     * read-modify-write at once; a lost update or a torn block shows up as a wrong block. Readers
     * of whole pages run at the same time and must never see a checksum error.
     */
    @Test
    void interleavedSmallWritersNeverLoseAnUpdate() throws Exception {
        int threads = 8;
        int blocks = 4 * PAGE / 512;
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 4, 16 << 20)
                .withCleanInterval(Duration.ofMillis(50)))) {
            PageVolume v = s.createVolume(UUID.randomUUID(), "v", (long) blocks * 512);
            long[][] last = new long[threads][blocks];
            AtomicReference<Throwable> error = new AtomicReference<>();
            long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            Thread[] ts = new Thread[threads + 2];
            for (int t = 0; t < threads; t++) {
                int me = t;
                ts[t] = new Thread(() -> {
                    Random r = new Random(me);
                    ByteBuffer b = ByteBuffer.allocate(512);
                    try {
                        for (long n = 1; System.nanoTime() < end; n++) {
                            int blk = r.nextInt(blocks / threads) * threads + me;
                            b.clear();
                            while (b.hasRemaining()) {
                                b.putLong(me * 1_000_000_000L + n);
                            }
                            v.write(blk * 512L, b.flip(), false);
                            last[me][blk] = me * 1_000_000_000L + n;
                            if (n % 64 == 0) {
                                v.unmap((long) (r.nextInt(blocks / threads) * threads + me) * 512, 0);
                            }
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                });
            }
            for (int t = threads; t < threads + 2; t++) {
                ts[t] = new Thread(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(PAGE);
                    Random r = new Random();
                    try {
                        while (System.nanoTime() < end) {
                            b.clear();
                            v.read((long) r.nextInt(4) * PAGE, b);
                            v.flush();
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                });
            }
            for (Thread t : ts) {
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(error.get()).isNull();
            ByteBuffer all = ByteBuffer.allocate(blocks * 512);
            v.read(0, all);
            for (int blk = 0; blk < blocks; blk++) {
                long expect = last[blk % threads][blk];
                for (int i = 0; i < 512; i += 8) {
                    assertThat(all.getLong(blk * 512 + i)).as("block %d", blk).isEqualTo(expect);
                }
            }
            assertThat(s.repairs()).isZero();
        }
    }
}
