package io.braid.node;

import io.braid.common.io.ControlFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A node's data directory, held exclusively while the node runs: two nodes on one directory would
 * corrupt each other's volumes. Layout: {@code braid.lock}, {@code node-id},
 * {@code volumes/<name>.img|.json}, and while running {@code control.json} and {@code api-token}.
 */
public final class DataDirectory implements AutoCloseable {
    public static final String LOCK_FILE = "braid.lock";
    public static final String NODE_ID_FILE = "node-id";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it.
     *
     * @throws DataDirectoryInUseException when another process holds it
     */
    public static DataDirectory open(Path root) throws IOException {
        Path dir = root.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new DataDirectoryInUseException(root);
        }
        return new DataDirectory(dir, channel, lock);
    }

    public Path root() {
        return root;
    }

    public Path volumesDir() {
        return root.resolve("volumes");
    }

    /** This node's stable identity, created on first use; it serves as the SCSI target serial. */
    public UUID nodeId() throws IOException {
        Path file = root.resolve(NODE_ID_FILE);
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " does not hold a UUID: \"" + text + "\"");
            }
        }
        UUID id = UUID.randomUUID();
        writeAtomically(file, (id + "\n").getBytes(StandardCharsets.US_ASCII), false);
        return id;
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }

    /**
     * Writes {@code data} to {@code file} so that a crash leaves either the old or the new
     * content: a temporary file, fsync, rename, fsync of the directory.
     *
     * @param ownerOnly create the file readable by its owner only (0600), for secrets
     */
    public static void writeAtomically(Path file, byte[] data, boolean ownerOnly) throws IOException {
        ControlFiles.writeAtomically(file, data, ownerOnly);
    }

    /** Makes a rename or create in {@code dir} durable (fsync on the directory, where allowed). */
    public static void fsyncDirectory(Path dir) {
        ControlFiles.fsyncDirectory(dir);
    }

    /** Another process holds the data directory. */
    public static final class DataDirectoryInUseException extends IOException {
        private static final long serialVersionUID = 1L;

        DataDirectoryInUseException(Path root) {
            super("data directory " + root + " is in use by another Braid process"
                    + " (stop it first, or choose another directory)");
        }
    }
}
