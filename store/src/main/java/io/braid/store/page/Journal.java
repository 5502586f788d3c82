package io.braid.store.page;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The metadata journal (docs/storage.md "Metadata directory", invariant J): segments of
 * checksummed records with consecutive sequence numbers, appended by any thread and made durable
 * by group commit — concurrent {@link #sync} callers share one {@code fdatasync}.
 *
 * <p>Mirrored (docs/storage.md "Metadata mirror"): every record goes to the same segment in each
 * metadata directory, and a sync forces every copy. A copy that fails is dropped with an error in
 * the log and the journal goes on with the others; the next open repairs it from a good copy.
 */
final class Journal implements Closeable {

    static final int SEGMENT_HEADER = 32;
    static final int MAX_BODY = 1 << 20;
    private static final byte[] MAGIC = {'B', 'R', 'A', 'I', 'D', 'J', 'N', 'L'};
    private static final int VERSION = 1;
    private static final String PREFIX = "journal-";
    private static final String SUFFIX = ".log";
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final List<Path> dirs;
    private final Object appendLock = new Object();
    private final Object syncLock = new Object();
    private final FileChannel[] segments; // one per copy, null once that copy failed; replaced
                                          // only under syncLock + appendLock
    private long segmentFirstSeq;
    private long position;            // guarded by appendLock
    private long bytesSinceRotate;    // guarded by appendLock
    private ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private volatile long appendedSeq;
    private volatile long durableSeq;
    private volatile IOException broken;

    /** What replay found: the last sequence number and whether a torn tail was cut off. */
    record Replay(long lastSeq, int records, long truncatedBytes) {
    }

    private Journal(List<Path> dirs, long lastSeq) throws IOException {
        this.dirs = List.copyOf(dirs);
        this.segments = new FileChannel[dirs.size()];
        this.appendedSeq = lastSeq;
        this.durableSeq = lastSeq;
        for (int i = 0; i < segments.length; i++) {
            segments[i] = openSegment(this.dirs.get(i), lastSeq + 1);
        }
        segmentFirstSeq = lastSeq + 1;
        position = SEGMENT_HEADER;
    }

    /** Starts appending after {@code lastSeq} in a new segment in every one of {@code dirs}. */
    static Journal open(List<Path> dirs, long lastSeq) throws IOException {
        return new Journal(dirs, lastSeq);
    }

    /**
     * Drops copy {@code i} after an I/O error; the journal is broken only when no copy is left.
     * Call with appendLock held.
     */
    private void dropCopy(int i, IOException e) throws IOException {
        FileChannel ch = segments[i];
        segments[i] = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
        for (FileChannel c : segments) {
            if (c != null) {
                log.error("page store metadata journal copy in {} failed and is no longer written ({}); the"
                        + " other copy carries on and the next start repairs this one", dirs.get(i), e.toString());
                return;
            }
        }
        broken = e;
        throw e;
    }

    /** The directories whose copy is still written. */
    List<Path> liveDirs() {
        synchronized (appendLock) {
            List<Path> out = new ArrayList<>();
            for (int i = 0; i < segments.length; i++) {
                if (segments[i] != null) {
                    out.add(dirs.get(i));
                }
            }
            return out;
        }
    }

    /** How many copies are still written. */
    int liveCopies() {
        synchronized (appendLock) {
            int n = 0;
            for (FileChannel c : segments) {
                n += c != null ? 1 : 0;
            }
            return n;
        }
    }

    static String segmentName(long firstSeq) {
        return PREFIX + HexFormat.of().toHexDigits(firstSeq) + SUFFIX;
    }

    private static List<Segment> segments(Path dir) throws IOException {
        List<Segment> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String hex = n.substring(PREFIX.length(), n.length() - SUFFIX.length());
                if (hex.length() == 16 && HexFormat.isHexDigit(hex.charAt(0))) {
                    try {
                        out.add(new Segment(p, HexFormat.fromHexDigitsToLong(hex)));
                    } catch (IllegalArgumentException e) {
                        log.warn("ignoring {} in the page store metadata directory", p);
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(Segment::firstSeq));
        return out;
    }

    private record Segment(Path path, long firstSeq) {
    }

    /**
     * Applies, in order, every record after {@code afterSeq}. A record that fails its checks in
     * the last segment ends the journal there: it is the torn tail of appends that were never
     * synced (a crash), and the file is cut at that point. The same in an older segment, which was
     * forced before the next one was created, or a gap in the sequence, is corruption.
     */
    static Replay replay(Path dir, long afterSeq, Consumer<JournalRecord> apply) throws IOException {
        List<Segment> segs = segments(dir);
        long expected = -1;
        long lastSeq = afterSeq;
        int applied = 0;
        long truncated = 0;
        for (int i = 0; i < segs.size(); i++) {
            Segment s = segs.get(i);
            boolean last = i == segs.size() - 1;
            if (i + 1 < segs.size() && segs.get(i + 1).firstSeq() <= afterSeq + 1) {
                continue; // wholly covered by the checkpoint
            }
            if (expected < 0 && s.firstSeq() > afterSeq + 1) {
                throw new MetadataCorruptedException("journal " + s.path() + " starts at record "
                        + s.firstSeq() + " but the checkpoint ends at " + afterSeq + "; records are missing");
            }
            if (expected >= 0 && s.firstSeq() != expected) {
                throw new MetadataCorruptedException("journal " + s.path() + " starts at record "
                        + s.firstSeq() + ", expected " + expected);
            }
            try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = ch.size();
                ByteBuffer head = ByteBuffer.allocate(SEGMENT_HEADER);
                readFully(ch, head, 0);
                if (!validHeader(head, s.firstSeq())) {
                    if (last && size <= SEGMENT_HEADER * 2L) {
                        // Created but its header never reached the disk: an empty segment.
                        log.warn("journal {} has no valid header; treating it as empty", s.path());
                        ch.truncate(0);
                        ch.force(true);
                        Files.delete(s.path());
                        expected = s.firstSeq();
                        continue;
                    }
                    throw new MetadataCorruptedException("journal " + s.path() + " has a damaged header");
                }
                long pos = SEGMENT_HEADER;
                long seq = s.firstSeq();
                ByteBuffer frame = ByteBuffer.allocate(8);
                while (pos < size) {
                    String problem = null;
                    JournalRecord r = null;
                    int len = 0;
                    if (size - pos < 8) {
                        problem = "a partial record frame";
                    } else {
                        readFully(ch, frame.clear(), pos);
                        len = frame.getInt(0);
                        int crc = frame.getInt(4);
                        if (len < 9 || len > MAX_BODY || len > size - pos - 8) {
                            problem = "a record length of " + len;
                        } else {
                            ByteBuffer body = ByteBuffer.allocate(len);
                            readFully(ch, body, pos + 8);
                            CRC32C c = new CRC32C();
                            c.update(body.array(), 0, len);
                            if ((int) c.getValue() != crc) {
                                problem = "a record checksum mismatch";
                            } else if (body.getLong(0) != seq) {
                                problem = "record " + body.getLong(0) + " where " + seq + " was expected";
                            } else {
                                try {
                                    r = JournalRecord.decode(body.position(8));
                                } catch (IllegalArgumentException e) {
                                    problem = e.getMessage();
                                }
                            }
                        }
                    }
                    if (problem != null) {
                        if (!last) {
                            throw new MetadataCorruptedException("journal " + s.path() + " has " + problem
                                    + " at offset " + pos + ", in a segment that was made durable");
                        }
                        log.warn("journal {}: {} at offset {}; cutting off the {} bytes that follow"
                                + " (writes that were never synced)", s.path(), problem, pos, size - pos);
                        truncated = size - pos;
                        ch.truncate(pos);
                        ch.force(true);
                        break;
                    }
                    if (seq > afterSeq) {
                        apply.accept(r);
                        applied++;
                        lastSeq = seq;
                    }
                    seq++;
                    pos += 8 + len;
                }
                expected = seq;
            }
        }
        return new Replay(lastSeq, applied, truncated);
    }

    private static boolean validHeader(ByteBuffer h, long firstSeq) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (h.get(i) != MAGIC[i]) {
                return false;
            }
        }
        CRC32C c = new CRC32C();
        c.update(h.array(), 0, 24);
        return h.getInt(8) == VERSION && h.getLong(16) == firstSeq && h.getInt(24) == (int) c.getValue();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long start = pos - b.position();
        while (b.hasRemaining()) {
            if (ch.read(b, start + b.position()) < 0) {
                throw new java.io.EOFException("journal ended early");
            }
        }
    }

    private static FileChannel openSegment(Path dir, long firstSeq) throws IOException {
        Path p = dir.resolve(segmentName(firstSeq));
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer h = ByteBuffer.allocate(SEGMENT_HEADER);
            h.put(MAGIC).putInt(VERSION).putInt(0).putLong(firstSeq);
            CRC32C c = new CRC32C();
            c.update(h.array(), 0, 24);
            h.putInt((int) c.getValue()).putInt(0).flip();
            while (h.hasRemaining()) {
                ch.write(h, h.position());
            }
            ch.force(true);
            Checkpoint.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /**
     * Appends a record and returns its sequence number; durable only after {@link #sync}.
     *
     * @throws IOException when the journal failed before (the store can no longer change metadata)
     */
    long append(JournalRecord r) throws IOException {
        synchronized (appendLock) {
            IOException b = broken;
            if (b != null) {
                throw new IOException("page store metadata journal failed earlier: " + b.getMessage(), b);
            }
            long seq = appendedSeq + 1;
            int need = 8 + 9 + JournalRecord.maxSize(r);
            if (buffer.capacity() < need) {
                buffer = ByteBuffer.allocate(Math.max(need, buffer.capacity() * 2));
            }
            ByteBuffer buf = buffer.clear();
            buf.position(8);
            buf.putLong(seq);
            JournalRecord.encode(r, buf);
            int len = buf.position() - 8;
            CRC32C c = new CRC32C();
            c.update(buf.array(), 8, len);
            buf.putInt(0, len).putInt(4, (int) c.getValue());
            buf.flip();
            for (int i = 0; i < segments.length; i++) {
                FileChannel segment = segments[i];
                if (segment == null) {
                    continue;
                }
                buf.position(0);
                try {
                    while (buf.hasRemaining()) {
                        segment.write(buf, position + buf.position());
                    }
                } catch (IOException e) {
                    dropCopy(i, e);
                }
            }
            position += buf.limit();
            bytesSinceRotate += buf.limit();
            appendedSeq = seq;
            return seq;
        }
    }

    /** Makes every record up to {@code seq} durable, sharing the sync with concurrent callers. */
    void sync(long seq) throws IOException {
        if (durableSeq >= seq) {
            return;
        }
        synchronized (syncLock) {
            if (durableSeq >= seq) {
                return;
            }
            IOException b = broken;
            if (b != null) {
                throw new IOException("page store metadata journal failed earlier: " + b.getMessage(), b);
            }
            long target;
            FileChannel[] copies;
            synchronized (appendLock) {
                target = appendedSeq;
                copies = segments.clone();
            }
            for (int i = 0; i < copies.length; i++) {
                if (copies[i] == null) {
                    continue;
                }
                try {
                    copies[i].force(false);
                } catch (IOException e) {
                    synchronized (appendLock) {
                        if (segments[i] == copies[i]) {
                            dropCopy(i, e);
                        }
                    }
                }
            }
            durableSeq = target;
        }
    }

    /** Makes everything appended so far durable. */
    void syncAll() throws IOException {
        sync(appendedSeq);
    }

    long lastSeq() {
        return appendedSeq;
    }

    long bytesSinceRotate() {
        synchronized (appendLock) {
            return bytesSinceRotate;
        }
    }

    /**
     * Forces the current segment and starts a new one; returns the last sequence number in the
     * old segments. Called with the store's metadata lock held, so nothing is appended meanwhile.
     */
    long rotate() throws IOException {
        synchronized (syncLock) {
            synchronized (appendLock) {
                IOException b = broken;
                if (b != null) {
                    throw new IOException("page store metadata journal failed earlier: " + b.getMessage(), b);
                }
                for (int i = 0; i < segments.length; i++) {
                    FileChannel segment = segments[i];
                    if (segment == null) {
                        continue;
                    }
                    try {
                        segment.force(false);
                        segment.close();
                        segments[i] = openSegment(dirs.get(i), appendedSeq + 1);
                    } catch (IOException e) {
                        dropCopy(i, e);
                    }
                }
                durableSeq = appendedSeq;
                segmentFirstSeq = appendedSeq + 1;
                position = SEGMENT_HEADER;
                bytesSinceRotate = 0;
                return appendedSeq;
            }
        }
    }

    /** Deletes the segments before the current one (after a checkpoint made them redundant). */
    void deleteOldSegments() throws IOException {
        long current;
        synchronized (appendLock) {
            current = segmentFirstSeq;
        }
        for (Path dir : dirs) {
            for (Segment s : segments(dir)) {
                if (s.firstSeq() < current) {
                    Files.deleteIfExists(s.path());
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (syncLock) {
            synchronized (appendLock) {
                IOException failure = null;
                for (FileChannel segment : segments) {
                    if (segment == null || !segment.isOpen()) {
                        continue;
                    }
                    try {
                        if (broken == null) {
                            segment.force(false);
                        }
                    } catch (IOException e) {
                        failure = e;
                    } finally {
                        segment.close();
                    }
                }
                if (failure != null) {
                    throw failure;
                }
                if (broken == null) {
                    durableSeq = appendedSeq;
                }
            }
        }
    }
}
