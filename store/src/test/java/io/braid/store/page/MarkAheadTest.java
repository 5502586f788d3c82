package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
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
        s.clean();
        s.clean(); // written two epochs ago: every page clean again
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

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }
}
