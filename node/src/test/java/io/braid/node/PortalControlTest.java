package io.braid.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.iscsi.target.AuthConfig;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.PortalStateView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code /api/v1/portals}: a portal taken down and up through the management API. */
class PortalControlTest {
    @TempDir
    Path dir;
    private StorageNode node;
    private int portA;
    private int portB;

    @BeforeEach
    void start() throws IOException {
        node = StorageNode.start(new NodeConfig("portals", dir.resolve("data"),
                List.of(new PortalSpec(new HostPort("127.0.0.1", 0), 1),
                        new PortalSpec(new HostPort("127.0.0.2", 0), 1)),
                List.of(new VolumeSpec("v0", 1L << 20, 0, false)), AuthConfig.NONE, List.of(),
                new HostPort("127.0.0.1", 0)));
        portA = node.portals().get(0).port();
        portB = node.portals().get(1).port();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(node.apiUri() + "/api/v1" + path))
                .header("Authorization", "Bearer " + node.apiToken())
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private PortalStateView ok(String method, String path) throws Exception {
        HttpResponse<String> r = call(method, path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ManagementApi.JSON.readValue(r.body(), PortalStateView.class);
    }

    private List<PortalStateView> list() throws Exception {
        HttpResponse<String> r = call("GET", "/portals");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return List.of(ManagementApi.JSON.readValue(r.body(), PortalStateView[].class));
    }

    @Test
    void downClosesAndRefusesUpServesAgain() throws Exception {
        String a = "127.0.0.1:" + portA;
        try (Socket held = new Socket("127.0.0.1", portA)) {
            await().until(() -> list().get(0).connections() == 1);
            assertThat(list()).containsExactly(new PortalStateView(a, 1, "up", 1),
                    new PortalStateView("127.0.0.2:" + portB, 1, "up", 0));

            assertThat(ok("POST", "/portals/" + a + "/down"))
                    .isEqualTo(new PortalStateView(a, 1, "down", 0));
            held.setSoTimeout(5000);
            assertThat(held.getInputStream().read()).isEqualTo(-1);
            assertThatThrownBy(() -> new Socket("127.0.0.1", portA).close())
                    .isInstanceOf(ConnectException.class);
            new Socket("127.0.0.2", portB).close();
            assertThat(list().get(0).state()).isEqualTo("down");
        }
        assertThat(ok("POST", "/portals/" + a + "/up")).isEqualTo(new PortalStateView(a, 1, "up", 0));
        new Socket("127.0.0.1", portA).close();
    }

    @Test
    void badAndUnknownAddressesAreJsonErrors() throws Exception {
        HttpResponse<String> unknown = call("POST", "/portals/127.0.0.9:" + portA + "/down");
        assertThat(unknown.statusCode()).isEqualTo(404);
        JsonNode body = ManagementApi.JSON.readTree(unknown.body());
        assertThat(body.at("/error/code").asText()).isEqualTo("not_found");
        assertThat(body.at("/error/message").asText()).isEqualTo("no portal 127.0.0.9:" + portA
                + " (portals: 127.0.0.1:" + portA + ", 127.0.0.2:" + portB + ")");

        HttpResponse<String> bad = call("POST", "/portals/"
                + URLEncoder.encode("127.0.0.1:x", StandardCharsets.UTF_8) + "/down");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(ManagementApi.JSON.readTree(bad.body()).at("/error/message").asText())
                .isEqualTo("portal \"127.0.0.1:x\" is not HOST[:PORT] (e.g. 127.0.0.1:3260 or [::1]:3260)");

        assertThat(call("GET", "/portals/127.0.0.1:" + portA + "/down").statusCode()).isIn(404, 405);
        assertThat(list()).allSatisfy(p -> assertThat(p.state()).isEqualTo("up"));
    }
}
