package io.braid.iscsi.target;

import io.braid.iscsi.pdu.LoginResponse;
import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.store.FileBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A portal taken down for a fault drill closes its connections (and the sessions on them),
 * refuses new ones, leaves the other portals alone, and serves again once brought up.
 */
class PortalDownTest {
    private static final String IQN = "iqn.2026-11.io.braid:portals";

    @TempDir
    Path dir;
    private FileBlockDevice device;
    private IscsiTargetServer server;
    private InetSocketAddress a;
    private InetSocketAddress b;

    @BeforeEach
    void start() throws Exception {
        device = FileBlockDevice.open(dir.resolve("v0.img"), 1 << 20);
        var scsi = ScsiTargets.create(ScsiTargetIdentity.braid("test", "0001", "portal-test"),
                List.of(new LogicalUnitSpec(0, "v0", UUID.randomUUID(), device, false)));
        server = new IscsiTargetServer(TargetServerConfig.of(
                List.of(new Portal("127.0.0.1", 0, 1), new Portal("127.0.0.2", 0, 1)),
                List.of(new TargetDefinition(IQN, null, scsi, List.of())), null));
        server.start();
        a = server.boundAddresses().get(0);
        b = server.boundAddresses().get(1);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        device.close();
    }

    @Test
    void aPortalDownClosesItsConnectionsAndRefusesNewOnesUntilUp() throws Exception {
        try (ScriptedInitiator onA = loggedIn(a, 0x400001000001L);
             ScriptedInitiator onB = loggedIn(b, 0x400001000002L);
             Socket idleOnA = new Socket(a.getAddress(), a.getPort())) {
            await().until(() -> server.portalStatus().get(0).connections() == 2);
            assertThat(server.sessions().list()).hasSize(2);

            PortalStatus down = server.portalDown(new InetSocketAddress("127.0.0.1", a.getPort()));
            assertThat(down.up()).isFalse();
            assertThat(down.connections()).isZero();
            assertThat(down.portal()).isEqualTo(new Portal("127.0.0.1", a.getPort(), 1));

            assertThat(onA.awaitClosed(5000)).as("logged-in connection closed").isTrue();
            idleOnA.setSoTimeout(5000);
            assertThat(idleOnA.getInputStream().read()).as("connection in login closed").isEqualTo(-1);
            assertThatThrownBy(() -> new Socket(a.getAddress(), a.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            await().until(() -> server.sessions().list().size() == 1);

            // The other portal and its session are untouched.
            assertThat(onB.awaitClosed(300)).isFalse();
            assertThat(server.portalStatus().get(1)).satisfies(s -> {
                assertThat(s.up()).isTrue();
                assertThat(s.connections()).isEqualTo(1);
            });

            // Twice is harmless.
            assertThat(server.portalDown(a).up()).isFalse();

            PortalStatus up = server.portalUp(a);
            assertThat(up.up()).isTrue();
            assertThat(up.bound()).isEqualTo(a);
            assertThat(server.portalUp(a).up()).isTrue();
            try (ScriptedInitiator again = loggedIn(a, 0x400001000001L)) {
                assertThat(again.awaitClosed(300)).isFalse();
                assertThat(server.portalStatus().get(0).connections()).isEqualTo(1);
            }
        }
    }

    @Test
    void aConnectionToAnotherPortalStaysOpen() throws Exception {
        try (Socket onB = new Socket(b.getAddress(), b.getPort())) {
            server.portalDown(a);
            onB.setSoTimeout(300);
            InputStream in = onB.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void anUnknownPortalIsNamedWithTheKnownOnes() {
        InetSocketAddress nowhere = new InetSocketAddress("127.0.0.3", a.getPort());
        assertThatThrownBy(() -> server.portalDown(nowhere))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessage("no portal 127.0.0.3:" + a.getPort() + " (portals: 127.0.0.1:" + a.getPort()
                        + ", 127.0.0.2:" + b.getPort() + ")");
        assertThatThrownBy(() -> server.portalUp(nowhere)).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void aDownPortalIsClosedWithTheServer() throws Exception {
        server.portalDown(a);
        server.close();
        assertThatThrownBy(() -> server.portalUp(a)).isInstanceOf(IllegalStateException.class);
    }

    private static ScriptedInitiator loggedIn(InetSocketAddress portal, long isid) throws Exception {
        ScriptedInitiator ini = new ScriptedInitiator(portal);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", "iqn.2026-11.io.braid:portal-test");
        keys.put("SessionType", "Normal");
        keys.put("TargetName", IQN);
        LoginResponse login = ini.login(isid, 1, keys);
        assertThat(login.statusClass()).isZero();
        login.release();
        return ini;
    }
}
