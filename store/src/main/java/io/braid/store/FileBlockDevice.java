package io.braid.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A {@link BlockDevice} backed by one regular file (the LIO {@code fileio} backstore model): 512-byte
 * blocks, positional {@link FileChannel} I/O from any number of threads, {@link #flush()} and FUA
 * writes made durable with {@code fdatasync} ({@link FileChannel#force force(false)}).
 *
 * <p>A missing file is created sparse at the requested size (written under a temporary name and
 * renamed, so a crash never leaves a half-created volume behind); an existing file must have exactly
 * that size. The file is locked while open so that two processes never serve the same volume.
 *
 * <p>A {@link FileChannel} is closed for every thread when one thread blocked in it is interrupted.
 * So that one interrupted worker cannot take a volume offline, the channel is reopened (and the lock
 * taken again) after such a close; the interrupted caller still gets its exception, the others retry.
 */
public final class FileBlockDevice implements BlockDevice {

    /** Logical block size of every file volume. */
    public static final int BLOCK_SIZE = 512;

    private static final Logger log = LoggerFactory.getLogger(FileBlockDevice.class);

    private final Path path;
    private final long sizeBytes;
    private final boolean readOnly;
    private final ReopeningChannel io;

    private FileBlockDevice(Path path, long sizeBytes, boolean readOnly) throws IOException {
        this.path = path;
        this.sizeBytes = sizeBytes;
        this.readOnly = readOnly;
        this.io = new ReopeningChannel("volume file " + path, openChannel(), this::openChannel);
    }

    /**
     * Opens the volume file at {@code path} for reading and writing, creating it sparse with
     * {@code sizeBytes} if it does not exist.
     *
     * @throws IOException if the file exists with another size, is locked by another process,
     *                     or cannot be created
     */
    public static FileBlockDevice open(Path path, long sizeBytes) throws IOException {
        return open(path, sizeBytes, false);
    }

    /**
     * Opens the volume file at {@code path}; a read-only open never creates the file.
     *
     * @throws IllegalArgumentException if {@code sizeBytes} is not a positive multiple of 512
     */
    public static FileBlockDevice open(Path path, long sizeBytes, boolean readOnly) throws IOException {
        Objects.requireNonNull(path, "path");
        if (sizeBytes <= 0 || sizeBytes % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("volume size " + sizeBytes
                    + " bytes is not a positive multiple of " + BLOCK_SIZE);
        }
        if (!Files.exists(path)) {
            if (readOnly) {
                throw new NoSuchFileException(path.toString(), null, "read-only volume file does not exist");
            }
            createSparse(path, sizeBytes);
        }
        long actual = Files.size(path);
        if (actual != sizeBytes) {
            throw new IOException("volume file " + path + " has " + actual + " bytes, expected " + sizeBytes);
        }
        return new FileBlockDevice(path, sizeBytes, readOnly);
    }

    private static void createSparse(Path path, long sizeBytes) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName() + ".", ".new");
        try {
            // setLength is ftruncate: the file is all hole, reads as zeroes and costs no space.
            try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
                raf.setLength(sizeBytes);
                raf.getChannel().force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path);
            }
        } catch (FileAlreadyExistsException e) {
            // Another opener created it first; the size check that follows decides.
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
        log.info("created sparse volume file {} ({} bytes)", path, sizeBytes);
    }

    /** Makes the new directory entry durable; without it a crash could lose the created file. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open or sync directories; the rename itself succeeded.
            log.debug("could not sync directory {}: {}", dir, e.toString());
        }
    }

    private FileChannel openChannel() throws IOException {
        FileChannel ch = readOnly
                ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, readOnly);
            if (l == null) {
                throw new IOException("volume file " + path + " is in use by another process");
            }
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new IOException("volume file " + path + " is already open in this process", e);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** The file behind this device. */
    public Path path() {
        return path;
    }

    @Override
    public int blockSize() {
        return BLOCK_SIZE;
    }

    @Override
    public long blockCount() {
        return sizeBytes / BLOCK_SIZE;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        int start = dst.position();
        while (dst.hasRemaining()) {
            // The position is recomputed from the buffer on every attempt, so a retry after a
            // reopen resumes exactly where the last completed transfer stopped.
            int n = withChannel(ch -> ch.read(dst, offset + dst.position() - start));
            if (n < 0) {
                throw new EOFException("volume file " + path + " ended at " + (offset + dst.position() - start)
                        + " before its size " + sizeBytes + "; was it truncated?");
            }
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        if (readOnly) {
            throw new IOException("volume file " + path + " is open read-only");
        }
        checkRange(offset, src.remaining());
        int start = src.position();
        while (src.hasRemaining()) {
            withChannel(ch -> ch.write(src, offset + src.position() - start));
        }
        if (fua) {
            flush();
        }
    }

    @Override
    public void flush() throws IOException {
        if (readOnly) {
            return;
        }
        withChannel(ch -> {
            ch.force(false);
            return 0;
        });
    }

    @Override
    public void close() throws IOException {
        io.close();
    }

    private void checkRange(long offset, int length) {
        if (offset < 0 || offset % BLOCK_SIZE != 0 || length % BLOCK_SIZE != 0
                || offset > sizeBytes || length > sizeBytes - offset) {
            throw new IllegalArgumentException("range offset=" + offset + " length=" + length
                    + " is not block aligned within " + sizeBytes + " bytes of " + path);
        }
    }

    private int withChannel(ReopeningChannel.ChannelOp op) throws IOException {
        return io.apply(op);
    }

    @Override
    public String toString() {
        return "FileBlockDevice[" + path + ", " + sizeBytes + " bytes" + (readOnly ? ", read-only" : "") + "]";
    }
}
