package io.braid.host;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.host.api.ExportView;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.host.iscsi.Backoff;
import io.braid.host.multipath.MultipathConfig;
import io.braid.host.multipath.MultipathDevice;
import io.braid.node.VolumeRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole agent (discovery, multipath, NBD, control API) against a real node on 127.0.9.x. */
class HostRuntimeTest {
    @TempDir
    java.nio.file.Path dir;
    TestTarget target;
    HostRuntime runtime;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        if (target != null) {
            target.close();
        }
    }

    static String serial(VolumeRecord v) {
        return io.braid.host.multipath.DeviceNaming.braidVolumeSerial(v.id());
    }

    AgentConfig config(List<InetSocketAddress> portals) throws Exception {
        HostConfig host = HostConfig.of("iqn.2026-11.io.braid.test:runtime",
                        List.of(InetAddress.getByName("127.0.9.21"), InetAddress.getByName("127.0.9.22")),
                        portals.stream().map(a -> new Endpoint(a.getHostString(), a.getPort())).toList())
                .withFollowDiscoveredPortals(false)
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0))
                .withRescanInterval(Duration.ZERO);
        return AgentConfig.of(host, dir.resolve("agent"))
                .withMultipath(MultipathConfig.defaults().withCheckerInterval(Duration.ofMillis(200)));
    }

    JsonNode get(String path, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(runtime.controlApi().orElseThrow() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = HostControlApi.JSON.readTree(r.body());
        return HostControlApi.JSON.createObjectNode().put("status", r.statusCode()).set("body", body);
    }

    @Test
    void exportsEveryDeviceByNameAndServesTheControlApi() throws Exception {
        target = TestTarget.in(dir.resolve("node")).volume("v0", 8 << 20).volume("v1", 4 << 20)
                .portals("127.0.9.1", "127.0.9.2").start();
        String v0serial = serial(target.node().volumes().get(0));
        runtime = HostRuntime.start(config(target.portals()).withExportNames(Map.of(v0serial.toUpperCase(), "v0")));

        List<ExportView> exports = runtime.exports();
        assertThat(exports).hasSize(2);
        ExportView v0 = runtime.export("v0").orElseThrow();
        assertThat(v0.lunSerial()).isEqualTo(v0serial);
        assertThat(v0.sizeBytes()).isEqualTo(8 << 20);
        java.nio.file.Path socket = dir.resolve("agent").resolve("nbd.sock");
        assertThat(v0.unixUri()).isEqualTo("nbd+unix:///v0?socket=" + socket);
        assertThat(v0.tcpUri()).isNull();
        ExportView v1 = exports.stream().filter(e -> !e.name().equals("v0")).findFirst().orElseThrow();
        assertThat(v1.name()).isEqualTo(v1.deviceId()).startsWith("naa.");
        assertThat(runtime.export(v1.lunSerial())).contains(v1);
        assertThat(runtime.nbd().exportNames()).containsExactlyInAnyOrder("v0", v1.name());
        MultipathDevice d = runtime.multipath().device("v0").orElseThrow();
        d.write(0, ByteBuffer.wrap(new byte[4096]), true).get(10, TimeUnit.SECONDS);

        // The control files: the token owner-only, the control file naming the API.
        HostControlFile control = HostControlFile.read(dir.resolve("agent")).orElseThrow();
        assertThat(control.api()).isEqualTo(runtime.controlApi().orElseThrow().toString()).startsWith("http://127.0.0.1:");
        assertThat(control.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(control.nbdSocket()).isEqualTo(socket.toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dir.resolve("agent").resolve(HostControlFile.TOKEN_FILE)))).isEqualTo("rw-------");
        String token = HostControlFile.readToken(dir.resolve("agent"));

        JsonNode devices = get("/api/v1/devices", token);
        assertThat(devices.get("status").asInt()).isEqualTo(200);
        assertThat(devices.get("body")).hasSize(2);
        JsonNode first = devices.get("body").get(0);
        assertThat(first.get("name").asText()).isIn("v0", v1.name());
        JsonNode dv0 = get("/api/v1/devices/v0", token).get("body");
        assertThat(dv0.get("id").asText()).isEqualTo(d.id());
        assertThat(dv0.get("vendor").asText()).isEqualTo("BRAID");
        assertThat(dv0.get("policy").asText()).isEqualTo("service-time");
        assertThat(dv0.get("sizeBytes").asLong()).isEqualTo(8 << 20);
        assertThat(dv0.get("noPathTimeout").asDouble()).isEqualTo(30.0);
        assertThat(dv0.get("export").asText()).isEqualTo(v0.unixUri());
        assertThat(dv0.get("activePaths").asInt()).isEqualTo(4);
        assertThat(dv0.get("paths")).hasSize(4);
        JsonNode p = dv0.get("paths").get(0);
        assertThat(p.get("hostPort").asText()).isEqualTo("127.0.9.21");
        assertThat(p.get("storagePort").asText()).isEqualTo("127.0.9.1:" + target.portals().get(0).getPort());
        assertThat(p.get("state").asText()).isEqualTo("active");
        assertThat(p.get("connection").asText()).isEqualTo("connected");
        assertThat(p.get("aluaState").asText()).isEqualTo("active/optimized");
        assertThat(p.has("queueDepth")).isTrue();
        assertThat(p.has("latencyMicros")).isTrue();
        assertThat(get("/api/v1/devices/nope", token).get("status").asInt()).isEqualTo(404);
        assertThat(get("/api/v1/paths", token).get("body")).hasSize(8);
        JsonNode events = get("/api/v1/events", token).get("body");
        assertThat(events.findValuesAsText("type")).contains("device-added", "path-added");
        long last = events.get(events.size() - 1).get("sequence").asLong();
        assertThat(get("/api/v1/events?after=" + last, token).get("body")).isEmpty();
        assertThat(get("/api/v1/events?after=x", token).get("status").asInt()).isEqualTo(400);
        assertThat(get("/api/v1/exports", token).get("body")).hasSize(2);
        JsonNode denied = get("/api/v1/devices", "wrong");
        assertThat(denied.get("status").asInt()).isEqualTo(401);
        assertThat(denied.get("body").get("error").get("code").asText()).isEqualTo("unauthorized");

        runtime.close();
        assertThat(HostControlFile.read(dir.resolve("agent"))).isEmpty();
        assertThat(socket).doesNotExist();
    }

    @Test
    void followsDevicesThatAppearAndVanish() throws Exception {
        int a;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.9.7"))) {
            a = s.getLocalPort();
        }
        target = TestTarget.in(dir.resolve("node1")).volume("v0", 8 << 20).volume("v1", 4 << 20)
                .portals("127.0.9.7:" + a).start();
        runtime = HostRuntime.start(config(target.portals()).withApi(null));
        assertThat(runtime.controlApi()).isEmpty();
        List<String> added = new CopyOnWriteArrayList<>();
        List<String> removed = new CopyOnWriteArrayList<>();
        runtime.addExportListener(new HostRuntime.ExportListener() {
            @Override
            public void exportAdded(ExportView e) {
                added.add(e.name());
            }

            @Override
            public void exportRemoved(ExportView e) {
                removed.add(e.name());
            }
        });
        List<String> before = runtime.exports().stream().map(ExportView::name).toList();
        assertThat(before).hasSize(2);

        // Another node, other volumes, on the same portal: the sessions log in again and find them.
        target.close();
        target = TestTarget.in(dir.resolve("node2")).volume("w0", 16 << 20).portals("127.0.9.7:" + a).start();
        await().atMost(Duration.ofSeconds(15)).until(() -> removed.size() == 2 && added.size() == 1);
        assertThat(removed).containsExactlyInAnyOrderElementsOf(before);
        assertThat(runtime.exports()).hasSize(1);
        ExportView w0 = runtime.exports().get(0);
        assertThat(w0.sizeBytes()).isEqualTo(16 << 20);
        assertThat(runtime.nbd().exportNames()).containsExactly(w0.name());
        MultipathDevice d = runtime.multipath().device(w0.name()).orElseThrow();
        d.write(0, ByteBuffer.wrap(new byte[512]), false).get(10, TimeUnit.SECONDS);
    }
}
