package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.node.api.ManagementApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code braid host devices} and {@code braid host paths} (JSON and text) against the real
 * topology of {@code braid up}: two volumes, two host ports × two portals, checked against what
 * the node itself reports ({@code braid status}, {@code braid volume list}, {@code braid portal
 * list}) and the kernel's socket table; then again with a portal down.
 */
class HostTopologyTest {
    private static final List<String> HOST_PORTS = List.of("127.0.0.1", "127.0.0.2");

    @TempDir
    Path dir;

    @Test
    void devicesAndPathsMatchTheNodeAndTheSockets() throws Exception {
        Tools.require("ss");
        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, "v0:32M", "db:16M")) {
            String data = up.data().toString();
            up.awaitActivePaths("v0", 4, Duration.ofSeconds(30));
            up.awaitActivePaths("db", 4, Duration.ofSeconds(30));
            JsonNode status = json(Cli.run("status", "--data", data, "--output", "json"));
            JsonNode volumes = json(Cli.run("volume", "list", "--data", data, "--output", "json"));
            String target = status.get("targetIqn").asText();
            Set<String> storagePorts = Set.of(up.portal(0), up.portal(1));

            JsonNode devices = json(Cli.run("host", "devices", "--data", data, "--output", "json"));
            assertThat(devices).hasSize(2);
            for (JsonNode volume : volumes) {
                String name = volume.get("name").asText();
                JsonNode d = find(devices, "name", name);
                assertThat(d.get("lunSerial").asText()).isEqualTo(volume.get("id").asText().replace("-", ""));
                assertThat(d.get("enclosureSerial").asText()).isEqualTo(status.get("nodeId").asText().replace("-", ""));
                assertThat(d.get("sizeBytes").asLong()).isEqualTo(volume.get("sizeBytes").asLong());
                assertThat(d.get("vendor").asText()).isEqualTo("BRAID");
                assertThat(d.get("arrayType").asText()).isEqualTo("braid");
                assertThat(d.get("id").asText()).startsWith("naa.");
                assertThat(d.get("pathCount").asInt()).isEqualTo(4);
                assertThat(d.get("activePaths").asInt()).isEqualTo(4);
                assertThat(d.get("export").asText()).isEqualTo(up.nbd(name));
                Set<String> pairs = new TreeSet<>();
                for (JsonNode p : d.get("paths")) {
                    assertThat(p.get("target").asText()).isEqualTo(target);
                    assertThat(p.get("lun").asInt()).isEqualTo(volume.get("lun").asInt());
                    assertThat(p.get("state").asText()).isEqualTo("active");
                    assertThat(p.get("connection").asText()).isEqualTo("connected");
                    assertThat(p.get("deviceId").asText()).isEqualTo(d.get("id").asText());
                    assertThat(HOST_PORTS).contains(p.get("hostPort").asText());
                    assertThat(storagePorts).contains(p.get("storagePort").asText());
                    pairs.add(p.get("hostPort").asText() + "->" + p.get("storagePort").asText());
                }
                assertThat(pairs).as("every host port × every portal once").hasSize(4);
            }
            assertThat(devices.get(0).get("id").asText()).isNotEqualTo(devices.get(1).get("id").asText());

            // One session (one TCP connection) per host port × portal, shared by both LUNs.
            JsonNode portals = json(Cli.run("portal", "list", "--data", data, "--output", "json"));
            for (int i = 0; i < 2; i++) {
                assertThat(find(portals, "address", up.portal(i)).get("connections").asInt()).isEqualTo(2);
                for (String h : HOST_PORTS) {
                    assertThat(NetFaults.connections(h, up.portalHost(i), up.portalPort(i)))
                            .as(h + " -> " + up.portal(i)).isEqualTo(1);
                }
            }

            JsonNode paths = json(Cli.run("host", "paths", "--data", data, "--output", "json"));
            assertThat(paths).hasSize(8);
            List<String> rows = new ArrayList<>();
            for (JsonNode p : paths) {
                rows.add(p.get("device").asText() + " " + p.get("hostPort").asText() + " "
                        + p.get("storagePort").asText() + " " + p.get("state").asText());
            }
            assertThat(rows).containsExactlyInAnyOrderElementsOf(expected(up, "active", "active"));

            Cli.Run text = Cli.run("host", "devices", "--data", data);
            assertThat(text.exit()).as(text.describe()).isZero();
            assertThat(text.out()).contains("v0 (" + find(devices, "name", "v0").get("id").asText() + ") BRAID,Braid volume")
                    .contains("paths=4/4");

            // Portal 1 down: its two paths per device fail, the others stay.
            assertThat(Cli.run("portal", "down", up.portal(1), "--data", data).exit()).isZero();
            up.awaitActivePaths("v0", 2, Duration.ofSeconds(10));
            up.awaitActivePaths("db", 2, Duration.ofSeconds(10));
            JsonNode after = json(Cli.run("host", "paths", "--data", data, "--output", "json"));
            rows.clear();
            for (JsonNode p : after) {
                rows.add(p.get("device").asText() + " " + p.get("hostPort").asText() + " "
                        + p.get("storagePort").asText() + " " + p.get("state").asText());
                if (p.get("storagePort").asText().equals(up.portal(1))) {
                    assertThat(p.get("connection").asText()).isEqualTo("disconnected");
                }
            }
            assertThat(rows).containsExactlyInAnyOrderElementsOf(expected(up, "active", "failed"));
            assertThat(Cli.run("host", "devices", "--data", data).out()).contains("paths=2/4");
            assertThat(Cli.run("portal", "up", up.portal(1), "--data", data).exit()).isZero();
            up.awaitActivePaths("v0", 4, Duration.ofSeconds(30));
        }
    }

    private static List<String> expected(BraidUpWithAgent up, String onPortal0, String onPortal1) {
        List<String> rows = new ArrayList<>();
        for (String v : List.of("v0", "db")) {
            for (String h : HOST_PORTS) {
                rows.add(v + " " + h + " " + up.portal(0) + " " + onPortal0);
                rows.add(v + " " + h + " " + up.portal(1) + " " + onPortal1);
            }
        }
        return rows;
    }

    private static JsonNode json(Cli.Run r) throws Exception {
        assertThat(r.exit()).as(r.describe()).isZero();
        return ManagementApi.JSON.readTree(r.out());
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }
}
