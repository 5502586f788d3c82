package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant D's cleaner: a dirty page is marked clean only after it has gone unwritten for {@link
 * PageStore#IDLE_EPOCHS} full epochs and the drives were synced; with nothing to clean the drives
 * are left alone.
 */
class CleanerTest {
    @TempDir
    Path dir;

    private static boolean anyUnsynced(PageStore s) {
        for (Drive d : s.drives) {
            if (d.unsynced) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aPageRewrittenWithinTheIdleEpochsStaysDirtyAndTheDrivesAreNotSynced() throws Exception {
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 2, 8 << 20))) {
            PageVolume v = s.createVolume(UUID.randomUUID(), "v", 2L * PAGE);
            for (int round = 0; round < 3 * PageStore.IDLE_EPOCHS; round++) {
                v.write(0, StoreFixture.pattern(round, 4096), false);
                s.clean();
                assertThat(v.dirty.get(0)).as("round %d: written in every epoch", round).isTrue();
                assertThat(anyUnsynced(s)).as("round %d: nothing to clean, no drive sync", round).isTrue();
            }
            long records = s.journalSeq();
            for (int i = 1; i < PageStore.IDLE_EPOCHS; i++) {
                s.clean();
                assertThat(v.dirty.get(0)).as("unwritten for %d epochs only", i).isTrue();
            }
            assertThat(s.journalSeq()).as("no PagesClean yet").isEqualTo(records);
            assertThat(anyUnsynced(s)).isTrue();

            s.clean();
            assertThat(v.dirty.get(0)).as("unwritten for %d full epochs", PageStore.IDLE_EPOCHS).isFalse();
            assertThat(anyUnsynced(s)).as("synced before it was marked clean").isFalse();
            assertThat(s.journalSeq()).as("one PagesClean").isEqualTo(records + 1);
        }
    }

    @Test
    void aFreedSlotIsReleasedByTheNextCleanEvenWithNoPageToClean() throws Exception {
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 2, 8 << 20))) {
            PageVolume v = s.createVolume(UUID.randomUUID(), "v", 2L * PAGE);
            v.write(0, ByteBuffer.wrap(StoreFixture.pattern(1, 2 * PAGE).array()), false);
            long used = s.usedBytes();
            v.unmap(PAGE, PAGE);
            v.write(0, StoreFixture.pattern(2, 4096), false); // page 0 stays dirty and recent
            assertThat(s.usedBytes()).as("the freed slots wait for a sync").isEqualTo(used);
            s.clean();
            assertThat(v.dirty.get(0)).isTrue();
            assertThat(s.usedBytes()).as("released by the clean's sync").isLessThan(used);
        }
    }
}
