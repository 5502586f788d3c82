package io.braid.common.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Function;

/**
 * The small files a running process leaves in its data directory for the CLI to find it (a JSON
 * control file naming the API address, and the API's bearer token, mode 0600), and the atomic
 * replacement every such file is written with.
 */
public final class ControlFiles {
    private ControlFiles() {
    }

    /**
     * Writes {@code data} to {@code file} so that a crash leaves either the old or the new
     * content: a temporary file, fsync, rename, fsync of the directory.
     *
     * @param ownerOnly create the file readable by its owner only (0600), for secrets
     */
    public static void writeAtomically(Path file, byte[] data, boolean ownerOnly) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (ownerOnly) {
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(data));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(dir);
    }

    /** Makes a rename or create in {@code dir} durable (fsync on the directory, where allowed). */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some file systems refuse to open or sync a directory; the rename is still done.
        }
    }

    /** Writes a bearer token file (0600), then the control file: a reader that sees the control file finds the token. */
    public static void write(Path tokenFile, String token, Path controlFile, ObjectMapper json, Object control)
            throws IOException {
        writeAtomically(tokenFile, (token + "\n").getBytes(StandardCharsets.US_ASCII), true);
        writeAtomically(controlFile, json.writeValueAsBytes(control), false);
    }

    /**
     * Reads a control file.
     *
     * @param api the field that must be present (the API address)
     * @return empty when there is no file (nothing running)
     * @throws IOException when the file is there but unreadable or has no API address
     */
    public static <T> Optional<T> read(Path file, ObjectMapper json, Class<T> type, Function<T, String> api)
            throws IOException {
        try {
            T c = json.readValue(Files.readAllBytes(file), type);
            if (c == null || api.apply(c) == null) {
                throw new IOException(file + " has no API address");
            }
            return Optional.of(c);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JacksonException e) {
            throw new IOException(file + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    /** The bearer token in {@code file}. */
    public static String readToken(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("no API token at " + file, e);
        }
    }
}
