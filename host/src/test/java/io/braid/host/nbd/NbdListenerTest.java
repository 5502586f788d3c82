package io.braid.host.nbd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Unix socket file and the TCP listener: permissions, stale files, live servers, cleanup. */
class NbdListenerTest {
    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve(NbdServerConfig.SOCKET_FILE_NAME);
    }

    private static void assertServes(NbdServer server, Path socket) throws IOException {
        server.addExport(new MemoryDevice("d", 4096));
        try (RawNbdClient c = RawNbdClient.unix(socket).start()) {
            c.go("d");
        }
    }

    @Test
    void socketIsOwnerOnlyByDefaultAndRemovedOnClose() throws IOException {
        NbdServer server = NbdServer.start(NbdServerConfig.inDirectory(dir.resolve("sub")));
        Path s = dir.resolve("sub").resolve(NbdServerConfig.SOCKET_FILE_NAME);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s))).isEqualTo("rw-------");
            try (var files = Files.list(s.getParent())) {
                assertThat(files).as("no temporary name left behind").containsExactly(s);
            }
            assertServes(server, s);
        } finally {
            server.close();
        }
        assertThat(s).doesNotExist();
    }

    @Test
    void groupAccessWhenAskedFor() throws IOException {
        try (NbdServer server = NbdServer.start(NbdServerConfig.inDirectory(dir)
                .withSocketPermissions(NbdServerConfig.OWNER_AND_GROUP))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket()))).isEqualTo("rw-rw----");
            assertServes(server, socket());
        }
    }

    @Test
    void aStaleSocketFromACrashedRunIsReplaced() throws IOException {
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket()));
        } // closed without unlinking: what a killed process leaves
        assertThat(socket()).exists();
        try (NbdServer server = NbdServer.start(NbdServerConfig.inDirectory(dir))) {
            assertServes(server, socket());
        }
        assertThat(socket()).doesNotExist();
    }

    @Test
    void aLiveServerIsNeverDisplaced() throws IOException {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket()));
            assertThatThrownBy(() -> NbdServer.start(NbdServerConfig.inDirectory(dir)))
                    .isInstanceOf(BindException.class)
                    .hasMessage("NBD socket " + socket() + " is in use: another server is listening on it");
            assertThat(socket()).exists();
        }
        try (NbdServer first = NbdServer.start(NbdServerConfig.inDirectory(dir))) {
            assertThatThrownBy(() -> NbdServer.start(NbdServerConfig.inDirectory(dir)))
                    .isInstanceOf(BindException.class);
            assertServes(first, socket());
        }
    }

    @Test
    void somethingThatIsNotASocketIsLeftAlone() throws IOException {
        Files.writeString(socket(), "precious");
        assertThatThrownBy(() -> NbdServer.start(NbdServerConfig.inDirectory(dir)))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("exists and is not a socket");
        assertThat(Files.readString(socket())).isEqualTo("precious");
    }

    @Test
    void aSocketReplacedByAnotherProcessIsNotRemoved() throws IOException {
        NbdServer server = NbdServer.start(NbdServerConfig.inDirectory(dir));
        Files.delete(socket());
        Files.writeString(socket(), "someone else's");
        server.close();
        assertThat(Files.readString(socket())).isEqualTo("someone else's");
    }

    @Test
    void tcpOnLoopbackWithAFreePortAndATakenPortIsABindError() throws IOException {
        try (NbdServer server = NbdServer.start(NbdServerConfig.tcpOnly(new InetSocketAddress("127.0.0.1", 0)))) {
            InetSocketAddress bound = server.tcpAddress().orElseThrow();
            assertThat(bound.getPort()).isPositive();
            assertThat(server.tcpUri("v0")).isEqualTo("nbd://127.0.0.1:" + bound.getPort() + "/v0");
            assertThat(server.unixSocket()).isEmpty();
            server.addExport(new MemoryDevice("d", 4096));
            try (RawNbdClient c = RawNbdClient.tcp(bound).start()) {
                c.go("d");
            }
            assertThatThrownBy(() -> NbdServer.start(NbdServerConfig.tcpOnly(bound)))
                    .isInstanceOf(BindException.class)
                    .hasMessage("NBD TCP address 127.0.0.1:" + bound.getPort() + " is already in use");
        }
    }

    @Test
    void urisNameTheExportAndTheSocket() throws IOException {
        try (NbdServer server = NbdServer.start(NbdServerConfig.inDirectory(dir))) {
            assertThat(server.unixUri("v0")).isEqualTo("nbd+unix:///v0?socket=" + socket());
            assertThat(server.unixUri("a b%")).startsWith("nbd+unix:///a%20b%25?socket=");
        }
    }

    @Test
    void configurationIsValidated() {
        assertThatThrownBy(() -> NbdServerConfig.tcpOnly(new InetSocketAddress("192.0.2.1", 10809)))
                .hasMessageContaining("is not a loopback address");
        assertThatThrownBy(() -> NbdServerConfig.inDirectory(dir.resolve("x".repeat(120))))
                .hasMessageContaining("the kernel takes at most 107");
        assertThatThrownBy(() -> NbdServerConfig.inDirectory(dir).withSocketPermissions(
                PosixFilePermissions.fromString("rw-rw-rw-"))).hasMessageContaining("0600");
        assertThatThrownBy(() -> NbdServerConfig.inDirectory(dir).withMaxRequestBytes(1000))
                .hasMessageContaining("multiple of 65536");
        assertThatThrownBy(() -> NbdServerConfig.inDirectory(dir).withTimeouts(Duration.ZERO, null))
                .hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> new NbdServerConfig(null, null, null, 1 << 20, 1 << 21, 1, null, null, 0))
                .hasMessageContaining("needs a Unix socket, a TCP address or both");
    }

    @Test
    void exportsAreValidatedWhenAdded() throws IOException {
        try (NbdServer server = NbdServer.start(NbdServerConfig.inDirectory(dir))) {
            server.addExport(new MemoryDevice("d", 4096));
            assertThatThrownBy(() -> server.addExport(new MemoryDevice("d", 4096)))
                    .hasMessage("export d already exists");
            assertThatThrownBy(() -> server.addExport(new MemoryDevice("a/b", 4096)))
                    .hasMessageContaining("contains '/'");
            assertThatThrownBy(() -> server.addExport(new MemoryDevice("odd", 1000)))
                    .hasMessageContaining("not a whole number of 512-byte blocks");
            assertThat(server.exportNames()).containsExactly("d");
        }
    }
}
