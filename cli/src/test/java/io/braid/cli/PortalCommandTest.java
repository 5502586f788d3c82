package io.braid.cli;

import io.braid.iscsi.target.AuthConfig;
import io.braid.node.HostPort;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.StorageNode;
import io.braid.node.VolumeSpec;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.PortalStateView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code braid portal list|down|up} against a real node, found by data directory or API URL. */
class PortalCommandTest {
    @TempDir
    Path dir;

    @Test
    void listDownAndUp() throws Exception {
        Path data = dir.resolve("data");
        try (StorageNode node = StorageNode.start(new NodeConfig("cli", data,
                List.of(new PortalSpec(new HostPort("127.0.0.1", 0), 1),
                        new PortalSpec(new HostPort("127.0.0.2", 0), 1)),
                List.of(new VolumeSpec("v0", 1L << 20, 0, false)), AuthConfig.NONE, List.of(),
                new HostPort("127.0.0.1", 0)))) {
            String a = node.portals().get(0).toString();
            String b = node.portals().get(1).toString();

            CliTest.Run list = CliTest.run("portal", "list", "--data", data.toString());
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).contains("PORTAL", "STATE", a + "  1     up     0");

            CliTest.Run down = CliTest.run("portal", "down", a, "--data", data.toString());
            assertThat(down.exit()).as(down.err()).isZero();
            assertThat(down.out()).isEqualTo("portal " + a + " down (0 connections)\n");
            assertThatThrownBy(() -> new Socket("127.0.0.1", node.portals().get(0).port()).close())
                    .isInstanceOf(ConnectException.class);

            CliTest.Run json = CliTest.run("portal", "list", "--api", node.apiUri().toString(),
                    "--token", node.apiToken(), "--output", "json");
            assertThat(json.exit()).as(json.err()).isZero();
            assertThat(ManagementApi.JSON.readValue(json.out(), PortalStateView[].class))
                    .containsExactly(new PortalStateView(a, 1, "down", 0),
                            new PortalStateView(b, 1, "up", 0));

            CliTest.Run up = CliTest.run("portal", "up", a, "--data", data.toString(),
                    "--output", "json");
            assertThat(up.exit()).as(up.err()).isZero();
            assertThat(ManagementApi.JSON.readValue(up.out(), PortalStateView.class))
                    .isEqualTo(new PortalStateView(a, 1, "up", 0));
            new Socket("127.0.0.1", node.portals().get(0).port()).close();

            CliTest.Run unknown = CliTest.run("portal", "down", "127.0.0.3:1", "--data",
                    data.toString());
            assertThat(unknown.exit()).isEqualTo(ExitCodes.API_ERROR);
            assertThat(unknown.err()).isEqualTo("braid: POST /api/v1/portals/127.0.0.3%3A1/down"
                    + " failed: no portal 127.0.0.3:1 (portals: " + a + ", " + b + ") (not_found)\n");

            CliTest.Run missing = CliTest.run("portal", "down", "--data", data.toString());
            assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(missing.err()).contains("Missing required parameter: 'HOST:PORT'");
        }
    }
}
