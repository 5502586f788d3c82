package io.braid.host.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * What a running host agent leaves in its data directory so that {@code braid host ...} finds it:
 * {@code host-control.json} (API address, pid, NBD socket) and {@code host-api-token} (the bearer
 * token, mode 0600). Names apart from the node's {@code control.json} and {@code api-token}, so a
 * node and an agent may share a directory. Written once the agent is up, removed on a clean stop.
 *
 * @param api           base URL of the control API, e.g. {@code http://127.0.0.1:41234}
 * @param pid           process id of the agent
 * @param initiatorName the agent's iSCSI initiator name
 * @param nbdSocket     the NBD Unix socket
 * @param startedAt     ISO-8601 start time
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HostControlFile(String api, long pid, String initiatorName, String nbdSocket, String startedAt) {
    public static final String CONTROL_FILE = "host-control.json";
    public static final String TOKEN_FILE = "host-api-token";

    /** Writes both files: the token first, so a reader that sees the control file finds it. */
    public void write(Path dataDir, String token) throws IOException {
        writeAtomically(dataDir.resolve(TOKEN_FILE), (token + "\n").getBytes(StandardCharsets.US_ASCII), true);
        writeAtomically(dataDir.resolve(CONTROL_FILE), HostControlApi.JSON.writeValueAsBytes(this), false);
    }

    /** The control file of a running (or uncleanly stopped) agent, if any. */
    public static Optional<HostControlFile> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(CONTROL_FILE);
        try {
            HostControlFile c = HostControlApi.JSON.readValue(Files.readAllBytes(file), HostControlFile.class);
            if (c == null || c.api() == null) {
                throw new IOException(file + " has no API address");
            }
            return Optional.of(c);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JacksonException e) {
            throw new IOException(file + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    /** The bearer token left by the running agent. */
    public static String readToken(Path dataDir) throws IOException {
        Path file = dataDir.resolve(TOKEN_FILE);
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("no API token at " + file, e);
        }
    }

    /** Removes both files, unless another agent has replaced them since (its pid is in the file). */
    public static void remove(Path dataDir, long pid) throws IOException {
        Optional<HostControlFile> c;
        try {
            c = read(dataDir);
        } catch (IOException e) {
            c = Optional.empty();
        }
        if (c.isPresent() && c.get().pid() != pid) {
            return;
        }
        Files.deleteIfExists(dataDir.resolve(CONTROL_FILE));
        Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
    }

    private static void writeAtomically(Path target, byte[] bytes, boolean ownerOnly) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            if (ownerOnly) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot write " + target + ": " + tmp + " appeared meanwhile", e);
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
