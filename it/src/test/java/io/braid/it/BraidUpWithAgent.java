package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.host.api.HostControlFile;
import io.braid.node.api.ManagementApi;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code braid up} in its own JVM with two portals (127.0.0.1 and 127.0.0.2, free ports) and its
 * host agent on the default host ports 127.0.0.1 and 127.0.0.2: four paths to every volume, each
 * volume exported over NBD. Knows the printed URLs and reads the agent's control API.
 */
final class BraidUpWithAgent implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(90);
    private static final Pattern ISCSI = Pattern.compile("iSCSI (\\S+) iscsi://([0-9.]+):(\\d+)/(\\S+)/(\\d+)");
    private static final Pattern NBD = Pattern.compile("NBD (\\S+) (nbd\\+unix:///\\S+)");

    private final CliProcess process;
    private final Path data;
    private final List<String> portals = new ArrayList<>();
    private final Map<String, String> nbd = new LinkedHashMap<>();
    private final Map<String, String> iscsi = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private BraidUpWithAgent(CliProcess process, Path data) {
        this.process = process;
        this.data = data;
    }

    /** Starts {@code braid up} with {@code volumes} ({@code NAME:SIZE}) and waits for its lines. */
    static BraidUpWithAgent start(Path dir, String... volumes) throws Exception {
        Path data = dir.resolve("data");
        List<String> args = new ArrayList<>(List.of("up", "--data", data.toString(), "--name", "failover",
                "--portal", "127.0.0.1:0", "--portal", "127.0.0.2:0"));
        for (String v : volumes) {
            args.add("--volume");
            args.add(v);
        }
        CliProcess p = CliProcess.start(dir, args.toArray(String[]::new));
        BraidUpWithAgent up = new BraidUpWithAgent(p, data);
        try {
            for (String line : p.awaitLines(volumes.length * 3, START)) {
                Matcher i = ISCSI.matcher(line);
                Matcher n = NBD.matcher(line);
                if (i.matches()) {
                    String portal = i.group(2) + ":" + i.group(3);
                    if (!up.portals.contains(portal)) {
                        up.portals.add(portal);
                    }
                    up.iscsi.putIfAbsent(i.group(1), "iscsi://" + portal + "/" + i.group(4) + "/" + i.group(5));
                } else if (n.matches()) {
                    up.nbd.put(n.group(1), n.group(2));
                } else {
                    throw new AssertionError("unexpected line \"" + line + "\"\n" + p.describe());
                }
            }
            assertThat(up.portals).as(p.describe()).hasSize(2);
            assertThat(up.nbd).as(p.describe()).hasSize(volumes.length);
        } catch (Exception | AssertionError e) {
            up.close();
            throw e;
        }
        return up;
    }

    Path data() {
        return data;
    }

    CliProcess process() {
        return process;
    }

    /** {@code HOST:PORT} of portal 0 (127.0.0.1) or 1 (127.0.0.2). */
    String portal(int i) {
        return portals.get(i);
    }

    String portalHost(int i) {
        return portals.get(i).substring(0, portals.get(i).lastIndexOf(':'));
    }

    int portalPort(int i) {
        return Integer.parseInt(portals.get(i).substring(portals.get(i).lastIndexOf(':') + 1));
    }

    /** The NBD URL printed for {@code volume}. */
    String nbd(String volume) {
        return nbd.get(volume);
    }

    /** An iSCSI URL printed for {@code volume} (through portal 0). */
    String iscsi(String volume) {
        return iscsi.get(volume);
    }

    /** GET on the agent's control API, e.g. {@code /devices/v0}. */
    JsonNode host(String path) throws IOException, InterruptedException {
        HostControlFile control = HostControlFile.read(data).orElseThrow(
                () -> new AssertionError("no " + HostControlFile.CONTROL_FILE + "\n" + process.describe()));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(control.api() + "/api/v1" + path))
                .header("Authorization", "Bearer " + HostControlFile.readToken(data)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ManagementApi.JSON.readTree(r.body());
    }

    /** The paths of {@code volume}'s device in the given multipath state ({@code active}, {@code failed}). */
    List<String> paths(String volume, String state) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : host("/devices/" + volume).get("paths")) {
            if (p.get("state").asText().equals(state)) {
                out.add(p.get("hostPort").asText() + "->" + p.get("storagePort").asText());
            }
        }
        return out;
    }

    /** Waits until {@code volume} has {@code n} active paths. */
    void awaitActivePaths(String volume, int n, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> paths(volume, "active").size() == n);
    }

    /** Waits until {@code volume}'s device stats satisfy {@code condition}. */
    void awaitDevice(String volume, Duration timeout, Predicate<JsonNode> condition) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> condition.test(host("/devices/" + volume)));
    }

    /** The NBD requests the device has served so far. */
    long ios(String volume) throws IOException, InterruptedException {
        return host("/devices/" + volume).get("ios").asLong();
    }

    @Override
    public void close() {
        process.close();
    }
}
