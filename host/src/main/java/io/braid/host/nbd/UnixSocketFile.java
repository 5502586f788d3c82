package io.braid.host.nbd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The file of a listening Unix socket: checks what is at the path before binding (a live server
 * is never displaced; a stale socket left by a crashed run is replaced; anything that is not a
 * socket is left alone), has the socket bound under a temporary name, sets its mode and only then
 * renames it into place, so no client ever finds it with the wrong permissions. On removal it
 * deletes the file only if it is still the one it created.
 */
final class UnixSocketFile {
    private static final Logger log = LoggerFactory.getLogger(UnixSocketFile.class);

    /** Binds a listening socket at a path; the binder owns whatever it opens. */
    @FunctionalInterface
    interface Binder {
        void bind(Path path) throws IOException;
    }

    private final Path path;
    private Object fileKey;

    private UnixSocketFile(Path path) {
        this.path = path;
    }

    /** The path clients connect to. */
    Path path() {
        return path;
    }

    /**
     * Makes {@code binder} listen at {@code path} with {@code permissions}.
     *
     * @throws BindException if a server is listening there already, or the path holds something
     *                       that is not a socket
     */
    static UnixSocketFile create(Path path, Set<PosixFilePermission> permissions, Binder binder) throws IOException {
        Objects.requireNonNull(permissions, "permissions");
        Path dir = path.getParent();
        Files.createDirectories(dir);
        checkExisting(path);
        UnixSocketFile file = new UnixSocketFile(path);
        Path temp = dir.resolve(".nbd" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()));
        if (temp.toString().getBytes(StandardCharsets.UTF_8).length > NbdServerConfig.MAX_SOCKET_PATH_BYTES) {
            // No room for the temporary name: bind in place and set the mode right after.
            Files.deleteIfExists(path);
            binder.bind(path);
            Files.setPosixFilePermissions(path, permissions);
        } else {
            binder.bind(temp);
            try {
                Files.setPosixFilePermissions(temp, permissions);
                try {
                    // Atomically replaces a stale socket file, if there is one.
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }
        file.fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        return file;
    }

    private static void checkExisting(Path path) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isOther() || !isSocket(path)) {
            throw new BindException("NBD socket path " + path + " exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException e) {
            log.info("replacing stale NBD socket {} (left by a process that is gone)", path);
            return;
        } catch (IOException e) {
            throw new BindException("NBD socket " + path + " exists and cannot be probed (" + e.getMessage()
                    + "); remove it if no server uses it");
        }
        throw new BindException("NBD socket " + path + " is in use: another server is listening on it");
    }

    private static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000; // S_IFMT == S_IFSOCK
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return true; // no "unix" view: isOther() (not file, directory or link) has to do
        }
    }

    /** Deletes the socket file if it is still the one created here. Idempotent. */
    void remove() {
        if (fileKey == null) {
            return;
        }
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey.equals(now)) {
                Files.delete(path);
            } else {
                log.warn("NBD socket {} was replaced by another process; leaving it", path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            log.warn("cannot remove NBD socket {}: {}", path, e.toString());
        }
        fileKey = null;
    }
}
