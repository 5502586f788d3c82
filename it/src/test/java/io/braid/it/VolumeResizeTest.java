package io.braid.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code braid volume resize} grows a served volume (docs/operations.md): READ CAPACITY(16) sees the
 * new size, data written before stays, the new blocks read as zeroes and take writes, and the node
 * keeps the size after a restart. The CAPACITY DATA HAS CHANGED unit attention to sessions that
 * were logged in is covered by the SCSI core's UnitAttentionTest.
 */
class VolumeResizeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void aVolumeGrowsOnline() throws Exception {
        Tools.require("iscsi-readcapacity16");
        Tools.require("qemu-io");
        Path data = dir.resolve("data");
        try (TestNode node = TestNode.in(data).volume("v0", 64 * MIB).start()) {
            Tools.ok(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x5a 63M 1M", "-c", "flush", node.url(0));
            Cli.Run r = Cli.run("volume", "resize", "v0", "96M", "--data", data.toString());
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.out()).isEqualTo("volume v0 (LUN 0) is now 96 MiB\n");
            ToolResult size = Tools.ok(TIMEOUT, "iscsi-readcapacity16", "-s", node.url(0));
            assertThat(size.stdout().strip()).as(size.describe()).isEqualTo(String.valueOf(96 * MIB));
            ToolResult io = Tools.ok(TIMEOUT, "qemu-io", "-f", "raw",
                    "-c", "read -P 0x5a 63M 1M",
                    "-c", "read -P 0 64M 32M",
                    "-c", "write -P 0xa5 95M 1M",
                    "-c", "read -P 0xa5 95M 1M", node.url(0));
            assertThat(io.output()).as(io.describe()).doesNotContain("failed");

            Cli.Run shrink = Cli.run("volume", "resize", "v0", "32M", "--data", data.toString());
            assertThat(shrink.exit()).isEqualTo(6);
            assertThat(shrink.err()).contains("shrinking it to 32 MiB is not supported").contains("(bad_request)");
            Cli.Run none = Cli.run("volume", "resize", "nope", "1G", "--data", data.toString());
            assertThat(none.exit()).isEqualTo(6);
            assertThat(none.err()).contains("no volume \"nope\"").contains("(not_found)");
        }
        // After a restart the volume has its new size and data.
        try (TestNode node = TestNode.in(data).volume("v0", 96 * MIB).start()) {
            ToolResult size = Tools.ok(TIMEOUT, "iscsi-readcapacity16", "-s", node.url(0));
            assertThat(size.stdout().strip()).isEqualTo(String.valueOf(96 * MIB));
            ToolResult io = Tools.ok(TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0xa5 95M 1M", node.url(0));
            assertThat(io.output()).as(io.describe()).doesNotContain("failed");
        }
    }
}
