package io.braid.host.nbd;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of an {@link NbdServer}, each validated here with its default.
 *
 * @param unixSocket          path of the Unix socket serving every export; null for none
 * @param tcp                 loopback address of the TCP listener (port 0 picks a free port); null
 *                            for none. NBD has no authentication, so only loopback is accepted
 * @param socketPermissions   mode of the socket file: owner read/write (0600, the default) and
 *                            optionally group read/write (0660), nothing else
 * @param maxRequestBytes     largest NBD_CMD_READ or NBD_CMD_WRITE (the maximum block size
 *                            advertised); larger requests are refused without buffering. A
 *                            multiple of 64 KiB, 64 KiB to 256 MiB; default 32 MiB, the size
 *                            proto.md tells clients is always safe
 * @param maxInFlightBytes    per connection, the read and write data in flight at most before the
 *                            server stops reading further requests (one request always proceeds);
 *                            default 64 MiB
 * @param maxInFlightRequests per connection, requests in flight at most; default 128
 * @param handshakeTimeout    a client still negotiating after this long is disconnected
 * @param shutdownTimeout     how long {@link NbdServer#close()} waits for requests in flight
 * @param ioThreads           event loop threads shared by all connections; 0 for
 *                            min(4, processors)
 */
public record NbdServerConfig(
        Path unixSocket,
        InetSocketAddress tcp,
        Set<PosixFilePermission> socketPermissions,
        int maxRequestBytes,
        long maxInFlightBytes,
        int maxInFlightRequests,
        Duration handshakeTimeout,
        Duration shutdownTimeout,
        int ioThreads) {

    /** Name of the socket file {@link #inDirectory} puts in the directory. */
    public static final String SOCKET_FILE_NAME = "nbd.sock";
    /** Longest socket path the kernel takes: {@code sun_path} holds 108 bytes with the NUL. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 32 << 20;
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L << 20;
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 128;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /** 0600: only the agent's user may connect. */
    public static final Set<PosixFilePermission> OWNER_ONLY =
            Set.copyOf(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    /** 0660: the agent's user and its group may connect. */
    public static final Set<PosixFilePermission> OWNER_AND_GROUP = Set.copyOf(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE));

    public NbdServerConfig {
        if (unixSocket == null && tcp == null) {
            throw new IllegalArgumentException("NBD server needs a Unix socket, a TCP address or both");
        }
        if (unixSocket != null) {
            unixSocket = unixSocket.toAbsolutePath().normalize();
            int bytes = unixSocket.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_SOCKET_PATH_BYTES) {
                throw new IllegalArgumentException("Unix socket path " + unixSocket + " has " + bytes
                        + " bytes; the kernel takes at most " + MAX_SOCKET_PATH_BYTES
                        + " (choose a shorter directory)");
            }
            if (unixSocket.getFileName() == null) {
                throw new IllegalArgumentException("Unix socket path " + unixSocket + " names no file");
            }
        }
        if (tcp != null) {
            if (tcp.isUnresolved()) {
                throw new IllegalArgumentException("NBD TCP address " + tcp.getHostString() + " does not resolve");
            }
            if (!tcp.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("NBD TCP address " + tcp.getAddress().getHostAddress()
                        + " is not a loopback address: NBD has no authentication, so the export"
                        + " listens on loopback only (127.0.0.0/8 or ::1)");
            }
        }
        socketPermissions = socketPermissions == null ? OWNER_ONLY : Set.copyOf(socketPermissions);
        if (!socketPermissions.containsAll(OWNER_ONLY) || !OWNER_AND_GROUP.containsAll(socketPermissions)) {
            throw new IllegalArgumentException("socket permissions " + socketPermissions
                    + " must be 0600 (owner read/write) or 0660 (owner and group read/write)");
        }
        if (maxRequestBytes < (64 << 10) || maxRequestBytes > (256 << 20) || maxRequestBytes % (64 << 10) != 0) {
            throw new IllegalArgumentException("maxRequestBytes " + maxRequestBytes
                    + " must be a multiple of 65536 from 65536 to 268435456");
        }
        if (maxInFlightBytes < maxRequestBytes) {
            throw new IllegalArgumentException("maxInFlightBytes " + maxInFlightBytes
                    + " is below maxRequestBytes " + maxRequestBytes);
        }
        if (maxInFlightRequests < 1 || maxInFlightRequests > 65536) {
            throw new IllegalArgumentException("maxInFlightRequests " + maxInFlightRequests
                    + " out of range 1..65536");
        }
        handshakeTimeout = positive(handshakeTimeout, "handshakeTimeout", DEFAULT_HANDSHAKE_TIMEOUT);
        shutdownTimeout = positive(shutdownTimeout, "shutdownTimeout", DEFAULT_SHUTDOWN_TIMEOUT);
        if (ioThreads < 0 || ioThreads > 256) {
            throw new IllegalArgumentException("ioThreads " + ioThreads + " out of range 0..256");
        }
    }

    /** Defaults with the Unix socket {@value #SOCKET_FILE_NAME} in {@code directory} and no TCP. */
    public static NbdServerConfig inDirectory(Path directory) {
        return unix(directory.resolve(SOCKET_FILE_NAME));
    }

    /** Defaults with the Unix socket at {@code socket} and no TCP. */
    public static NbdServerConfig unix(Path socket) {
        return new NbdServerConfig(socket, null, OWNER_ONLY, DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_MAX_IN_FLIGHT_REQUESTS, DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_SHUTDOWN_TIMEOUT, 0);
    }

    /** Defaults with only a TCP listener on loopback {@code address}. */
    public static NbdServerConfig tcpOnly(InetSocketAddress address) {
        return new NbdServerConfig(null, address, OWNER_ONLY, DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_MAX_IN_FLIGHT_REQUESTS, DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_SHUTDOWN_TIMEOUT, 0);
    }

    public NbdServerConfig withTcp(InetSocketAddress address) {
        return new NbdServerConfig(unixSocket, address, socketPermissions, maxRequestBytes,
                maxInFlightBytes, maxInFlightRequests, handshakeTimeout, shutdownTimeout, ioThreads);
    }

    public NbdServerConfig withSocketPermissions(Set<PosixFilePermission> permissions) {
        return new NbdServerConfig(unixSocket, tcp, permissions, maxRequestBytes,
                maxInFlightBytes, maxInFlightRequests, handshakeTimeout, shutdownTimeout, ioThreads);
    }

    /** The request limit, raising the in-flight budget to twice it when it would be smaller. */
    public NbdServerConfig withMaxRequestBytes(int bytes) {
        return new NbdServerConfig(unixSocket, tcp, socketPermissions, bytes,
                Math.max(maxInFlightBytes, 2L * bytes), maxInFlightRequests, handshakeTimeout,
                shutdownTimeout, ioThreads);
    }

    public NbdServerConfig withInFlightLimits(long bytes, int requests) {
        return new NbdServerConfig(unixSocket, tcp, socketPermissions, maxRequestBytes,
                bytes, requests, handshakeTimeout, shutdownTimeout, ioThreads);
    }

    public NbdServerConfig withTimeouts(Duration handshake, Duration shutdown) {
        return new NbdServerConfig(unixSocket, tcp, socketPermissions, maxRequestBytes,
                maxInFlightBytes, maxInFlightRequests, handshake, shutdown, ioThreads);
    }

    public NbdServerConfig withIoThreads(int threads) {
        return new NbdServerConfig(unixSocket, tcp, socketPermissions, maxRequestBytes,
                maxInFlightBytes, maxInFlightRequests, handshakeTimeout, shutdownTimeout, threads);
    }

    /** {@link #ioThreads} with 0 resolved. */
    int effectiveIoThreads() {
        return ioThreads != 0 ? ioThreads : Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    private static Duration positive(Duration d, String name, Duration dflt) {
        if (d == null) {
            return dflt;
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " " + d + " is not positive");
        }
        return d;
    }
}
