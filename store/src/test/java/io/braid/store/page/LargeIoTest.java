package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Large I/O on 4 MiB pages, where a write hands its second copy and a read its second half to a
 * helper thread ({@code Assist}): what is read matches the model, both copies carry the same
 * verified data (a scrub repairs nothing), also after a crash.
 */
class LargeIoTest {
    @TempDir
    Path dir;

    @Test
    void largeWritesAndReadsStayCorrectOnBothCopies() throws Exception {
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            drives.add(dir.resolve("d" + i));
        }
        PageStoreConfig cfg = PageStoreConfig.of(dir.resolve("meta"), drives)
                .withCreateDriveBytes(96L << 20).withThrottles(1L << 40, 1L << 40)
                .withCleanInterval(Duration.ofHours(1));
        long size = 64L << 20;
        byte[] model = new byte[(int) size];
        UUID id = UUID.randomUUID();
        PageStore s = PageStore.open(cfg);
        PageVolume v = s.createVolume(id, "v", size);
        Random rnd = new Random(5);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 6; round++) {
                // Three writers on disjoint 16 MiB regions at once, unaligned starts included.
                List<Future<?>> fs = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    int len = (512 << 10) + rnd.nextInt(3 << 20);
                    long at = w * (16L << 20) + rnd.nextInt((16 << 20) - len) / 512 * 512;
                    byte[] data = new byte[len / 512 * 512];
                    rnd.nextBytes(data);
                    System.arraycopy(data, 0, model, (int) at, data.length);
                    boolean direct = w == 1;
                    boolean fua = round % 2 == 0;
                    fs.add(pool.submit(() -> {
                        ByteBuffer b = direct ? ByteBuffer.allocateDirect(data.length).put(data).flip()
                                : ByteBuffer.wrap(data);
                        v.write(at, b, fua);
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                for (long at = 0; at < size; at += 5L << 20) {
                    int len = (int) Math.min(5L << 20, size - at);
                    ByteBuffer b = ByteBuffer.allocateDirect(len);
                    v.read(at, b);
                    byte[] got = new byte[len];
                    b.flip().get(got);
                    assertThat(got).as("round %d at %d", round, at)
                            .isEqualTo(java.util.Arrays.copyOfRange(model, (int) at, (int) at + len));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        s.flush();
        StoreFixture.crash(s);
        try (PageStore r = PageStore.open(cfg)) {
            PageVolume rv = r.volume(id).orElseThrow();
            assertThat(StoreFixture.read(rv, 0, (int) size)).isEqualTo(model);
            r.startScrub();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> r.scrubProgress().orElseThrow().state() == TaskProgress.State.DONE);
            assertThat(r.scrubProgress().orElseThrow().repaired()).isZero();
            assertThat(r.scrubProgress().orElseThrow().unrecoverable()).isZero();
        }
    }
}
