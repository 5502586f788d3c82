package io.braid.store.page;

import io.braid.store.BlockDevice;
import io.braid.store.SpaceExhaustedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThinProvisioningTest {
    @TempDir
    Path dir;
    PageStore store;
    PageVolume v;

    @BeforeEach
    void open() throws Exception {
        store = PageStore.open(StoreFixture.config(dir, 4, 8 << 20));
        v = store.createVolume(UUID.randomUUID(), "v0", 16L * PAGE);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    @Test
    void aNewVolumeHasNoStorageReadsZeroesAndIsDeallocated() throws Exception {
        assertThat(v.supportsUnmap()).isTrue();
        assertThat(v.allocatedBytes()).isZero();
        assertThat(StoreFixture.read(v, 0, 16 * PAGE)).containsOnly(0);
        assertThat(v.provisioning(0)).isEqualTo(new BlockDevice.Extent(0, 16L * PAGE, false));
        assertThat(v.provisioning(7 * 512)).isEqualTo(new BlockDevice.Extent(7 * 512, 16L * PAGE - 7 * 512, false));
    }

    @Test
    void theFirstWriteAllocatesOnePageWithoutCopyingIt() throws Exception {
        v.write(3L * PAGE + 8192, StoreFixture.pattern(1, 4096), false);
        assertThat(v.allocatedBytes()).isEqualTo(PAGE);
        assertThat(store.usedBytes()).isEqualTo(2L * PAGE);
        // The two copies are on different drives.
        assertThat(StoreFixture.driveOf(store, v, 3L * PAGE, 0)).isNotEqualTo(StoreFixture.driveOf(store, v, 3L * PAGE, 1));
        // Exactly one 4 KiB unit is written; the rest of the page still reports deallocated.
        assertThat(v.provisioning(0)).isEqualTo(new BlockDevice.Extent(0, 3L * PAGE + 8192, false));
        assertThat(v.provisioning(3L * PAGE + 8192)).isEqualTo(new BlockDevice.Extent(3L * PAGE + 8192, 4096, true));
        assertThat(v.provisioning(3L * PAGE + 12288))
                .isEqualTo(new BlockDevice.Extent(3L * PAGE + 12288, 13L * PAGE - 12288, false));
        assertThat(StoreFixture.read(v, 3L * PAGE, 8192)).containsOnly(0);
        assertThat(StoreFixture.read(v, 3L * PAGE + 8192, 4096)).isEqualTo(StoreFixture.pattern(1, 4096).array());
    }

    @Test
    void unmapOfWholePagesFreesThemAndReadsZeroes() throws Exception {
        v.write(0, StoreFixture.pattern(2, 4 * PAGE), false);
        assertThat(v.allocatedBytes()).isEqualTo(4L * PAGE);
        v.unmap(PAGE, 2L * PAGE);
        assertThat(v.allocatedBytes()).isEqualTo(2L * PAGE);
        assertThat(StoreFixture.read(v, PAGE, 2 * PAGE)).containsOnly(0);
        byte[] all = StoreFixture.pattern(2, 4 * PAGE).array();
        assertThat(StoreFixture.read(v, 0, PAGE)).isEqualTo(java.util.Arrays.copyOfRange(all, 0, PAGE));
        assertThat(StoreFixture.read(v, 3L * PAGE, PAGE)).isEqualTo(java.util.Arrays.copyOfRange(all, 3 * PAGE, 4 * PAGE));
        assertThat(v.provisioning(0)).isEqualTo(new BlockDevice.Extent(0, PAGE, true));
        assertThat(v.provisioning(PAGE)).isEqualTo(new BlockDevice.Extent(PAGE, 2L * PAGE, false));
        // The freed slots come back once their blank checksum words are durable.
        long used = store.usedBytes();
        store.flush();
        assertThat(store.usedBytes()).isEqualTo(used - 4L * PAGE);
    }

    @Test
    void partialUnmapZeroesTheRangeAndKeepsTheRest() throws Exception {
        byte[] all = StoreFixture.pattern(3, PAGE).array();
        v.write(0, ByteBuffer.wrap(all), false);
        v.unmap(512, 3 * 4096); // a partial head unit, two whole units, a partial tail unit
        byte[] expect = all.clone();
        java.util.Arrays.fill(expect, 512, 512 + 3 * 4096, (byte) 0);
        assertThat(StoreFixture.read(v, 0, PAGE)).isEqualTo(expect);
        assertThat(v.provisioning(4096)).isEqualTo(new BlockDevice.Extent(4096, 8192, false));
        assertThat(v.allocatedBytes()).isEqualTo(PAGE);
    }

    @Test
    void aPageWhoseUnitsAreAllUnmappedIsFreed() throws Exception {
        v.write(2L * PAGE, StoreFixture.pattern(4, 3 * 4096), false);
        v.unmap(2L * PAGE, 4096);
        assertThat(v.allocatedBytes()).isEqualTo(PAGE);
        v.unmap(2L * PAGE + 4096, 2 * 4096);
        assertThat(v.allocatedBytes()).isZero();
        assertThat(StoreFixture.read(v, 2L * PAGE, PAGE)).containsOnly(0);
    }

    @Test
    void unalignedSmallWritesMergeIntoTheirUnits() throws Exception {
        byte[] model = new byte[2 * PAGE];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 200; i++) {
            int blocks = 1 + r.nextInt(20);
            int at = r.nextInt(model.length / 512 - blocks) * 512;
            byte[] b = new byte[blocks * 512];
            r.nextBytes(b);
            v.write(at, ByteBuffer.wrap(b), false);
            System.arraycopy(b, 0, model, at, b.length);
        }
        assertThat(StoreFixture.read(v, 0, 2 * PAGE)).isEqualTo(model);
        for (int at = 0; at < 2 * PAGE; at += 512 * 7) {
            int n = Math.min(512 * 13, 2 * PAGE - at);
            assertThat(StoreFixture.read(v, at, n)).isEqualTo(java.util.Arrays.copyOfRange(model, at, at + n));
        }
    }

    @Test
    void runningOutOfSpaceStoresNothingAndRecoversAfterUnmap() throws Exception {
        // 4 drives of 95 slots hold 190 mirrored pages.
        PageVolume big = store.createVolume(UUID.randomUUID(), "big", 400L * PAGE);
        ByteBuffer page = StoreFixture.pattern(6, PAGE);
        int written = 0;
        for (; written < 400; written++) {
            try {
                big.write((long) written * PAGE, page.duplicate(), false);
            } catch (SpaceExhaustedException e) {
                assertThat(e).hasMessageContaining("no free page");
                break;
            }
        }
        assertThat(written).isEqualTo(190);
        assertThat(store.usedBytes()).isEqualTo(store.capacityBytes());
        // A write spanning a present and a missing page stores nothing.
        byte[] before = StoreFixture.read(big, 189L * PAGE, PAGE);
        assertThatThrownBy(() -> big.write(189L * PAGE + PAGE / 2, StoreFixture.pattern(7, PAGE), false))
                .isInstanceOf(SpaceExhaustedException.class);
        assertThat(StoreFixture.read(big, 189L * PAGE, PAGE)).isEqualTo(before);
        big.unmap(0, 10L * PAGE);
        // Freed slots are usable again (the allocator syncs the blank words itself when it must).
        for (int i = 0; i < 10; i++) {
            big.write((long) (200 + i) * PAGE, page.duplicate(), false);
        }
        assertThat(StoreFixture.read(big, 209L * PAGE, PAGE)).isEqualTo(page.array());
        assertThat(StoreFixture.read(big, 0, PAGE)).containsOnly(0);
    }

    @Test
    void freedSlotsNeverLeakOldDataIntoAnotherVolume() throws Exception {
        PageVolume other = store.createVolume(UUID.randomUUID(), "other", 16L * PAGE);
        v.write(0, StoreFixture.pattern(8, 16 * PAGE), false);
        v.unmap(0, 16L * PAGE);
        store.flush();
        other.write(4096, StoreFixture.pattern(9, 512), false); // reuses some freed slot
        byte[] got = StoreFixture.read(other, 0, PAGE);
        byte[] expect = new byte[PAGE];
        System.arraycopy(StoreFixture.pattern(9, 512).array(), 0, expect, 4096, 512);
        assertThat(got).isEqualTo(expect);
    }

    @Test
    void rangesAreChecked() {
        assertThatThrownBy(() -> v.read(100, ByteBuffer.allocate(512))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> v.write(16L * PAGE, ByteBuffer.allocate(512), false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> v.unmap(0, 17L * PAGE)).isInstanceOf(IllegalArgumentException.class);
    }
}
