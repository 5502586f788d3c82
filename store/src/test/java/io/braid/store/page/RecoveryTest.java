package io.braid.store.page;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecoveryTest {
    @TempDir
    Path dir;

    private PageStoreConfig cfg() {
        return StoreFixture.config(dir, 3, 8 << 20);
    }

    /** The last journal segment in both metadata copies (a power loss tears both alike). */
    private List<Path> lastSegments() throws IOException {
        List<Path> out = new java.util.ArrayList<>();
        for (String m : List.of("meta", "meta-mirror")) {
            try (Stream<Path> s = Files.list(dir.resolve(m))) {
                out.add(s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted()
                        .reduce((a, b) -> b).orElseThrow());
            }
        }
        return out;
    }

    @Test
    void aCrashLosesNothingThatWasWrittenAndTheCopiesAgree() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] data = StoreFixture.pattern(1, 6 * PAGE).array();
        PageStore s = PageStore.open(cfg());
        PageVolume v = s.createVolume(id, "v", 8L * PAGE);
        v.write(0, ByteBuffer.wrap(data), false); // never flushed: only the page cache has it
        StoreFixture.crash(s);
        try (PageStore r = PageStore.open(cfg())) {
            PageVolume rv = r.volume(id).orElseThrow();
            assertThat(StoreFixture.read(rv, 0, 6 * PAGE)).isEqualTo(data);
            assertThat(rv.allocatedBytes()).isEqualTo(6L * PAGE);
            assertThat(rv.dirty.isEmpty()).isTrue();
        }
    }

    @Test
    void recoveryMakesATornWriteConsistentInsteadOfReportingAnError() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] data = StoreFixture.pattern(2, 4 * PAGE).array();
        PageStore s = PageStore.open(cfg());
        PageVolume v = s.createVolume(id, "v", 4L * PAGE);
        v.write(0, ByteBuffer.wrap(data), true);
        // A crash in the middle of an overwrite: unit 3 of page 1 got new data on copy 0 only,
        // unit 5 of page 2 new data on both copies but no new checksum words, and for unit 7
        // of page 3 copy 1 has data and word of a newer write that never reached copy 0.
        byte[] newer = StoreFixture.pattern(3, 4096).array();
        long a = PAGE + 3 * 4096;
        StoreFixture.scribble(StoreFixture.drivePath(s, v, a, 0), StoreFixture.filePosition(s, v, a, 0), newer);
        long b = 2L * PAGE + 5 * 4096;
        for (int k = 0; k < 2; k++) {
            StoreFixture.scribble(StoreFixture.drivePath(s, v, b, k), StoreFixture.filePosition(s, v, b, k), newer);
        }
        long c = 3L * PAGE + 7 * 4096;
        StoreFixture.scribble(StoreFixture.drivePath(s, v, c, 1), StoreFixture.filePosition(s, v, c, 1), newer);
        long copies = v.table.copies(3);
        s.drives[Copies.drive(copies, 1)].file.setWord(Copies.slot(copies, 1), 7,
                PageStore.checksum(ByteBuffer.wrap(newer), 0));
        StoreFixture.crash(s);

        byte[] expect = data.clone();
        System.arraycopy(newer, 0, expect, (int) b, 4096); // copy 0 as it is wins a torn unit
        try (PageStore r = PageStore.open(cfg())) {
            PageVolume rv = r.volume(id).orElseThrow();
            assertThat(StoreFixture.read(rv, 0, 4 * PAGE)).isEqualTo(expect);
            // Both copies now hold the same bytes and verify.
            for (long at : new long[]{a, b, c}) {
                byte[] c0 = StoreFixture.fileBytes(StoreFixture.drivePath(r, rv, at, 0), StoreFixture.filePosition(r, rv, at, 0), 4096);
                byte[] c1 = StoreFixture.fileBytes(StoreFixture.drivePath(r, rv, at, 1), StoreFixture.filePosition(r, rv, at, 1), 4096);
                assertThat(c0).isEqualTo(c1).isEqualTo(java.util.Arrays.copyOfRange(expect, (int) at, (int) at + 4096));
            }
            TaskProgress scrub = r.startScrub();
            org.awaitility.Awaitility.await().until(() -> r.scrubProgress().orElseThrow().state() == TaskProgress.State.DONE);
            assertThat(r.scrubProgress().orElseThrow().repaired()).isZero();
            assertThat(r.scrubProgress().orElseThrow().unrecoverable()).isZero();
            assertThat(scrub.pagesTotal()).isEqualTo(4);
        }
    }

    @Test
    void onACleanPageTheSameDamageIsAnErrorNotSilentlyAccepted() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] data = StoreFixture.pattern(4, PAGE).array();
        PageStore s = PageStore.open(cfg());
        PageVolume v = s.createVolume(id, "v", PAGE);
        v.write(0, ByteBuffer.wrap(data), false);
        StoreFixture.cleanIdle(s);
        assertThat(v.dirty.isEmpty()).isTrue();
        for (int k = 0; k < 2; k++) {
            StoreFixture.scribble(StoreFixture.drivePath(s, v, 0, k), StoreFixture.filePosition(s, v, 0, k), new byte[]{1, 2});
        }
        StoreFixture.crash(s);
        try (PageStore r = PageStore.open(cfg())) {
            assertThatThrownBy(() -> StoreFixture.read(r.volume(id).orElseThrow(), 0, 4096))
                    .hasMessageContaining("unrecoverable read error");
        }
    }

    @Test
    void aTornJournalTailIsCutOffAndTheStoreStaysConsistent() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] data = StoreFixture.pattern(5, 4 * PAGE).array();
        PageStore s = PageStore.open(cfg());
        PageVolume v = s.createVolume(id, "v", 4L * PAGE);
        v.write(0, ByteBuffer.wrap(data), true);
        v.unmap(PAGE, PAGE); // its PageFreed record is the journal's last, never synced
        StoreFixture.crash(s);
        for (Path seg : lastSegments()) {
            long size = Files.size(seg);
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                ch.truncate(size - 5);
            }
        }
        try (PageStore r = PageStore.open(cfg())) {
            PageVolume rv = r.volume(id).orElseThrow();
            // The unmap was lost with the torn record; its zeroed words still made it to the drives.
            assertThat(rv.allocatedBytes()).isEqualTo(4L * PAGE);
            assertThat(StoreFixture.read(rv, PAGE, PAGE)).containsOnly(0);
            assertThat(StoreFixture.read(rv, 0, PAGE)).isEqualTo(java.util.Arrays.copyOf(data, PAGE));
            assertThat(StoreFixture.read(rv, 2L * PAGE, 2 * PAGE))
                    .isEqualTo(java.util.Arrays.copyOfRange(data, 2 * PAGE, 4 * PAGE));
            assertThat(r.usedBytes()).isEqualTo(2 * rv.allocatedBytes());
            rv.write(PAGE, ByteBuffer.wrap(data, PAGE, PAGE), false);
            assertThat(StoreFixture.read(rv, 0, 4 * PAGE)).isEqualTo(data);
        }
    }

    @Test
    void aCorruptedLastRecordIsDroppedLikeATornOne() throws Exception {
        UUID id = UUID.randomUUID();
        PageStore s = PageStore.open(cfg());
        PageVolume v = s.createVolume(id, "v", 4L * PAGE);
        v.write(0, StoreFixture.pattern(6, 4 * PAGE), true);
        v.unmap(3L * PAGE, PAGE);
        StoreFixture.crash(s);
        for (Path seg : lastSegments()) {
            StoreFixture.scribble(seg, Files.size(seg) - 3, new byte[]{0x7f});
        }
        try (PageStore r = PageStore.open(cfg())) {
            PageVolume rv = r.volume(id).orElseThrow();
            assertThat(rv.allocatedBytes()).isEqualTo(4L * PAGE);
            assertThat(StoreFixture.read(rv, 0, 3 * PAGE))
                    .isEqualTo(java.util.Arrays.copyOf(StoreFixture.pattern(6, 4 * PAGE).array(), 3 * PAGE));
        }
        // The cut was made durable: the next open finds a clean journal.
        try (PageStore r = PageStore.open(cfg())) {
            assertThat(r.volume(id)).isPresent();
        }
    }

    @Test
    void freedSlotsAreBlankedAgainAfterACrashSoOldDataNeverResurfaces() throws Exception {
        UUID id = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        PageStore s = PageStore.open(cfg());
        PageVolume v = s.createVolume(id, "v", 8L * PAGE);
        s.createVolume(other, "other", 8L * PAGE);
        v.write(0, StoreFixture.pattern(7, 8 * PAGE), true);
        // Remember the checksum words, free everything, and make the PageFreed records durable...
        long[] copies = new long[8];
        byte[][] words = new byte[8][];
        for (int p = 0; p < 8; p++) {
            copies[p] = v.table.copies(p);
            words[p] = wordsOf(s, copies[p]);
        }
        v.unmap(0, 8L * PAGE);
        s.flush();
        StoreFixture.crash(s);
        // ...but pretend the blank words never reached the drives.
        for (int p = 0; p < 8; p++) {
            restoreWords(copies[p], words[p]);
        }
        try (PageStore r = PageStore.open(cfg())) {
            PageVolume o = r.volume(other).orElseThrow();
            o.write(0, ByteBuffer.wrap(new byte[512]), false);
            o.write(4L * PAGE, ByteBuffer.wrap(new byte[512]), false);
            assertThat(StoreFixture.read(o, 0, 8 * PAGE)).containsOnly(0);
            assertThat(StoreFixture.read(r.volume(id).orElseThrow(), 0, 8 * PAGE)).containsOnly(0);
        }
    }

    private byte[] wordsOf(PageStore s, long c) throws IOException {
        Path f = dir.resolve("d" + Copies.drive(c, 0));
        long pos = DriveHeader.CHECKSUM_OFFSET + Copies.slot(c, 0) * (PAGE / 4096 * 4);
        return StoreFixture.fileBytes(f, pos, PAGE / 4096 * 4);
    }

    private void restoreWords(long c, byte[] w) throws IOException {
        for (int k = 0; k < 2; k++) {
            Path f = dir.resolve("d" + Copies.drive(c, k));
            StoreFixture.scribble(f, DriveHeader.CHECKSUM_OFFSET + Copies.slot(c, k) * (PAGE / 4096 * 4), w);
        }
    }

    @Test
    void aCheckpointDamagedInBothCopiesStopsTheOpen() throws Exception {
        try (PageStore s = PageStore.open(cfg())) {
            s.createVolume(UUID.randomUUID(), "v", PAGE);
        }
        for (String m : List.of("meta", "meta-mirror")) {
            Path cp = dir.resolve(m).resolve("checkpoint");
            StoreFixture.scribble(cp, Files.size(cp) / 2, new byte[]{0x11, 0x22});
        }
        assertThatThrownBy(() -> PageStore.open(cfg()))
                .isInstanceOf(MetadataCorruptedException.class)
                .hasMessageContaining("checkpoint");
    }

    @Test
    void aRecordThatContradictsTheMetadataStopsTheOpen() throws Exception {
        PageStore s = PageStore.open(cfg());
        s.createVolume(UUID.randomUUID(), "v", PAGE);
        StoreFixture.crash(s);
        Path meta = dir.resolve("meta");
        long last = Journal.replay(meta, Checkpoint.read(meta).lastSeq(), r -> { }).lastSeq();
        try (Journal j = Journal.open(List.of(meta, dir.resolve("meta-mirror")), last)) {
            j.append(new JournalRecord.PageFreed(99, 0));
            j.syncAll();
        }
        assertThatThrownBy(() -> PageStore.open(cfg()))
                .isInstanceOf(MetadataCorruptedException.class)
                .hasMessage("journal names unknown volume 99");
    }

    @Test
    void journalRecordsRoundTrip() {
        List<JournalRecord> all = List.of(
                new JournalRecord.VolumeCreated(3, UUID.randomUUID(), "vol-ü", 1 << 30, 12345),
                new JournalRecord.VolumeResized(3, 2L << 30),
                new JournalRecord.VolumeDeleted(3),
                new JournalRecord.PageAllocated(3, 77, Copies.of(0, 5, 2, 9)),
                new JournalRecord.PageFreed(3, 77),
                new JournalRecord.DriveAdded(4, UUID.randomUUID(), "/dev/sdx", 1000),
                new JournalRecord.DriveStateChanged(4, DriveState.FAILED, "I/O error"),
                new JournalRecord.DriveReplaced(4, UUID.randomUUID(), "/srv/spare", 1000));
        for (JournalRecord r : all) {
            ByteBuffer b = ByteBuffer.allocate(JournalRecord.maxSize(r));
            JournalRecord.encode(r, b);
            assertThat(JournalRecord.decode(b.flip())).isEqualTo(r);
        }
        ByteBuffer b = ByteBuffer.allocate(64);
        JournalRecord.encode(new JournalRecord.PagesDirty(1, new long[]{4, 5}), b);
        assertThat(((JournalRecord.PagesDirty) JournalRecord.decode(b.flip())).pages()).containsExactly(4, 5);
        assertThatThrownBy(() -> JournalRecord.decode(ByteBuffer.wrap(new byte[]{42})))
                .hasMessageContaining("unknown journal record type 42");
        assertThatThrownBy(() -> JournalRecord.decode(ByteBuffer.wrap(new byte[]{2, 0, 0})))
                .hasMessageContaining("truncated");
    }
}
