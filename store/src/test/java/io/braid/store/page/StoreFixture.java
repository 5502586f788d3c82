package io.braid.store.page;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small stores for tests: 64 KiB pages on sparse drive files of a few MiB. */
final class StoreFixture {
    static final int PAGE = 64 << 10;

    private StoreFixture() {
    }

    static PageStoreConfig config(Path dir, int drives, long driveBytes) {
        List<Path> ds = new ArrayList<>();
        for (int i = 0; i < drives; i++) {
            ds.add(dir.resolve("d" + i));
        }
        return PageStoreConfig.of(dir.resolve("meta"), ds)
                .withCreateDriveBytes(driveBytes)
                .withPageSize(PAGE)
                .withThrottles(1L << 40, 1L << 40)
                .withCleanInterval(Duration.ofHours(1));
    }

    static ByteBuffer pattern(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    static byte[] read(PageVolume v, long offset, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        v.read(offset, b);
        return b.array();
    }

    /** Where a byte of a volume's copy {@code k} lives in its drive file. */
    static long filePosition(PageStore s, PageVolume v, long offset, int k) {
        long c = v.table.copies(offset / s.pageSize);
        Drive d = s.drives[Copies.drive(c, k)];
        DriveHeader h = d.file.header;
        return h.dataOffset() + Copies.slot(c, k) * s.pageSize + offset % s.pageSize;
    }

    static Path drivePath(PageStore s, PageVolume v, long offset, int k) {
        long c = v.table.copies(offset / s.pageSize);
        return s.drives[Copies.drive(c, k)].path;
    }

    static int driveOf(PageStore s, PageVolume v, long offset, int k) {
        return Copies.drive(v.table.copies(offset / s.pageSize), k);
    }

    /** Overwrites bytes of a drive file behind the store's back (the page cache makes it visible). */
    static void scribble(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), position);
        }
    }

    static byte[] fileBytes(Path file, long position, int len) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining() && ch.read(b, position + b.position()) >= 0) {
                // keep reading
            }
            return b.array();
        }
    }

    /**
     * Runs the cleaner until every page written so far has gone unwritten for {@link
     * PageStore#IDLE_EPOCHS} full epochs: afterwards every dirty page is clean.
     */
    static void cleanIdle(PageStore s) throws IOException {
        for (int i = 0; i <= PageStore.IDLE_EPOCHS; i++) {
            s.clean();
        }
    }

    /** Like SIGKILL for an in-process store: no sync, no clean, no checkpoint; the page cache stays. */
    static void crash(PageStore s) {
        s.simulateCrash();
    }
}
