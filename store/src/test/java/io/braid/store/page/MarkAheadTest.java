package io.braid.store.page;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.UUID;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/** Invariant D for streams: a write that follows on from a dirty page marks the next clean pages too. */
class MarkAheadTest {
    @TempDir
    Path dir;

    private static BitSet pages(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to + 1);
        return b;
    }

    @Test
    void aStreamMarksPagesAheadAndARandomWriteOnlyItsOwn() throws Exception {
        PageStoreConfig cfg = StoreFixture.config(dir, 3, 8 << 20);
        UUID id = UUID.randomUUID();
        int n = 20;
        byte[] all = StoreFixture.pattern(1, n * PAGE).array();
        PageStore s = PageStore.open(cfg);
        PageVolume v = s.createVolume(id, "v", (long) n * PAGE);
        v.write(0, ByteBuffer.wrap(all), false);
        StoreFixture.cleanIdle(s); // every page clean again
        assertThat(v.dirty.isEmpty()).isTrue();

        byte[] unit = StoreFixture.pattern(2, 4096).array();
        v.write(0, ByteBuffer.wrap(unit), false);
        assertThat(v.dirty).as("page 0 has no page before it").isEqualTo(pages(0, 0));
        v.write(12L * PAGE, ByteBuffer.wrap(unit), false);
        assertThat(v.dirty).as("page 11 is clean: a random write").isEqualTo(bits(0, 12));
        v.write(PAGE, ByteBuffer.wrap(unit), false);
        BitSet expect = pages(0, 1 + PageStore.MARK_AHEAD - 1);
        expect.set(12);
        assertThat(v.dirty).as("page 0 is dirty: a stream, marked ahead").isEqualTo(expect);
        v.write((long) (PageStore.MARK_AHEAD + 1) * PAGE, ByteBuffer.wrap(unit), false);
        expect.set(PageStore.MARK_AHEAD + 1, 12); // up to the next page that is dirty already
        // That write also found page 13, clean, within MARK_AHEAD_DISTANCE: a background mark from
        // there (aStreamFindsThePagesAheadMarkedBeforeItGetsThere). Its flag is set before the write returns.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !v.markingAhead.get());
        expect.set(13, Math.min(n, 13 + PageStore.MARK_AHEAD));
        assertThat(v.dirty).isEqualTo(expect);

        // Recovery checks every marked page; the data is what was written.
        StoreFixture.crash(s);
        for (long at : new long[]{0, PAGE, 12L * PAGE, (long) (PageStore.MARK_AHEAD + 1) * PAGE}) {
            System.arraycopy(unit, 0, all, (int) at, unit.length);
        }
        try (PageStore r = PageStore.open(cfg)) {
            PageVolume rv = r.volume(id).orElseThrow();
            assertThat(StoreFixture.read(rv, 0, n * PAGE)).isEqualTo(all);
            assertThat(rv.dirty.isEmpty()).isTrue();
        }
    }

    @Test
    void aStreamFindsThePagesAheadMarkedBeforeItGetsThere() throws Exception {
        PageStoreConfig cfg = StoreFixture.config(dir, 3, 16 << 20);
        UUID id = UUID.randomUUID();
        int n = 4 * PageStore.MARK_AHEAD;
        byte[] all = StoreFixture.pattern(1, n * PAGE).array();
        PageStore s = PageStore.open(cfg);
        PageVolume v = s.createVolume(id, "v", (long) n * PAGE);
        v.write(0, ByteBuffer.wrap(all), false);
        StoreFixture.cleanIdle(s);
        assertThat(v.dirty.isEmpty()).isTrue();

        // A stream of 4 KiB writes: page 0 marks itself, page 1 marks MARK_AHEAD pages from it.
        int clean = PageStore.MARK_AHEAD + 1; // the first page after those
        int trigger = clean - PageStore.MARK_AHEAD_DISTANCE;
        writeStream(v, all, 0, trigger);
        assertThat(v.dirty).as("the stream's own marks only").isEqualTo(pages(0, PageStore.MARK_AHEAD));
        // Reaching MARK_AHEAD_DISTANCE pages before the first clean page starts a background mark.
        writeStream(v, all, trigger, trigger + 1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(tags(v, clean, clean + PageStore.MARK_AHEAD - 1)).as("marked ahead").doesNotContain(0L, PageTable.PENDING));
        long records = s.journalSeq();
        writeStream(v, all, trigger + 1, clean + 1);
        assertThat(s.journalSeq()).as("the stream went on into page %d with nothing to journal", clean)
                .isEqualTo(records);
        long[] beyond = tags(v, clean + PageStore.MARK_AHEAD, n - 1);
        assertThat(beyond).as("nothing marked beyond what the stream will reach soon").containsOnly(0L);

        // Recovery checks the marked pages, written or not; the data is what was written.
        StoreFixture.crash(s);
        try (PageStore r = PageStore.open(cfg)) {
            assertThat(StoreFixture.read(r.volume(id).orElseThrow(), 0, n * PAGE)).isEqualTo(all);
        }
    }

    @Test
    void randomWritesMarkNothingAhead() throws Exception {
        int n = 4 * PageStore.MARK_AHEAD;
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 3, 16 << 20))) {
            PageVolume v = s.createVolume(UUID.randomUUID(), "v", (long) n * PAGE);
            v.write(0, ByteBuffer.wrap(StoreFixture.pattern(1, n * PAGE).array()), false);
            StoreFixture.cleanIdle(s);
            byte[] unit = StoreFixture.pattern(2, 4096).array();
            for (int p : new int[]{3, 17, 9, 25, 3, 17}) {
                v.write((long) p * PAGE + 8192, ByteBuffer.wrap(unit), false);
            }
            Thread.sleep(200); // a background mark, were one started, would have run by now
            assertThat(v.dirty).isEqualTo(bits(3, 9, 17, 25));
        }
    }

    /** Writes pages {@code from} (inclusive) to {@code to} (exclusive) 4 KiB at a time, in order. */
    private static void writeStream(PageVolume v, byte[] all, int from, int to) throws java.io.IOException {
        for (long at = (long) from * PAGE; at < (long) to * PAGE; at += 4096) {
            v.write(at, ByteBuffer.wrap(all, (int) at, 4096), false);
        }
    }

    private static long[] tags(PageVolume v, int from, int to) {
        long[] t = new long[to - from + 1];
        for (int p = from; p <= to; p++) {
            t[p - from] = v.table.tag(p);
        }
        return t;
    }

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }
}
