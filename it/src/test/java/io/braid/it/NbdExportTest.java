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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
    private FileBlockDevice scratch;
    private FileBlockDevice ro;
    private NbdServer server;

    @BeforeEach
    void start() throws IOException {
        v0 = FileBlockDevice.open(dir.resolve("v0.img"), SIZE);
        scratch = FileBlockDevice.open(dir.resolve("scratch.img"), SIZE);
        Path roFile = dir.resolve("ro.img");
        try (FileBlockDevice seed = FileBlockDevice.open(roFile, 1 << 20)) {
            seed.write(0, ByteBuffer.wrap(filled(1 << 20, (byte) 0x5a)), true);
        }
        ro = FileBlockDevice.open(roFile, 1 << 20, true);
        server = NbdServer.start(NbdServerConfig.inDirectory(dir.resolve("run"))
                .withTcp(new InetSocketAddress("127.0.0.1", 0)));
        server.addExport(BlockDeviceExport.of("v0", v0));
        server.addExport(BlockDeviceExport.of("scratch", scratch));
        server.addExport(BlockDeviceExport.of("ro", "a read-only volume", ro, true, Runnable::run));
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
            assertThat(dir.resolve("run").resolve(NbdServerConfig.SOCKET_FILE_NAME)).doesNotExist();
        }
        for (BlockDevice d : new BlockDevice[] {v0, scratch, ro}) {
            if (d != null) {
                d.close();
            }
        }
    }

    @Test
    void qemuImgInfoOverUnixSocketAndTcp() {
        Tools.require("qemu-img");
        for (String url : List.of(server.unixUri("v0"), server.tcpUri("v0"))) {
            ToolResult r = Tools.ok(TIMEOUT, "qemu-img", "info", "--output=json", url);
            assertThat(r.stdout()).as(r.describe()).contains("\"virtual-size\": " + SIZE);
        }
    }

    @Test
    void qemuImgCopiesInAndOutByteForByte() throws Exception {
        Tools.require("qemu-img");
        Path source = randomImage(dir.resolve("source.raw"), 1);
        Path back = dir.resolve("back.raw");
        Tools.ok(TIMEOUT, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(),
                server.unixUri("v0"));
        ToolResult cmp = Tools.ok(TIMEOUT, "qemu-img", "compare", "-f", "raw", "-F", "raw",
                source.toString(), server.tcpUri("v0"));
        assertThat(cmp.stdout()).as(cmp.describe()).contains("Images are identical");
        Tools.ok(TIMEOUT, "qemu-img", "convert", "-f", "raw", "-O", "raw", server.tcpUri("v0"), back.toString());
        assertIdentical(source, back);
        assertIdentical(source, dir.resolve("v0.img"));
    }

    @Test
    void qemuIoPatternsWithFuaZeroesUnalignedAndConcurrentWrites() {
        Tools.require("qemu-io");
        for (String url : List.of(server.unixUri("v0"), server.tcpUri("v0"))) {
            ToolResult r = Tools.ok(TIMEOUT, "qemu-io", "-f", "raw",
                    "-c", "write -P 0xab 0 1M",
                    "-c", "write -f -P 0xcd 63M 1M",           // FUA
                    "-c", "write -z 1M 1M",                    // WRITE_ZEROES with NO_HOLE
                    "-c", "write -z -u 2M 1M",                 // WRITE_ZEROES, holes allowed
                    "-c", "aio_write -P 0x11 4M 64k",
                    "-c", "aio_write -P 0x22 5M 64k",
                    "-c", "aio_write -P 0x33 6M 4M",
                    "-c", "aio_flush",
                    "-c", "write -P 0x44 100 1000",            // unaligned: qemu reads, merges, writes
                    "-c", "flush",
                    "-c", "read -P 0xab 0 100",
                    "-c", "read -P 0x44 100 1000",
                    "-c", "read -P 0xab 1100 1047476",
                    "-c", "read -P 0x00 1M 2M",
                    "-c", "read -P 0x11 4M 64k",
                    "-c", "read -P 0x22 5M 64k",
                    "-c", "read -P 0x33 6M 4M",
                    "-c", "read -P 0xcd 63M 1M",
                    url);
            assertThat(r.output()).as(r.describe()).doesNotContain("Pattern verification failed")
                    .doesNotContainIgnoringCase("error");
        }
    }

    @Test
    void nbdinfoDescribesAndListsTheExports() {
        Tools.require("nbdinfo");
        ToolResult info = Tools.ok(TIMEOUT, "nbdinfo", server.unixUri("v0"));
        assertThat(info.stdout()).as(info.describe())
                .contains("protocol: newstyle-fixed without TLS, using structured packets")
                .contains("export-size: " + SIZE)
                .contains("is_read_only: false")
                .contains("can_flush: true")
                .contains("can_fua: true")
                .contains("can_zero: true")
                .contains("can_multi_conn: true")
                .contains("block_size_minimum: 512")
                .contains("block_size_maximum: 33554432");
        ToolResult json = Tools.ok(TIMEOUT, "nbdinfo", "--json", server.tcpUri("ro"));
        assertThat(json.stdout()).as(json.describe()).contains("\"is_read_only\": true")
                .contains("\"export-size\": 1048576").contains("\"description\": \"a read-only volume\"");
        String all = "nbd+unix:///?socket=" + server.unixSocket().orElseThrow();
        ToolResult list = Tools.ok(TIMEOUT, "nbdinfo", "--list", all);
        assertThat(list.stdout()).as(list.describe())
                .contains("export=\"ro\"").contains("export=\"scratch\"").contains("export=\"v0\"");
        ToolResult names = Tools.ok(TIMEOUT, "nbdinfo", "--list", "--json", all);
        assertThat(names.stdout()).as(names.describe()).contains("\"export-name\": \"v0\"");
    }

    @Test
    void anUnknownExportIsAClearErrorAndTheServerGoesOn() {
        Tools.require("nbdinfo");
        Tools.require("qemu-img");
        ToolResult r = Tools.run(TIMEOUT, Map.of("LIBNBD_DEBUG", "1"),
                List.of("nbdinfo", server.unixUri("nope")));
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        // libnbd prints the server's message in its debug output.
        assertThat(r.stderr()).as(r.describe()).contains("no export named 'nope'; exports: ro, scratch, v0");
        ToolResult q = Tools.run(TIMEOUT, "qemu-img", "info", server.tcpUri("nope"));
        assertThat(q.exitCode()).as(q.describe()).isNotZero();
        assertThat(q.stderr()).as(q.describe()).contains("no export named 'nope'");
        Tools.ok(TIMEOUT, "nbdinfo", server.unixUri("v0"));
    }

    @Test
    void aReadOnlyExportRefusesWrites() {
        Tools.require("qemu-io");
        ToolResult w = Tools.run(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x11 0 4k", server.unixUri("ro"));
        // qemu sees NBD_FLAG_READ_ONLY and refuses to open the export for writing.
        assertThat(w.exitCode()).as(w.describe()).isNotZero();
        assertThat(w.output()).as(w.describe()).contains("Permission denied").doesNotContain("wrote 4096/4096");
        ToolResult r = Tools.ok(TIMEOUT, "qemu-io", "-r", "-f", "raw", "-c", "read -P 0x5a 0 1M", server.unixUri("ro"));
        assertThat(r.output()).as(r.describe()).doesNotContain("Pattern verification failed");
    }

    @Test
    void nbdcopyBothWaysAndBetweenExports() throws Exception {
        Tools.require("nbdcopy");
        Tools.require("qemu-img");
        Path source = randomImage(dir.resolve("source.raw"), 2);
        Path back = dir.resolve("back.raw");
        // nbdcopy opens several connections when the server offers multi-conn.
        Tools.ok(TIMEOUT, "nbdcopy", "--connections=4", "--requests=16", source.toString(), server.unixUri("v0"));
        assertIdentical(source, dir.resolve("v0.img"));
        Tools.ok(TIMEOUT, "nbdcopy", server.tcpUri("v0"), back.toString());
        assertIdentical(source, back);
        Tools.ok(TIMEOUT, "nbdcopy", "--flush", server.unixUri("v0"), server.tcpUri("scratch"));
        assertIdentical(source, dir.resolve("scratch.img"));
    }

    @Test
    void fioVerifiesWhatItWroteOverBothListeners() {
        Tools.require("fio");
        ToolResult small = fio(server.unixUri("v0"), "--name=rand4k", "--rw=randwrite", "--bs=4k", "--iodepth=32",
                "--size=32M");
        assertThat(small.stdout()).as(small.describe()).contains("\"error\" : 0").doesNotContain("\"error\" : 5");
        ToolResult big = fio(server.tcpUri("scratch"), "--name=mixed", "--rw=randrw", "--bsrange=4k-4m",
                "--iodepth=16", "--numjobs=2", "--size=24M", "--offset_increment=32M");
        assertThat(big.stdout()).as(big.describe()).contains("\"error\" : 0");
        // A request larger than the maximum block size is refused, not served and not fatal.
        ToolResult tooBig = Tools.run(TIMEOUT, "fio", "--name=toobig", "--ioengine=nbd",
                "--uri=" + server.unixUri("v0"), "--rw=read", "--bs=64m", "--size=64M");
        assertThat(tooBig.output()).as(tooBig.describe()).contains("Invalid argument");
        fio(server.unixUri("v0"), "--name=after", "--rw=randread", "--bs=64k", "--size=8M", "--verify=0",
                "--do_verify=0");
    }

    private ToolResult fio(String uri, String... job) {
        List<String> cmd = new java.util.ArrayList<>(List.of("fio", "--ioengine=nbd", "--uri=" + uri,
                "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0",
                "--output-format=json"));
        cmd.addAll(Arrays.asList(job));
        ToolResult r = Tools.run(TIMEOUT, Map.of(), cmd);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    @Test
    void trimReachesAThinDevice() throws Exception {
        Tools.require("qemu-io");
        Tools.require("nbdinfo");
        Tools.require("fio");
        SparseDevice thin = new SparseDevice(16L << 20);
        server.addExport(BlockDeviceExport.of("thin", thin));
        ToolResult info = Tools.ok(TIMEOUT, "nbdinfo", server.unixUri("thin"));
        assertThat(info.stdout()).as(info.describe()).contains("can_trim: true");
        ToolResult r = Tools.ok(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x11 0 2M",
                "-c", "discard 0 1M", "-c", "read -P 0 0 1M", "-c", "read -P 0x11 1M 1M", server.unixUri("thin"));
        assertThat(r.output()).as(r.describe()).doesNotContain("Pattern verification failed");
        assertThat(thin.unmaps.get()).isPositive();
        int before = thin.unmaps.get();
        ToolResult t = Tools.run(TIMEOUT, "fio", "--name=trim", "--ioengine=nbd", "--uri=" + server.tcpUri("thin"),
                "--rw=randtrim", "--bs=64k", "--size=8M", "--output-format=json");
        assertThat(t.exitCode()).as(t.describe()).isZero();
        assertThat(thin.unmaps.get()).isGreaterThan(before);
    }

    private static Path randomImage(Path file, long seed) throws IOException {
        byte[] data = new byte[(int) SIZE];
        new Random(seed).nextBytes(data);
        Files.write(file, data);
        return file;
    }

    private static void assertIdentical(Path expected, Path actual) throws IOException {
        assertThat(Files.size(actual)).as("size of " + actual).isEqualTo(Files.size(expected));
        assertThat(Files.mismatch(expected, actual)).as("first differing byte of " + actual + " (-1 = identical)")
                .isEqualTo(-1L);
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    /** A thin in-memory {@link BlockDevice}: 64 KiB pages allocated on write, freed by unmap. */
    private static final class SparseDevice implements BlockDevice {
        private static final int PAGE = 64 << 10;
        private final long size;
        private final Map<Long, byte[]> pages = new ConcurrentHashMap<>();
        final AtomicInteger unmaps = new AtomicInteger();

        SparseDevice(long size) {
            this.size = size;
        }

        @Override
        public int blockSize() {
            return 512;
        }

        @Override
        public long blockCount() {
            return size / 512;
        }

        @Override
        public synchronized void read(long offset, ByteBuffer dst) {
            while (dst.hasRemaining()) {
                long page = offset / PAGE;
                int in = (int) (offset % PAGE);
                int n = Math.min(dst.remaining(), PAGE - in);
                byte[] p = pages.get(page);
                if (p == null) {
                    dst.put(new byte[n]);
                } else {
                    dst.put(p, in, n);
                }
                offset += n;
            }
        }

        @Override
        public synchronized void write(long offset, ByteBuffer src, boolean fua) {
            while (src.hasRemaining()) {
                long page = offset / PAGE;
                int in = (int) (offset % PAGE);
                int n = Math.min(src.remaining(), PAGE - in);
                src.get(pages.computeIfAbsent(page, k -> new byte[PAGE]), in, n);
                offset += n;
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean supportsUnmap() {
            return true;
        }

        @Override
        public synchronized void unmap(long offset, long length) {
            unmaps.incrementAndGet();
            long end = offset + length;
            while (offset < end) {
                long page = offset / PAGE;
                int in = (int) (offset % PAGE);
                int n = (int) Math.min(end - offset, PAGE - in);
                if (in == 0 && n == PAGE) {
                    pages.remove(page);
                } else if (pages.containsKey(page)) {
                    Arrays.fill(pages.get(page), in, in + n, (byte) 0); // partly covered: zeroed
                }
                offset += n;
            }
        }

        @Override
        public void close() {
        }
    }
}
