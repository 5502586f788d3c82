package io.braid.common.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApiServer.Settings SETTINGS =
            new ApiServer.Settings("test API", "test-api", 4, "s3cret", "the token file", JSON);
    record Echo(String text) {
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private ApiServer server;

    @BeforeEach
    void start() throws Exception {
        server = ApiServer.start(SETTINGS, "127.0.0.1", 0, routes -> {
            routes.post("/echo", ctx -> ctx.json(ctx.bodyAsClass(Echo.class)));
            routes.get("/gone", ctx -> {
                throw ApiException.notFound("no such thing");
            });
            routes.get("/boom", ctx -> {
                throw new IllegalStateException("detail that must not leak");
            });
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").path("code").asText();
    }

    @Test
    void answersEveryFailureAsApiErrorJson() throws Exception {
        HttpResponse<String> noToken = call("GET", "/gone", null, null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(code(noToken)).isEqualTo("unauthorized");
        assertThat(noToken.body()).contains("the token file").doesNotContain("s3cret");
        assertThat(call("GET", "/gone", "wrong", null).statusCode()).isEqualTo(401);

        assertThat(call("POST", "/echo", "s3cret", "{\"text\":\"hi\"}").body()).isEqualTo("{\"text\":\"hi\"}");
        HttpResponse<String> malformed = call("POST", "/echo", "s3cret", "{\"text\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(code(malformed)).isEqualTo("bad_request");

        HttpResponse<String> gone = call("GET", "/gone", "s3cret", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(gone.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("not_found");
        assertThat(error.path("message").asText()).isEqualTo("no such thing");

        assertThat(code(call("GET", "/nowhere", "s3cret", null))).isEqualTo("not_found");
        HttpResponse<String> boom = call("GET", "/boom", "s3cret", null);
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).doesNotContain("detail that must not leak");
    }

    @Test
    void aTakenAddressIsABindException() {
        assertThatThrownBy(() -> ApiServer.start(SETTINGS, "127.0.0.1", server.port(), routes -> { }))
                .isInstanceOf(BindException.class).hasMessageContaining("test API address 127.0.0.1:" + server.port());
        assertThat(SETTINGS.toString()).doesNotContain("s3cret");
    }

    @Test
    void codesForPlainHttpStatuses() {
        assertThat(Map.of(405, ApiServer.codeFor(405), 503, ApiServer.codeFor(503), 418, ApiServer.codeFor(418)))
                .containsEntry(405, "method_not_allowed").containsEntry(503, "unavailable").containsEntry(418, "http_418");
    }
}
