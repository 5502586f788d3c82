package io.braid.node;

import io.braid.iscsi.target.AuthConfig;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.StatusView;
import io.braid.node.api.VolumeView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageNodeTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private NodeConfig config(String portal, VolumeSpec... volumes) {
        return new NodeConfig("unit", dir.resolve("data"),
                List.of(new PortalSpec(HostPort.parse(portal, 3260), 1)), List.of(volumes),
                AuthConfig.NONE, List.of(), new HostPort("127.0.0.1", 0));
    }

    private static <T> T get(StorageNode node, String path, Class<T> type) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(node.apiUri() + "/api/v1" + path))
                .header("Authorization", "Bearer " + ControlFile.readToken(node.dataDirectory()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ManagementApi.JSON.readValue(r.body(), type);
    }

    @Test
    void servesLeavesAControlFileAndStopsCleanly() throws Exception {
        StorageNode node = StorageNode.start(config("127.0.0.1:0",
                new VolumeSpec("v0", 8 * MIB, 0, false), new VolumeSpec("v1", 4 * MIB, 1, true)));
        try {
            int port = node.portals().get(0).port();
            assertThat(port).isPositive();
            try (Socket s = new Socket("127.0.0.1", port)) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(node.state()).isEqualTo(StorageNode.State.RUNNING);
            assertThat(node.announcements()).containsExactly(
                    "iSCSI v0 iscsi://127.0.0.1:" + port + "/iqn.2026-11.io.braid:unit/0",
                    "iSCSI v1 iscsi://127.0.0.1:" + port + "/iqn.2026-11.io.braid:unit/1");

            ControlFile control = ControlFile.read(node.dataDirectory()).orElseThrow();
            assertThat(control.api()).isEqualTo(node.apiUri().toString());
            assertThat(control.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(control.targetIqn()).isEqualTo("iqn.2026-11.io.braid:unit");
            assertThat(ControlFile.readToken(node.dataDirectory())).isEqualTo(node.apiToken());

            StatusView status = get(node, "/status", StatusView.class);
            assertThat(status.state()).isEqualTo("RUNNING");
            assertThat(status.volumes()).isEqualTo(2);
            assertThat(status.portals()).containsExactly(
                    new StatusView.PortalView("127.0.0.1:" + port, 1));
            VolumeView[] volumes = get(node, "/volumes", VolumeView[].class);
            assertThat(volumes).extracting(VolumeView::name).containsExactly("v0", "v1");
            assertThat(volumes[1].readOnly()).isTrue();
            assertThat(volumes[0].id()).isEqualTo(node.volumes().get(0).id().toString());
        } finally {
            node.close();
        }
        assertThat(node.state()).isEqualTo(StorageNode.State.STOPPED);
        assertThat(node.awaitStopped(Duration.ZERO)).isTrue();
        assertThat(ControlFile.read(dir.resolve("data"))).isEmpty();
        node.close(); // harmless
    }

    @Test
    void memoryVolumesStartEmptyWithANewIdentityAndNeverShadowAFileVolume() throws Exception {
        NodeConfig config = config("127.0.0.1:0", new VolumeSpec("v0", 8 * MIB, 0, false),
                new VolumeSpec("m", 16 * MIB, 1, false, VolumeSpec.Backing.MEMORY));
        VolumeRecord first;
        try (StorageNode node = StorageNode.start(config)) {
            assertThat(node.volumes()).extracting(VolumeRecord::name).containsExactly("v0", "m");
            first = node.volumes().get(1);
            assertThat(first.sizeBytes()).isEqualTo(16 * MIB);
            assertThat(java.nio.file.Files.exists(dir.resolve("data/volumes/m.img"))).as("nothing on disk").isFalse();
        }
        try (StorageNode node = StorageNode.start(config)) {
            assertThat(node.volumes().get(1).id()).as("an empty disk is a new disk").isNotEqualTo(first.id());
        }
        assertThatThrownBy(() -> StorageNode.start(config("127.0.0.1:0",
                new VolumeSpec("v0", 8 * MIB, 0, false, VolumeSpec.Backing.MEMORY))))
                .isInstanceOf(VolumeCatalog.VolumeConflictException.class)
                .hasMessageContaining("volume v0 exists as a file volume");
    }

    @Test
    void identitiesSurviveARestart() throws Exception {
        NodeConfig config = config("127.0.0.1:0", new VolumeSpec("v0", 8 * MIB, 0, false));
        VolumeRecord first;
        String nodeId;
        try (StorageNode node = StorageNode.start(config)) {
            first = node.volumes().get(0);
            nodeId = get(node, "/status", StatusView.class).nodeId();
        }
        try (StorageNode node = StorageNode.start(config)) {
            assertThat(node.volumes()).containsExactly(first);
            assertThat(get(node, "/status", StatusView.class).nodeId()).isEqualTo(nodeId);
        }
    }

    @Test
    void aSecondNodeOnTheSameDataDirectoryIsRefused() throws Exception {
        NodeConfig config = config("127.0.0.1:0", new VolumeSpec("v0", 8 * MIB, 0, false));
        try (StorageNode node = StorageNode.start(config)) {
            assertThatThrownBy(() -> StorageNode.start(config))
                    .isInstanceOf(DataDirectory.DataDirectoryInUseException.class);
            assertThat(node.state()).isEqualTo(StorageNode.State.RUNNING);
            assertThat(ControlFile.read(node.dataDirectory())).isPresent();
        }
    }

    @Test
    void aTakenPortalIsNamedAndNothingIsLeftBehind() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String taken = "127.0.0.1:" + busy.getLocalPort();
            assertThatThrownBy(() -> StorageNode.start(config(taken,
                    new VolumeSpec("v0", 8 * MIB, 0, false))))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("iSCSI portal " + taken + " is already in use by another process"
                            + " (stop it, or choose another address)");
        }
        assertThat(ControlFile.read(dir.resolve("data"))).isEmpty();
        // The data directory and the volume file were released: the next start works.
        try (StorageNode node = StorageNode.start(config("127.0.0.1:0",
                new VolumeSpec("v0", 8 * MIB, 0, false)))) {
            assertThat(node.state()).isEqualTo(StorageNode.State.RUNNING);
        }
    }

    @Test
    void aWildcardPortalIsAnnouncedOnLoopback() throws Exception {
        try (StorageNode node = StorageNode.start(config("0.0.0.0:0",
                new VolumeSpec("v0", 8 * MIB, 0, false)))) {
            int port = node.portals().get(0).port();
            assertThat(node.urls(0)).containsExactly(
                    "iscsi://127.0.0.1:" + port + "/iqn.2026-11.io.braid:unit/0");
        }
    }

    private static HttpResponse<String> post(StorageNode node, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(node.apiUri() + "/api/v1" + path))
                .header("Authorization", "Bearer " + ControlFile.readToken(node.dataDirectory()))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void volumesLiveOnThePageStoreWhoseDrivesTheApiManages() throws Exception {
        Path data = dir.resolve("data");
        try (StorageNode node = StorageNode.start(config("127.0.0.1:0",
                new VolumeSpec("v0", 8 * MIB, 0, false), new VolumeSpec("ro", 4 * MIB, 1, true)))) {
            for (int i = 0; i < 4; i++) {
                assertThat(data.resolve("drives/d" + i)).exists();
            }
            assertThat(data.resolve("volumes/v0.img")).doesNotExist();
            io.braid.store.page.PageVolume v0 = node.pageStore().volumes().stream()
                    .filter(v -> v.name().equals("v0")).findFirst().orElseThrow();
            assertThat(v0.id()).isEqualTo(node.volumes().get(0).id());
            v0.write(0, java.nio.ByteBuffer.wrap(new byte[4096]), false);

            io.braid.node.api.DriveView[] drives = get(node, "/drives", io.braid.node.api.DriveView[].class);
            assertThat(drives).extracting(io.braid.node.api.DriveView::name).containsExactly("d0", "d1", "d2", "d3");
            assertThat(drives).allSatisfy(d -> {
                assertThat(d.state()).isEqualTo("ONLINE");
                assertThat(d.capacityBytes()).isPositive();
            });
            VolumeView[] volumes = get(node, "/volumes", VolumeView[].class);
            assertThat(volumes[0].allocatedBytes()).isEqualTo(4 * MIB);
            assertThat(volumes[1].allocatedBytes()).isZero();

            HttpResponse<String> fail = post(node, "/drives/d3/fail", null);
            assertThat(fail.statusCode()).as(fail.body()).isEqualTo(200);
            assertThat(fail.body()).contains("\"state\":\"FAILED\"");
            HttpResponse<String> again = post(node, "/drives/d3/fail", null);
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(again.body()).contains("\"code\":\"conflict\"");
            assertThat(post(node, "/drives/d9/fail", null).statusCode()).isEqualTo(404);
            assertThat(post(node, "/drives/sda/replace", null).statusCode()).isEqualTo(404);
            assertThat(post(node, "/drives/d0/replace", null).statusCode()).isEqualTo(409);
            HttpResponse<String> replace = post(node, "/drives/d3/replace", null);
            assertThat(replace.statusCode()).as(replace.body()).isEqualTo(200);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    get(node, "/drives", io.braid.node.api.DriveView[].class)[3].state().equals("ONLINE"));
            assertThat(node.driveEvents()).extracting(e -> e.to().name())
                    .containsExactly("FAILED", "REBUILDING", "ONLINE");

            HttpResponse<String> scrub = post(node, "/scrub", null);
            assertThat(scrub.statusCode()).as(scrub.body()).isEqualTo(200);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    get(node, "/scrub", io.braid.node.api.ScrubView.class).state().equals("DONE"));

        }
    }

    @Test
    void aVolumeGrowsOnlineAndKeepsItsSizeAfterARestart() throws Exception {
        NodeConfig config = config("127.0.0.1:0", new VolumeSpec("v0", 8 * MIB, 0, false));
        try (StorageNode node = StorageNode.start(config)) {
            HttpResponse<String> r = post(node, "/volumes/v0/resize", "{\"size\": \"16M\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(ManagementApi.JSON.readValue(r.body(), VolumeView.class).sizeBytes()).isEqualTo(16 * MIB);
            assertThat(node.volumes().get(0).sizeBytes()).isEqualTo(16 * MIB);
            assertThat(node.pageStore().volumes().get(0).blockCount()).isEqualTo(16 * MIB / 512);
            HttpResponse<String> shrink = post(node, "/volumes/v0/resize", "{\"sizeBytes\": 4194304}");
            assertThat(shrink.statusCode()).isEqualTo(400);
            assertThat(shrink.body()).contains("shrinking");
            assertThat(post(node, "/volumes/v0/resize", "{}").statusCode()).isEqualTo(400);
            assertThat(post(node, "/volumes/v9/resize", "{\"size\": \"1G\"}").statusCode()).isEqualTo(404);
        }
        // Started again with the size it was first given: it stays grown.
        try (StorageNode node = StorageNode.start(config)) {
            assertThat(node.volumes().get(0).sizeBytes()).isEqualTo(16 * MIB);
        }
        // A larger size in the configuration grows it too.
        try (StorageNode node = StorageNode.start(config("127.0.0.1:0", new VolumeSpec("v0", 24 * MIB, 0, false)))) {
            assertThat(node.pageStore().volumes().get(0).sizeBytes()).isEqualTo(24 * MIB);
        }
    }

    @Test
    void aFileVolumeOfAnEarlierBraidIsStillServedFromItsImage() throws Exception {
        Path volumes = dir.resolve("data/volumes");
        new VolumeCatalog(volumes).ensure(new VolumeSpec("old", 4 * MIB, 0, false));
        try (StorageNode node = StorageNode.start(config("127.0.0.1:0", new VolumeSpec("old", 4 * MIB, 0, false),
                new VolumeSpec("new", 4 * MIB, 1, false)))) {
            assertThat(node.pageStore().volumes()).extracting(io.braid.store.page.PageVolume::name)
                    .containsExactly("new");
            HttpResponse<String> r = post(node, "/volumes/old/resize", "{\"size\": \"8M\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("file volume");
        }
    }
}
