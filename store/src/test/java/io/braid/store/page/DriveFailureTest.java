package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class DriveFailureTest {
    @TempDir
    Path dir;

    /** A volume and the bytes it must hold. */
    private static final class Model {
        final PageVolume v;
        final byte[] bytes;
        final Random random;

        Model(PageVolume v, long seed) {
            this.v = v;
            this.bytes = new byte[(int) v.sizeBytes()];
            this.random = new Random(seed);
        }

        void writeSome(int count) throws Exception {
            for (int i = 0; i < count; i++) {
                int blocks = 1 + random.nextInt(64);
                int at = random.nextInt(bytes.length / 512 - blocks) * 512;
                byte[] b = new byte[blocks * 512];
                random.nextBytes(b);
                synchronized (this) {
                    v.write(at, ByteBuffer.wrap(b), random.nextInt(8) == 0);
                    System.arraycopy(b, 0, bytes, at, b.length);
                }
            }
        }

        void verify() throws Exception {
            synchronized (this) {
                assertThat(StoreFixture.read(v, 0, bytes.length)).isEqualTo(bytes);
            }
        }
    }

    private static void awaitOnline(PageStore s, int drive) {
        await().atMost(Duration.ofSeconds(60)).until(() -> s.drives().get(drive).state() == DriveState.ONLINE);
    }

    @Test
    void failWritesReplaceRebuildThenASecondFailureLosesNothing() throws Exception {
        List<DriveEvent> events = new CopyOnWriteArrayList<>();
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 4, 8 << 20))) {
            s.addListener(events::add);
            Model a = new Model(s.createVolume(UUID.randomUUID(), "a", 40L * PAGE), 1);
            Model b = new Model(s.createVolume(UUID.randomUUID(), "b", 20L * PAGE), 2);
            a.writeSome(200);
            b.writeSome(100);

            s.fail(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
            DriveEvent ev = events.get(0);
            assertThat(ev.drive()).isEqualTo(1);
            assertThat(ev.driveName()).isEqualTo("d1");
            assertThat(ev.from()).isEqualTo(DriveState.ONLINE);
            assertThat(ev.to()).isEqualTo(DriveState.FAILED);
            assertThat(ev.cause()).isEqualTo("fault injection");
            assertThat(ev.affectedVolumes()).containsExactly("a", "b");
            assertThat(ev.path()).isEqualTo(dir.resolve("d1"));
            assertThat(s.drives().get(1).state()).isEqualTo(DriveState.FAILED);
            assertThatThrownBy(() -> s.fail(1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> s.replace(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only a FAILED drive");

            // Degraded: everything reads, writes go on with no error.
            a.verify();
            b.verify();
            a.writeSome(200);
            b.writeSome(100);
            s.flush();
            a.verify();

            UUID oldId = s.drives().get(1).id();
            s.replace(1);
            assertThat(s.drives().get(1).id()).isNotEqualTo(oldId);
            a.writeSome(50); // during the rebuild
            awaitOnline(s, 1);
            assertThat(s.rebuildProgress(1).orElseThrow().state()).isEqualTo(TaskProgress.State.DONE);
            assertThat(s.rebuildProgress(1).orElseThrow().unrecoverable()).isZero();
            assertThat(s.drives().get(1).rebuildProgress()).isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 3);
            assertThat(events.get(1).to()).isEqualTo(DriveState.REBUILDING);
            assertThat(events.get(2).to()).isEqualTo(DriveState.ONLINE);

            // Every page has two good copies again: losing any other drive loses nothing.
            s.fail(2);
            a.verify();
            b.verify();
            a.writeSome(50);
            a.verify();
        }
    }

    @Test
    void anIoErrorFailsTheDriveAndTheMirrorServesWithoutError() throws Exception {
        List<DriveEvent> events = new CopyOnWriteArrayList<>();
        PageStoreConfig cfg = StoreFixture.config(dir, 3, 8 << 20);
        try (PageStore s = PageStore.open(cfg)) {
            s.addListener(events::add);
            Model a = new Model(s.createVolume(UUID.randomUUID(), "a", 30L * PAGE), 3);
            a.writeSome(200);
            s.flush();
            // The drive "loses" its data area: reads from it end early with an I/O error.
            long dataOffset = s.drives[0].file.header.dataOffset();
            try (FileChannel ch = FileChannel.open(dir.resolve("d0"), StandardOpenOption.WRITE)) {
                ch.truncate(dataOffset);
            }
            a.verify();
            assertThat(s.drives().get(0).state()).isEqualTo(DriveState.FAILED);
            assertThat(s.drives().get(0).cause()).startsWith("I/O error");
            await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
            assertThat(events.get(0).cause()).contains("ended");
            a.writeSome(100);
            a.verify();
        }
        // The failure was recorded: after a restart d0 stays FAILED and is not even opened.
        try (PageStore s = PageStore.open(cfg)) {
            assertThat(s.drives().get(0).state()).isEqualTo(DriveState.FAILED);
        }
    }

    @Test
    void replaceSwapsInASpareAndTheStoreReopensWithIt() throws Exception {
        PageStoreConfig cfg = StoreFixture.config(dir, 3, 8 << 20).withSpares(List.of(dir.resolve("spare")));
        UUID id = UUID.randomUUID();
        byte[] expect;
        try (PageStore s = PageStore.open(cfg)) {
            Model a = new Model(s.createVolume(id, "a", 30L * PAGE), 4);
            a.writeSome(150);
            s.fail(2);
            s.replace(2);
            awaitOnline(s, 2);
            assertThat(s.drives().get(2).path()).isEqualTo(dir.resolve("spare"));
            s.fail(0);
            a.verify();
            expect = a.bytes.clone();
        }
        assertThat(DriveFile.probe(dir.resolve("spare")).index()).isEqualTo(2);
        try (PageStore s = PageStore.open(cfg)) {
            assertThat(s.drives().get(2).path()).isEqualTo(dir.resolve("spare"));
            assertThat(s.drives().get(2).state()).isEqualTo(DriveState.ONLINE);
            assertThat(StoreFixture.read(s.volume(id).orElseThrow(), 0, expect.length)).isEqualTo(expect);
        }
    }

    @Test
    void aRebuildInterruptedByARestartStartsOverAndCompletes() throws Exception {
        PageStoreConfig slow = StoreFixture.config(dir, 3, 8 << 20).withThrottles(256 << 10, 1L << 40);
        UUID id = UUID.randomUUID();
        byte[] expect;
        try (PageStore s = PageStore.open(slow)) {
            Model a = new Model(s.createVolume(id, "a", 40L * PAGE), 5);
            a.writeSome(300);
            expect = a.bytes.clone();
            s.fail(1);
            s.replace(1);
            assertThat(s.drives().get(1).state()).isEqualTo(DriveState.REBUILDING);
            assertThat(s.drives().get(1).rebuildProgress()).isLessThan(1.0);
        }
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 3, 8 << 20))) {
            assertThat(s.drives().get(1).state()).isIn(DriveState.REBUILDING, DriveState.ONLINE);
            awaitOnline(s, 1);
            s.fail(0);
            assertThat(StoreFixture.read(s.volume(id).orElseThrow(), 0, expect.length)).isEqualTo(expect);
        }
    }

    @Test
    void concurrentWritersSeeNoErrorWhileADriveFailsAndIsRebuilt() throws Exception {
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 4, 16 << 20))) {
            Model[] models = new Model[4];
            for (int i = 0; i < models.length; i++) {
                models[i] = new Model(s.createVolume(UUID.randomUUID(), "v" + i, 24L * PAGE), 10 + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread[] threads = new Thread[models.length];
            for (int i = 0; i < models.length; i++) {
                Model m = models[i];
                threads[i] = new Thread(() -> {
                    try {
                        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        while (!stop.get() && System.nanoTime() < end) {
                            m.writeSome(5);
                            m.verify();
                        }
                    } catch (Throwable t) {
                        error.compareAndSet(null, t);
                    }
                });
                threads[i].start();
            }
            Thread.sleep(300);
            s.fail(3);
            Thread.sleep(300);
            s.replace(3);
            awaitOnline(s, 3);
            s.fail(0);
            Thread.sleep(300);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(error.get()).isNull();
            for (Model m : models) {
                m.verify();
            }
        }
    }

    @Test
    void newPagesKeepTwoCopiesEvenWithOnlyOneHealthyDriveLeft() throws Exception {
        UUID id = UUID.randomUUID();
        try (PageStore s = PageStore.open(StoreFixture.config(dir, 2, 8 << 20))) {
            Model a = new Model(s.createVolume(id, "a", 20L * PAGE), 6);
            s.fail(1);
            a.writeSome(100); // the second copy is reserved on the failed drive
            s.replace(1);
            awaitOnline(s, 1);
            s.fail(0);
            a.verify();
        }
        assertThat(Files.exists(dir.resolve("d1"))).isTrue();
    }
}
