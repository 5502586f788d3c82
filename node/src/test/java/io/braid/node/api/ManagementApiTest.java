package io.braid.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.node.HostPort;
import io.braid.node.PortInUseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementApiTest {
    private static final String TOKEN = "test-token-123";
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean fail = new AtomicBoolean();
    private ManagementApi api;

    private final NodeView view = new NodeView() {
        @Override
        public StatusView status() {
            if (fail.get()) {
                throw new IllegalStateException("boom with a detail that must not leak");
            }
            return new StatusView("n1", "RUNNING", "id-1", "iqn.2026-11.io.braid:n1",
                    List.of(new StatusView.PortalView("127.0.0.1:3260", 1)), 1,
                    "2026-11-21T10:00:00Z", 5);
        }

        @Override
        public List<VolumeView> volumes() {
            return List.of(new VolumeView("v0", 0, "uuid-0", 1L << 30, false,
                    "2026-11-21T10:00:00Z", List.of("iscsi://127.0.0.1:3260/iqn.2026-11.io.braid:n1/0")));
        }
    };

    @BeforeEach
    void start() throws Exception {
        api = ManagementApi.start(new HostPort("127.0.0.1", 0), TOKEN, view);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.uri() + path)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        return ManagementApi.JSON.readTree(r.body());
    }

    @Test
    void servesStatusAndVolumesWithTheToken() throws Exception {
        HttpResponse<String> status = get("/api/v1/status", "Bearer " + TOKEN);
        assertThat(status.statusCode()).isEqualTo(200);
        StatusView s = ManagementApi.JSON.readValue(status.body(), StatusView.class);
        assertThat(s).isEqualTo(view.status());

        HttpResponse<String> volumes = get("/api/v1/volumes", "Bearer " + TOKEN);
        assertThat(volumes.statusCode()).isEqualTo(200);
        VolumeView[] v = ManagementApi.JSON.readValue(volumes.body(), VolumeView[].class);
        assertThat(v).containsExactly(view.volumes().get(0));
    }

    @Test
    void refusesMissingOrWrongTokensOnEveryPath() throws Exception {
        for (String auth : new String[] {null, "Bearer wrong", "Bearer " + TOKEN + "x", TOKEN}) {
            for (String path : new String[] {"/api/v1/status", "/api/v1/volumes", "/nope"}) {
                HttpResponse<String> r = get(path, auth);
                assertThat(r.statusCode()).as(path + " with " + auth).isEqualTo(401);
                JsonNode body = json(r);
                assertThat(body.at("/error/code").asText()).isEqualTo("unauthorized");
                assertThat(r.body()).doesNotContain(TOKEN);
            }
        }
    }

    @Test
    void unknownRoutesAreJsonNotFound() throws Exception {
        HttpResponse<String> r = get("/api/v1/nothing", "Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).at("/error/code").asText()).isEqualTo("not_found");
    }

    @Test
    void handlerFailuresBecomeJsonWithoutInternals() throws Exception {
        fail.set(true);
        HttpResponse<String> r = get("/api/v1/status", "Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode body = json(r);
        assertThat(body.at("/error/code").asText()).isEqualTo("internal");
        assertThat(r.body()).doesNotContain("boom");
    }

    @Test
    void aTakenAddressIsNamed() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            HostPort taken = new HostPort("127.0.0.1", busy.getLocalPort());
            assertThatThrownBy(() -> ManagementApi.start(taken, TOKEN, view))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("management API address " + taken + " is already in use by another"
                            + " process (stop it, or choose another address)");
        }
    }
}
