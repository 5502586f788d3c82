package io.braid.store.page;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class IntegrityTest {
    @TempDir
    Path dir;
    PageStore store;
    PageVolume v;
    byte[] data;

    @BeforeEach
    void open() throws Exception {
        store = PageStore.open(StoreFixture.config(dir, 4, 8 << 20));
        v = store.createVolume(UUID.randomUUID(), "v0", 8L * PAGE);
        data = StoreFixture.pattern(1, 8 * PAGE).array();
        v.write(0, java.nio.ByteBuffer.wrap(data), true);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private byte[] slice(long offset, int len) {
        return java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + len);
    }

    @Test
    void aCorruptedCopyIsServedFromTheMirrorAndRewritten() throws Exception {
        // Reads of even pages are served by copy 0, of odd pages by copy 1: corrupt the one read.
        for (int k = 0; k < 2; k++) {
            long page = 2 + k;
            long at = page * PAGE + 5 * 4096 + 100;
            Path file = StoreFixture.drivePath(store, v, at, k);
            long pos = StoreFixture.filePosition(store, v, at, k);
            StoreFixture.scribble(file, pos, new byte[]{(byte) ~data[(int) at], 7, 7});
            long repairsBefore = store.repairs();
            for (int i = 0; i < 4; i++) {
                assertThat(StoreFixture.read(v, page * PAGE, PAGE)).isEqualTo(slice(page * PAGE, PAGE));
            }
            assertThat(store.repairs()).isEqualTo(repairsBefore + 1);
            // The bad copy on the drive holds the good bytes again.
            assertThat(StoreFixture.fileBytes(file, pos, 3)).isEqualTo(slice(at, 3));
        }
    }

    @Test
    void aCorruptedChecksumWordIsRepairedToo() throws Exception {
        long at = 5L * PAGE + 4096;
        long c = v.table.copies(5);
        Drive d = store.drives[Copies.drive(c, 1)];
        DriveHeader h = d.file.header;
        long wordPos = h.checksumOffset() + Copies.slot(c, 1) * h.checksumBytesPerSlot() + 4;
        StoreFixture.scribble(d.path, wordPos, new byte[]{0x55, 0x55, 0x55, 0x55});
        assertThat(StoreFixture.read(v, at, 4096)).isEqualTo(slice(at, 4096));
        assertThat(store.repairs()).isEqualTo(1);
        assertThat(d.file.word(Copies.slot(c, 1), 1)).isEqualTo(PageStore.checksum(java.nio.ByteBuffer.wrap(data), (int) at));
    }

    @Test
    void aUnitBadOnBothCopiesIsAReadErrorNotWrongData() throws Exception {
        long at = PAGE + 3 * 4096;
        for (int k = 0; k < 2; k++) {
            StoreFixture.scribble(StoreFixture.drivePath(store, v, at, k), StoreFixture.filePosition(store, v, at, k),
                    new byte[]{(byte) ~data[(int) at]});
        }
        assertThatThrownBy(() -> StoreFixture.read(v, PAGE, PAGE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unrecoverable read error")
                .hasMessageContaining("page 1 unit 3");
        // The neighbours are fine, and an overwrite heals the unit.
        assertThat(StoreFixture.read(v, PAGE, 3 * 4096)).isEqualTo(slice(PAGE, 3 * 4096));
        v.write(at, java.nio.ByteBuffer.wrap(new byte[4096]), false);
        assertThat(StoreFixture.read(v, at, 4096)).containsOnly(0);
    }

    @Test
    void aPartialWriteOverACorruptedCopyMergesWithTheGoodData() throws Exception {
        long at = 4L * PAGE + 4096;
        StoreFixture.scribble(StoreFixture.drivePath(store, v, at, 0), StoreFixture.filePosition(store, v, at, 0) + 2048,
                new byte[]{1, 2, 3, 4});
        v.write(at, java.nio.ByteBuffer.wrap(new byte[512]), false);
        byte[] expect = slice(at, 4096);
        java.util.Arrays.fill(expect, 0, 512, (byte) 0);
        assertThat(StoreFixture.read(v, at, 4096)).isEqualTo(expect);
        for (int k = 0; k < 2; k++) {
            assertThat(StoreFixture.fileBytes(StoreFixture.drivePath(store, v, at, k),
                    StoreFixture.filePosition(store, v, at, k), 4096)).isEqualTo(expect);
        }
    }

    @Test
    void scrubFindsAndRepairsEveryBadCopyAndReportsProgress() throws Exception {
        long[] spots = {100, PAGE + 9000, 3L * PAGE + 60000, 7L * PAGE + 4096};
        int k = 0;
        for (long at : spots) {
            StoreFixture.scribble(StoreFixture.drivePath(store, v, at, k & 1), StoreFixture.filePosition(store, v, at, k & 1),
                    new byte[]{(byte) ~data[(int) at]});
            k++;
        }
        long c = v.table.copies(6);
        StoreFixture.scribble(StoreFixture.drivePath(store, v, 6L * PAGE, 0), StoreFixture.filePosition(store, v, 6L * PAGE, 0),
                new byte[]{(byte) ~data[6 * PAGE]});
        StoreFixture.scribble(StoreFixture.drivePath(store, v, 6L * PAGE, 1), StoreFixture.filePosition(store, v, 6L * PAGE, 1),
                new byte[]{(byte) ~data[6 * PAGE]});
        TaskProgress started = store.startScrub();
        assertThat(started.kind()).isEqualTo("scrub");
        assertThat(started.pagesTotal()).isEqualTo(8);
        await().atMost(Duration.ofSeconds(20)).until(() -> store.scrubProgress().orElseThrow().state()
                != TaskProgress.State.RUNNING);
        TaskProgress done = store.scrubProgress().orElseThrow();
        assertThat(done.state()).isEqualTo(TaskProgress.State.DONE);
        assertThat(done.pagesDone()).isEqualTo(8);
        assertThat(done.fraction()).isEqualTo(1.0);
        assertThat(done.unitsChecked()).isEqualTo(8L * PAGE / 4096);
        assertThat(done.repaired()).isEqualTo(4);
        assertThat(done.unrecoverable()).isEqualTo(1);
        assertThat(done.finished()).isNotNull();
        for (long at : spots) {
            for (int j = 0; j < 2; j++) {
                assertThat(StoreFixture.fileBytes(StoreFixture.drivePath(store, v, at, j),
                        StoreFixture.filePosition(store, v, at, j), 1)).isEqualTo(slice(at, 1));
            }
        }
        assertThat(c).isEqualTo(v.table.copies(6));
    }

    @Test
    void aScheduledScrubRunsByItselfRepairsAndKeepsItsScheduleAcrossARestart() throws Exception {
        store.close();
        Path other = dir.resolve("scheduled");
        PageStoreConfig every = StoreFixture.config(other, 3, 8 << 20).withScrubInterval(Duration.ofMillis(400));
        UUID id = UUID.randomUUID();
        java.time.Instant before = java.time.Instant.now();
        try (PageStore s = PageStore.open(every)) {
            PageVolume w = s.createVolume(id, "w", 4L * PAGE);
            w.write(0, java.nio.ByteBuffer.wrap(data, 0, 4 * PAGE), true);
            assertThat(s.nextScheduledScrub()).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(before));
            long at = 2L * PAGE + 777;
            StoreFixture.scribble(StoreFixture.drivePath(s, w, at, 1), StoreFixture.filePosition(s, w, at, 1),
                    new byte[]{(byte) ~data[(int) at]});
            // Nobody starts it: the schedule does, finds the bad copy and repairs it.
            await().atMost(Duration.ofSeconds(20)).until(() -> s.scrubProgress().isPresent()
                    && s.scrubProgress().get().state() == TaskProgress.State.DONE
                    && s.scrubProgress().get().repaired() == 1);
            assertThat(StoreFixture.fileBytes(StoreFixture.drivePath(s, w, at, 1),
                    StoreFixture.filePosition(s, w, at, 1), 1)).isEqualTo(slice(at, 1));
        }
        // The end of the last scrub is kept: with a long interval the next one is an interval later.
        java.time.Instant restarted = java.time.Instant.now();
        try (PageStore s = PageStore.open(every.withScrubInterval(Duration.ofDays(7)))) {
            java.time.Instant next = s.nextScheduledScrub().orElseThrow();
            assertThat(next).isBefore(restarted.plus(Duration.ofDays(7))).isAfter(before.plus(Duration.ofDays(7)));
            assertThat(s.scrubProgress()).isEmpty();
        }
        try (PageStore s = PageStore.open(every.withScrubInterval(Duration.ZERO))) {
            assertThat(s.nextScheduledScrub()).isEmpty(); // on demand only
        }
        store = PageStore.open(StoreFixture.config(dir, 4, 8 << 20)); // for @AfterEach
    }
}
