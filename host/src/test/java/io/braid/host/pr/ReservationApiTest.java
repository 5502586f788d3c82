package io.braid.host.pr;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.host.AgentConfig;
import io.braid.host.Endpoint;
import io.braid.host.HostConfig;
import io.braid.host.HostRuntime;
import io.braid.host.TestTarget;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.host.iscsi.Backoff;
import io.braid.host.multipath.MultipathConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The control API's reservation routes on a running agent against a real node: answers and error codes. */
class ReservationApiTest {
    @TempDir
    java.nio.file.Path dir;
    TestTarget target;
    HostRuntime runtime;
    final HttpClient http = HttpClient.newHttpClient();
    String token;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        if (target != null) {
            target.close();
        }
    }

    JsonNode call(String method, String path, String body, String bearer) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(runtime.controlApi().orElseThrow()
                        + "/api/v1" + path)).header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return HostControlApi.JSON.createObjectNode().put("status", r.statusCode())
                .set("body", HostControlApi.JSON.readTree(r.body()));
    }

    JsonNode post(String path, String body) throws Exception {
        return call("POST", path, body, token);
    }

    static String code(JsonNode answer) {
        return answer.at("/body/error/code").asText();
    }

    @Test
    void routesAnswerWithTheStateAndMapReservationErrors() throws Exception {
        target = TestTarget.in(dir.resolve("node")).volume("v0", 8 << 20).portals("127.0.12.5", "127.0.12.6").start();
        HostConfig host = HostConfig.of("iqn.2026-11.io.braid.test:pr-api",
                        List.of(InetAddress.getByName("127.0.12.25"), InetAddress.getByName("127.0.12.26")),
                        target.portals().stream().map(a -> new Endpoint(a.getHostString(), a.getPort())).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        runtime = HostRuntime.start(AgentConfig.of(host, dir.resolve("agent"))
                .withMultipath(MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200))));
        token = HostControlFile.readToken(dir.resolve("agent"));
        String dev = runtime.multipath().devices().get(0).name();

        JsonNode s = call("GET", "/devices/" + dev + "/pr", null, token);
        assertThat(s.get("status").asInt()).isEqualTo(200);
        assertThat(s.at("/body/key").isNull()).isTrue();
        assertThat(s.at("/body/reservation").isNull()).isTrue();
        assertThat(s.at("/body/paths")).hasSize(4);
        assertThat(call("GET", "/devices/" + dev + "/pr", null, "wrong").get("status").asInt()).isEqualTo(401);
        assertThat(call("GET", "/devices/nope/pr", null, token).get("status").asInt()).isEqualTo(404);

        JsonNode r = post("/devices/" + dev + "/pr/reserve", "{\"type\":\"wr-ex\"}");
        assertThat(r.get("status").asInt()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("invalid_request");
        assertThat(r.at("/body/error/message").asText()).contains("no key registered");
        r = post("/devices/" + dev + "/pr/register", "{}");
        assertThat(code(r)).isEqualTo("bad_request");
        assertThat(r.at("/body/error/message").asText()).isEqualTo("\"key\" is missing");
        r = post("/devices/" + dev + "/pr/register", "{\"key\":\"0xZZ\"}");
        assertThat(r.get("status").asInt()).isEqualTo(400);
        assertThat(r.at("/body/error/message").asText()).contains("reservation key \"0xZZ\"");
        assertThat(post("/devices/" + dev + "/pr/steal", "{}").get("status").asInt()).isEqualTo(404);

        r = post("/devices/" + dev + "/pr/register", "{\"key\":\"0xabc\"}");
        assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(200);
        assertThat(r.at("/body/result/steps")).hasSize(4);
        assertThat(r.at("/body/status/key").asText()).isEqualTo("0x0000000000000abc");
        r = post("/devices/" + dev + "/pr/reserve", "{\"type\":\"wr-ex\"}");
        assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(200);
        assertThat(r.at("/body/status/reservation/type").asText()).isEqualTo("wr-ex");
        assertThat(r.at("/body/status/reservation/holderPath").asText()).startsWith("127.0.12.25->127.0.12.5:");
        r = post("/devices/" + dev + "/pr/reserve", "{\"type\":\"nope\"}");
        assertThat(code(r)).isEqualTo("bad_request");
        r = post("/devices/" + dev + "/pr/reserve", "{\"type\":\"ex-ac\"}");
        assertThat(r.get("status").asInt()).isEqualTo(409);
        assertThat(code(r)).isEqualTo("reservation_conflict");
        assertThat(r.at("/body/error/message").asText()).contains("PERSISTENT RESERVE OUT RESERVE on 127.0.12.25->")
                .endsWith("RESERVATION CONFLICT");
        // RELEASE with the type of the reservation works; the keeper always uses it.
        r = post("/devices/" + dev + "/pr/release", null);
        assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(200);
        assertThat(r.at("/body/status/reservation").isNull()).isTrue();
        r = post("/devices/" + dev + "/pr/preempt", "{\"victimKey\":\"0xdef\",\"type\":\"wr-ex\"}");
        assertThat(r.get("status").asInt()).isEqualTo(409);   // nobody registered 0xdef
        r = post("/devices/" + dev + "/pr/clear", "");
        assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(200);
        assertThat(r.at("/body/status/paths").findValues("key")).allSatisfy(k -> assertThat(k.isNull()).isTrue());
    }
}
