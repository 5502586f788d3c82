package io.braid.store.page;

import io.braid.store.ReopeningChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * One opened drive: positional data I/O on its slots and its memory-mapped checksum words
 * (docs/storage.md "Drive"). Safe for concurrent use; knows nothing of pages or volumes.
 *
 * <p>The channel is a {@link ReopeningChannel}: one interrupted worker does not look like a failed
 * drive.
 */
final class DriveFile implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(DriveFile.class);
    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.BIG_ENDIAN);
    private static final int MAP_CHUNK_BITS = 30;
    private static final int ZERO_CHUNK = 1 << 20;

    final Path path;
    final DriveHeader header;
    private final long checksumBytesPerSlot;
    private final MappedByteBuffer[] words;
    private final byte[] zeroSlot;
    private final ReopeningChannel io;

    private DriveFile(Path path, FileChannel channel, DriveHeader header) throws IOException {
        this.path = path;
        this.io = new ReopeningChannel("drive " + path, channel, () -> {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                lockOrFail(ch, path);
                return ch;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        });
        this.header = header;
        this.checksumBytesPerSlot = header.checksumBytesPerSlot();
        this.zeroSlot = new byte[(int) checksumBytesPerSlot];
        long total = header.slots() * checksumBytesPerSlot;
        int chunks = (int) ((total + (1L << MAP_CHUNK_BITS) - 1) >>> MAP_CHUNK_BITS);
        words = new MappedByteBuffer[chunks];
        for (int i = 0; i < chunks; i++) {
            long at = (long) i << MAP_CHUNK_BITS;
            long len = Math.min(1L << MAP_CHUNK_BITS, total - at);
            words[i] = channel.map(FileChannel.MapMode.READ_WRITE, header.checksumOffset() + at, len);
        }
    }

    /**
     * The intact header of the drive at {@code path}, or null when it has none (not a Braid
     * drive, or never completely formatted).
     */
    static DriveHeader probe(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(ch);
        }
    }

    private static DriveHeader readHeader(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(DriveHeader.SIZE * 2);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) < 0) {
                break;
            }
        }
        if (b.position() < DriveHeader.SIZE) {
            return null;
        }
        DriveHeader first = DriveHeader.decode(b.duplicate().position(0).limit(DriveHeader.SIZE).slice());
        if (first != null || b.position() < DriveHeader.SIZE * 2) {
            return first;
        }
        return DriveHeader.decode(b.duplicate().position(DriveHeader.SIZE).limit(DriveHeader.SIZE * 2).slice());
    }

    /**
     * Formats the drive at {@code path} (created sparse with {@code createBytes} when missing):
     * a new drive UUID, zeroed checksum words, then the two header copies, all forced to stable
     * storage before this returns. The header goes last, so a drive interrupted while being
     * formatted has no header and is formatted again.
     *
     * @param maxSlots the most slots to use (0 = as many as fit)
     */
    static DriveFile format(Path path, long createBytes, UUID storeId, int index, int pageSize,
                            long maxSlots) throws IOException {
        boolean fresh = false;
        if (!Files.exists(path)) {
            if (createBytes <= 0) {
                throw new DriveIdentityException("drive " + PageStore.driveName(index) + " at "
                        + path + " does not exist");
            }
            Files.createDirectories(path.toAbsolutePath().getParent());
            // setLength is ftruncate: the file is all hole, reads as zeroes and costs no space.
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                raf.setLength(createBytes);
            }
            fresh = true;
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            lockOrFail(ch, path);
            long size = size(path, ch);
            DriveHeader h;
            try {
                h = DriveHeader.layout(UUID.randomUUID(), storeId, index, pageSize, size,
                        System.currentTimeMillis());
            } catch (IllegalArgumentException e) {
                throw new DriveIdentityException("drive " + PageStore.driveName(index) + " at " + path
                        + ": " + e.getMessage());
            }
            if (maxSlots > 0 && h.slots() > maxSlots) {
                h = new DriveHeader(h.driveId(), h.storeId(), h.index(), h.pageSize(), h.driveBytes(),
                        maxSlots, h.checksumOffset(), h.dataOffset(), h.formattedAtMillis());
            }
            // Destroy an old header first, so that a format interrupted halfway never leaves the
            // old identity in front of half-zeroed checksum words.
            writeFully(ch, ByteBuffer.allocate(DriveHeader.SIZE * 2), 0);
            if (!fresh) {
                zero(ch, h.checksumOffset(), h.slots() * h.checksumBytesPerSlot());
            }
            ch.force(false);
            ByteBuffer hb = h.encode();
            writeFully(ch, hb.duplicate(), 0);
            writeFully(ch, hb.duplicate(), DriveHeader.SIZE);
            ch.force(true);
            log.info("formatted drive {} at {}: {} slots of {} KiB, id {}", PageStore.driveName(index),
                    path, h.slots(), pageSize >> 10, h.driveId());
            return new DriveFile(path, ch, h);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens a drive that the store's metadata knows, checking that it carries the expected
     * identity.
     *
     * @throws DriveIdentityException when missing, without header, or another drive
     */
    static DriveFile open(Path path, int index, UUID expectedDrive, UUID expectedStore, int pageSize,
                          long slots) throws IOException {
        String name = PageStore.driveName(index);
        if (!Files.exists(path)) {
            throw new DriveIdentityException("drive " + name + " at " + path + " is missing"
                    + " (expected drive " + expectedDrive + ")");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            lockOrFail(ch, path);
            DriveHeader h;
            try {
                h = readHeader(ch);
            } catch (IllegalArgumentException e) {
                throw new DriveIdentityException("drive " + name + " at " + path + ": " + e.getMessage());
            }
            if (h == null) {
                throw new DriveIdentityException("drive " + name + " at " + path
                        + " has no Braid drive header (expected drive " + expectedDrive
                        + "); was it swapped or overwritten?");
            }
            if (!h.storeId().equals(expectedStore)) {
                throw new DriveIdentityException("drive " + name + " at " + path
                        + " belongs to another page store (" + h.storeId() + ", expected "
                        + expectedStore + ")");
            }
            if (!h.driveId().equals(expectedDrive)) {
                throw new DriveIdentityException("drive " + name + " at " + path + " is drive "
                        + h.driveId() + ", expected " + expectedDrive
                        + "; was it swapped or reformatted?");
            }
            if (h.pageSize() != pageSize || h.slots() < slots) {
                throw new DriveIdentityException("drive " + name + " at " + path + " has page size "
                        + h.pageSize() + " and " + h.slots() + " slots, expected " + pageSize
                        + " and at least " + slots);
            }
            if (h.slots() > slots) {
                h = new DriveHeader(h.driveId(), h.storeId(), h.index(), h.pageSize(), h.driveBytes(),
                        slots, h.checksumOffset(), h.dataOffset(), h.formattedAtMillis());
            }
            return new DriveFile(path, ch, h);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The size of a drive: the file's length, or for a block device (whose {@code st_size}, and so
     * {@link FileChannel#size()}, is 0) the kernel's sector count in
     * {@code /sys/class/block/<dev>/size} (512-byte sectors whatever the logical block size; the
     * same number {@code BLKGETSIZE64} reports, divided by 512).
     */
    static long size(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > 0 || Files.isRegularFile(path)) {
            return size;
        }
        Path dev = path.toRealPath(); // /dev/disk/by-id/... links resolve to /dev/sdX
        Path sys = Path.of("/sys/class/block", dev.getFileName().toString(), "size");
        if (!Files.isReadable(sys)) {
            throw new IOException("drive " + path + " is neither a regular file nor a block device with a size in "
                    + sys);
        }
        String text = Files.readString(sys).trim();
        try {
            return Math.multiplyExact(Long.parseLong(text), 512L);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IOException("drive " + path + ": " + sys + " holds \"" + text + "\", not a sector count", e);
        }
    }

    private static FileLock lockOrFail(FileChannel ch, Path path) throws IOException {
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new IOException("drive " + path + " is in use by another process");
            }
            return l;
        } catch (OverlappingFileLockException e) {
            throw new IOException("drive " + path + " is already open in this process", e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long start = pos - b.position();
        while (b.hasRemaining()) {
            ch.write(b, start + b.position());
        }
    }

    private static void zero(FileChannel ch, long pos, long len) throws IOException {
        ByteBuffer z = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, Math.max(len, 1)));
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(z.capacity(), len - done);
            writeFully(ch, z.clear().limit(n), pos + done);
            done += n;
        }
    }

    long slots() {
        return header.slots();
    }

    UUID id() {
        return header.driveId();
    }

    private long dataPosition(long slot, long offsetInSlot) {
        return header.dataOffset() + slot * header.pageSize() + offsetInSlot;
    }

    /** Reads {@code dst.remaining()} bytes of a slot starting {@code offsetInSlot} into it. */
    void read(long slot, long offsetInSlot, ByteBuffer dst) throws IOException {
        long pos = dataPosition(slot, offsetInSlot) - dst.position();
        try {
            // The first call goes straight to the channel (no lambda on the hot path); a short
            // read or a channel closed by an interrupt continues through withChannel.
            if (dst.hasRemaining() && tryRead(dst, pos) < 0) {
                throw new EOFException("drive " + path + " ended at " + (pos + dst.position())
                        + "; was it truncated?");
            }
            while (dst.hasRemaining()) {
                int n = withChannel(ch -> ch.read(dst, pos + dst.position()));
                if (n < 0) {
                    throw new EOFException("drive " + path + " ended at " + (pos + dst.position())
                            + "; was it truncated?");
                }
            }
        } catch (ClosedByInterruptException e) {
            throw e;
        } catch (IOException e) {
            throw new DriveIOException(this, e);
        }
    }

    /** Writes {@code src.remaining()} bytes into a slot starting {@code offsetInSlot}. */
    void write(long slot, long offsetInSlot, ByteBuffer src) throws IOException {
        long pos = dataPosition(slot, offsetInSlot) - src.position();
        try {
            if (src.hasRemaining()) {
                tryWrite(src, pos);
            }
            while (src.hasRemaining()) {
                withChannel(ch -> ch.write(src, pos + src.position()));
            }
        } catch (ClosedByInterruptException e) {
            throw e;
        } catch (IOException e) {
            throw new DriveIOException(this, e);
        }
    }

    /** The checksum word of one unit of a slot (0 = never written). */
    int word(long slot, int unit) throws IOException {
        long at = slot * checksumBytesPerSlot + unit * 4L;
        try {
            return (int) WORD.getAcquire(words[(int) (at >>> MAP_CHUNK_BITS)],
                    (int) (at & ((1L << MAP_CHUNK_BITS) - 1)));
        } catch (InternalError e) {
            throw new DriveIOException(this, new IOException("checksum area unreadable: " + e.getMessage(), e));
        }
    }

    void setWord(long slot, int unit, int value) throws IOException {
        long at = slot * checksumBytesPerSlot + unit * 4L;
        try {
            WORD.setRelease(words[(int) (at >>> MAP_CHUNK_BITS)],
                    (int) (at & ((1L << MAP_CHUNK_BITS) - 1)), value);
        } catch (InternalError e) {
            throw new DriveIOException(this, new IOException("checksum area unwritable: " + e.getMessage(), e));
        }
    }

    /** Marks every unit of a slot unwritten. */
    void zeroWords(long slot) throws IOException {
        long at = slot * checksumBytesPerSlot;
        try {
            // A slot's words never straddle two mappings: both sizes are powers of two.
            words[(int) (at >>> MAP_CHUNK_BITS)].put((int) (at & ((1L << MAP_CHUNK_BITS) - 1)), zeroSlot, 0,
                    zeroSlot.length);
            VarHandle.releaseFence();
        } catch (InternalError e) {
            throw new DriveIOException(this, new IOException("checksum area unwritable: " + e.getMessage(), e));
        }
    }

    /** fdatasync: the data and the mapped checksum words written so far reach stable storage. */
    void sync() throws IOException {
        try {
            withChannel(ch -> {
                ch.force(false);
                return 0;
            });
        } catch (ClosedByInterruptException e) {
            throw e;
        } catch (IOException e) {
            throw new DriveIOException(this, e);
        }
    }

    @Override
    public void close() throws IOException {
        io.close(); // releases the lock; the mappings go with the garbage collector
    }

    boolean isClosed() {
        return io.isClosed();
    }

    /** One read on the current channel; 0 (retry through withChannel) when it was closed meanwhile. */
    private int tryRead(ByteBuffer dst, long pos) throws IOException {
        FileChannel ch = io.channel();
        try {
            return ch.read(dst, pos + dst.position());
        } catch (ClosedChannelException e) {
            io.reopened(ch, e);
            return 0; // retried through withChannel, which tells a reopened channel from a closed drive
        }
    }

    private void tryWrite(ByteBuffer src, long pos) throws IOException {
        FileChannel ch = io.channel();
        try {
            ch.write(src, pos + src.position());
        } catch (ClosedChannelException e) {
            io.reopened(ch, e);
        }
    }

    private int withChannel(ReopeningChannel.ChannelOp op) throws IOException {
        return io.apply(op);
    }

    @Override
    public String toString() {
        return "DriveFile[" + path + ", " + header.driveId() + "]";
    }
}
