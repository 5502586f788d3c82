package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mirrored metadata (docs/storage.md "Metadata mirror"): one damaged or lost copy loses nothing. */
class MetadataMirrorTest {
    @TempDir
    Path dir;

    private PageStoreConfig cfg() {
        return StoreFixture.config(dir, 3, 8 << 20);
    }

    private Path meta(int copy) {
        return dir.resolve(copy == 0 ? "meta" : "meta-mirror");
    }

    private List<Path> segments(int copy) throws IOException {
        try (Stream<Path> s = Files.list(meta(copy))) {
            return s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().toList();
        }
    }

    private static void zeroFile(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ByteBuffer z = ByteBuffer.allocate((int) ch.size());
            while (z.hasRemaining()) {
                ch.write(z, z.position());
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> w = Files.walk(p)) {
            for (Path q : w.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private void assertCopiesEqual() throws IOException {
        assertThat(Files.mismatch(meta(0).resolve("checkpoint"), meta(1).resolve("checkpoint"))).isEqualTo(-1);
        assertThat(segments(0).stream().map(Path::getFileName).toList())
                .isEqualTo(segments(1).stream().map(Path::getFileName).toList());
    }

    @Test
    void aStoreKeepsTwoEqualCopiesOfItsMetadata() throws Exception {
        try (PageStore s = PageStore.open(cfg())) {
            s.createVolume(UUID.randomUUID(), "v", 4L * PAGE).write(0, StoreFixture.pattern(1, PAGE), true);
        }
        assertCopiesEqual();
    }

    @Test
    void aZeroedJournalCopyIsRestoredFromTheOtherOne() throws Exception {
        for (int bad = 0; bad < 2; bad++) {
            deleteTree(dir);
            Files.createDirectories(dir);
            UUID id = UUID.randomUUID();
            byte[] data = StoreFixture.pattern(2, 4 * PAGE).array();
            PageStore s = PageStore.open(cfg());
            PageVolume v = s.createVolume(id, "v", 8L * PAGE);
            v.write(0, ByteBuffer.wrap(data), true); // allocations live only in the journal
            v.unmap(3L * PAGE, PAGE);
            s.flush();
            StoreFixture.crash(s);
            for (Path seg : segments(bad)) {
                zeroFile(seg);
            }
            try (PageStore r = PageStore.open(cfg())) {
                PageVolume rv = r.volume(id).orElseThrow();
                assertThat(rv.allocatedBytes()).isEqualTo(3L * PAGE);
                assertThat(StoreFixture.read(rv, 0, 3 * PAGE)).isEqualTo(java.util.Arrays.copyOf(data, 3 * PAGE));
                assertThat(StoreFixture.read(rv, 3L * PAGE, PAGE)).containsOnly(0);
            }
            assertCopiesEqual();
        }
    }

    @Test
    void aDamagedCheckpointCopyIsRestoredFromTheOtherOne() throws Exception {
        UUID id = UUID.randomUUID();
        try (PageStore s = PageStore.open(cfg())) {
            s.createVolume(id, "v", 4L * PAGE).write(0, StoreFixture.pattern(3, 2 * PAGE), false);
        }
        Path cp = meta(0).resolve("checkpoint");
        StoreFixture.scribble(cp, Files.size(cp) / 2, new byte[]{0x11, 0x22});
        try (PageStore r = PageStore.open(cfg())) {
            assertThat(StoreFixture.read(r.volume(id).orElseThrow(), 0, 2 * PAGE))
                    .isEqualTo(StoreFixture.pattern(3, 2 * PAGE).array());
        }
        assertCopiesEqual();
    }

    @Test
    void aLostCopyIsRecreatedAndTheCopyThatGotFurtherWins() throws Exception {
        UUID id = UUID.randomUUID();
        try (PageStore s = PageStore.open(cfg())) {
            s.createVolume(id, "v", 4L * PAGE);
        }
        deleteTree(meta(1));
        PageStore s = PageStore.open(cfg());
        assertThat(meta(1).resolve("checkpoint")).exists();
        s.volume(id).orElseThrow().write(0, StoreFixture.pattern(4, PAGE), true);
        StoreFixture.crash(s);
        // The primary loses its last records (valid but shorter): the mirror, further ahead, wins.
        List<Path> segs = segments(0);
        try (FileChannel ch = FileChannel.open(segs.getLast(), StandardOpenOption.WRITE)) {
            ch.truncate(Journal.SEGMENT_HEADER);
        }
        try (PageStore r = PageStore.open(cfg())) {
            PageVolume rv = r.volume(id).orElseThrow();
            assertThat(rv.allocatedBytes()).isEqualTo(PAGE);
            assertThat(StoreFixture.read(rv, 0, PAGE)).isEqualTo(StoreFixture.pattern(4, PAGE).array());
        }
        assertCopiesEqual();
    }

    @Test
    void theCopiesOfTwoDifferentStoresAreRefused() throws Exception {
        try (PageStore s = PageStore.open(cfg())) {
            s.createVolume(UUID.randomUUID(), "v", PAGE);
        }
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        PageStoreConfig o = StoreFixture.config(other, 2, 8 << 20);
        try (PageStore s = PageStore.open(o)) {
            s.createVolume(UUID.randomUUID(), "w", PAGE);
        }
        MetadataMirror.copy(other.resolve("meta"), meta(1));
        assertThatThrownBy(() -> PageStore.open(cfg()))
                .isInstanceOf(MetadataCorruptedException.class)
                .hasMessageContaining("different stores");
    }

    /**
     * Crash after crash with a verified write load, each time damaging one metadata copy in a
     * different way (zeroed journal, damaged checkpoint, copy deleted): every write acknowledged
     * with FUA, or followed by a completed flush, reads back.
     */
    @Test
    void crashAfterCrashWithOneDamagedCopyLosesNothingAcknowledged() throws Exception {
        Random rnd = new Random(42);
        UUID id = UUID.randomUUID();
        long pages = 24;
        Map<Long, Long> acked = new HashMap<>(); // 4 KiB block -> seed of its acknowledged data
        try (PageStore s = PageStore.open(cfg().withCheckpointBytes(4096))) {
            s.createVolume(id, "v", pages * PAGE);
        }
        for (int round = 0; round < 12; round++) {
            PageStore s = PageStore.open(cfg().withCheckpointBytes(4096));
            PageVolume v = s.volume(id).orElseThrow();
            for (Map.Entry<Long, Long> e : acked.entrySet()) {
                assertThat(StoreFixture.read(v, e.getKey() * 4096, 4096))
                        .as("round %d block %d", round, e.getKey())
                        .isEqualTo(StoreFixture.pattern(e.getValue(), 4096).array());
            }
            Map<Long, Long> pending = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                long block = rnd.nextLong(pages * PAGE / 4096);
                long seed = rnd.nextLong();
                boolean fua = rnd.nextInt(3) == 0;
                v.write(block * 4096, StoreFixture.pattern(seed, 4096), fua);
                if (fua) {
                    acked.put(block, seed);
                    pending.remove(block);
                } else {
                    pending.put(block, seed);
                    acked.remove(block); // an unflushed overwrite may or may not survive
                }
                if (rnd.nextInt(10) == 0) {
                    v.unmap(block * 4096, 4096);
                    pending.remove(block);
                    acked.remove(block);
                }
                if (rnd.nextInt(15) == 0) {
                    s.flush();
                    acked.putAll(pending);
                    pending.clear();
                }
                if (i == 20 && rnd.nextBoolean()) {
                    s.checkpoint();
                }
            }
            StoreFixture.crash(s);
            int bad = rnd.nextInt(2);
            switch (round % 3) {
                case 0 -> {
                    for (Path seg : segments(bad)) {
                        zeroFile(seg);
                    }
                }
                case 1 -> {
                    Path cp = meta(bad).resolve("checkpoint");
                    StoreFixture.scribble(cp, rnd.nextLong(Files.size(cp)), new byte[]{0x5a, (byte) 0xa5});
                }
                default -> deleteTree(meta(bad));
            }
        }
    }
}
