package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.node.api.ManagementApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A volume grown with {@code braid volume resize} while {@code braid up}'s host agent serves it:
 * without restarting anything, {@code braid host devices} shows the new size and new NBD
 * connections (nbdinfo, qemu-img info) see it; the new blocks take writes through the export.
 * A connection opened before the resize keeps its size (NBD cannot change it within a connection).
 */
class AgentResizeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void aGrownVolumeIsSeenByNewNbdConnections() throws Exception {
        Tools.require("nbdinfo");
        Tools.require("qemu-img");
        Tools.require("qemu-io");
        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, "v0:64M")) {
            String data = up.data().toString();
            up.awaitActivePaths("v0", 4, Duration.ofSeconds(30));
            ToolResult before = Tools.ok(TIMEOUT, "nbdinfo", "--size", up.nbd("v0"));
            assertThat(before.stdout().strip()).isEqualTo(String.valueOf(64 * MIB));
            Tools.ok(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x5a 63M 1M", up.nbd("v0"));

            Cli.Run r = Cli.run("volume", "resize", "v0", "96M", "--data", data);
            assertThat(r.exit()).as(r.describe()).isZero();

            // The agent learns it from the unit attention its checker's probe meets (idle device).
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() ->
                    Tools.ok(TIMEOUT, "nbdinfo", "--size", up.nbd("v0")).stdout().strip()
                            .equals(String.valueOf(96 * MIB)));
            JsonNode devices = ManagementApi.JSON.readTree(
                    Cli.run("host", "devices", "--data", data, "--output", "json").out());
            assertThat(devices.get(0).get("sizeBytes").asLong()).isEqualTo(96 * MIB);
            ToolResult info = Tools.ok(TIMEOUT, "qemu-img", "info", "-f", "raw", up.nbd("v0"));
            assertThat(info.stdout()).as(info.describe()).contains("virtual size: 96 MiB (" + 96 * MIB + " bytes)");
            ToolResult io = Tools.ok(TIMEOUT, "qemu-io", "-f", "raw",
                    "-c", "read -P 0x5a 63M 1M",
                    "-c", "read -P 0 64M 31M",
                    "-c", "write -P 0xa5 95M 1M",
                    "-c", "read -P 0xa5 95M 1M", up.nbd("v0"));
            assertThat(io.output()).as(io.describe()).doesNotContain("failed");
            JsonNode events = up.host("/events");
            assertThat(events.toString()).contains("device-resized");
        }
    }
}
