package io.braid.store.page;

import io.braid.store.MemoryBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code BlockDevice.writeStaysInMemory} of the page store: true only where a write would neither
 * allocate, nor journal and sync a dirty mark, nor read old data to merge, nor hand data to another
 * core — and the write it allows then indeed adds no journal record.
 */
class WriteStaysInMemoryTest {
    @TempDir
    Path dir;

    @Test
    void onlyWholeUnitsOfDirtyPagesWithStorage() throws Exception {
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 2, 8 << 20))) {
            PageVolume v = s.createVolume(UUID.randomUUID(), "v", 4L * PAGE);
            assertThat(v.writeStaysInMemory(0, 4096)).as("no storage yet").isFalse();

            v.write(0, StoreFixture.pattern(1, 4096), false);
            assertThat(v.writeStaysInMemory(0, 4096)).as("allocated and dirty").isTrue();
            assertThat(v.writeStaysInMemory(PAGE - 8192, 8192)).as("the rest of the dirty page").isTrue();
            assertThat(v.writeStaysInMemory(PAGE - 4096, 8192)).as("into page 1, which has no storage").isFalse();
            assertThat(v.writeStaysInMemory(512, 4096)).as("not unit aligned: old data to merge").isFalse();
            assertThat(v.writeStaysInMemory(0, 512)).as("part of a unit").isFalse();
            assertThat(v.writeStaysInMemory(0, Assist.MIN_BYTES)).as("large: a hand-over").isFalse();
            assertThat(v.writeStaysInMemory(0, 0)).isFalse();
            assertThat(v.writeStaysInMemory(4L * PAGE, 4096)).as("past the end").isFalse();
            assertThat(v.writeStaysInMemory(-4096, 4096)).isFalse();

            s.clean();
            assertThat(v.writeStaysInMemory(0, 4096))
                    .as("dirty with the tag of an earlier epoch: moved on without a sync").isTrue();
            StoreFixture.cleanIdle(s);
            assertThat(v.dirty.get(0)).isFalse();
            assertThat(v.writeStaysInMemory(0, 4096)).as("clean: a dirty mark to journal and sync").isFalse();

            v.write(0, StoreFixture.pattern(2, 4096), false);
            assertThat(v.writeStaysInMemory(0, 4096)).isTrue();
            long records = s.journalSeq();
            v.write(4096, StoreFixture.pattern(3, 4096), false);
            assertThat(s.journalSeq()).as("the write it allowed journaled nothing").isEqualTo(records);
        }
    }

    @Test
    void aMemoryDeviceAlwaysStaysInMemory() {
        MemoryBlockDevice d = new MemoryBlockDevice(512, 1024);
        assertThat(d.writeStaysInMemory(0, 512)).isTrue();
        ByteBuffer b = ByteBuffer.allocate(512);
        assertThat(d.writeStaysInMemory(511 * 512L, b.remaining())).isTrue();
    }
}
