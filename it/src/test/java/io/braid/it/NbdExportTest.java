package io.braid.it;

import io.braid.host.BlockDeviceExport;
import io.braid.host.nbd.NbdServer;
import io.braid.host.nbd.NbdServerConfig;
import io.braid.store.BlockDevice;
import io.braid.store.FileBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NBD export served to real clients: qemu-img and qemu-io (qemu's NBD driver), libnbd's
 * nbdinfo and nbdcopy, and fio's nbd engine, over the Unix socket and over loopback TCP. The
 * exports are volume files behind {@link BlockDeviceExport}, so what a client wrote is checked in
 * the file too.
 */
class NbdExportTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final long SIZE = 64L << 20;

    @TempDir
    Path dir;

    private FileBlockDevice v0;
    private FileBlockDevice ro;
    private NbdServer server;

    @BeforeEach
    void start() throws IOException {
        v0 = FileBlockDevice.open(dir.resolve("v0.img"), SIZE);
        Path roFile = dir.resolve("ro.img");
        try (FileBlockDevice seed = FileBlockDevice.open(roFile, 1 << 20)) {
            seed.write(0, ByteBuffer.wrap(pattern(1 << 20, (byte) 0x5a)), true);
        }
        ro = FileBlockDevice.open(roFile, 1 << 20, true);
        server = NbdServer.start(NbdServerConfig.inDirectory(dir.resolve("run"))
                .withTcp(new InetSocketAddress("127.0.0.1", 0)));
        server.addExport(BlockDeviceExport.of("v0", v0));
        server.addExport(BlockDeviceExport.of("ro", "a read-only volume", ro, true,
                Runnable::run));
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (v0 != null) {
            v0.close();
        }
        if (ro != null) {
            ro.close();
        }
    }

    @Test
    void qemuImgInfoOverUnixSocketAndTcp() {
        Tools.require("qemu-img");
        for (String url : new String[] {server.unixUri("v0"), server.tcpUri("v0")}) {
            ToolResult r = Tools.ok(TIMEOUT, "qemu-img", "info", "--output=json", url);
            assertThat(r.stdout()).as(r.describe()).contains("\"virtual-size\": " + SIZE);
        }
    }

    private static byte[] pattern(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }
}
