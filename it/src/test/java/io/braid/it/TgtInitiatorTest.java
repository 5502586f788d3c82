package io.braid.it;

import io.braid.host.Endpoint;
import io.braid.host.HostAgent;
import io.braid.host.HostConfig;
import io.braid.host.discovery.Device;
import io.braid.host.discovery.Path;
import io.braid.host.iscsi.Authentication;
import io.braid.host.iscsi.DiscoveredTarget;
import io.braid.host.iscsi.InitiatorConfig;
import io.braid.host.iscsi.IscsiInitiator;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.LoginFailedException;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.iscsi.SessionSpec;
import io.braid.host.scsi.Cdbs;
import io.braid.iscsi.login.LoginStatus;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Braid's initiator against tgt, an independent target (tgtd with file backstores on a loopback
 * portal of its own): SendTargets, login with and without CHAP, discovery of tgt's LUNs (LUN 0 is
 * tgt's controller and is left out), data with tgt's defaults (InitialR2T=Yes, 8 KiB PDUs) and
 * many commands in flight.
 */
class TgtInitiatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PORTAL_HOST = "127.0.6.5";
    private static final String OPEN = "iqn.2026-11.test.tgt:open";
    private static final String GUARDED = "iqn.2026-11.test.tgt:guarded";
    private static final String INITIATOR = "iqn.2026-11.io.braid.it:tgt-initiator";
    private static final long SIZE = 64L << 20;

    private static java.nio.file.Path dir;
    private static Process tgtd;
    private static int controlPort;
    private static InetSocketAddress portal;

    @BeforeAll
    static void startTgt() throws Exception {
        Tools.require("tgtd");
        Tools.require("tgtadm");
        dir = Files.createTempDirectory("braid-tgt-");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(PORTAL_HOST))) {
            portal = new InetSocketAddress(PORTAL_HOST, s.getLocalPort());
        }
        // Control ports are at most 32767; this range keeps clear of other tgtd instances on the machine.
        controlPort = 6000 + (int) (ProcessHandle.current().pid() % 1000);
        tgtd = new ProcessBuilder(asRoot("tgtd", "-f", "-C", String.valueOf(controlPort),
                "--iscsi", "portal=" + PORTAL_HOST + ":" + portal.getPort()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("tgtd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Tools.run(TIMEOUT, asRoot("tgtadm", "-C", String.valueOf(controlPort), "--lld", "iscsi",
                "--mode", "target", "--op", "show").toArray(String[]::new)).exitCode() != 0) {
            if (System.nanoTime() > deadline || !tgtd.isAlive()) {
                throw new AssertionError("tgtd did not start: " + Files.readString(dir.resolve("tgtd.log")));
            }
            Thread.sleep(100);
        }
        target(1, OPEN, "open.img");
        target(2, GUARDED, "guarded.img");
        tgtadm("--mode", "account", "--op", "new", "--user", "hostuser", "--password", "host-secret-1");
        tgtadm("--mode", "account", "--op", "bind", "--tid", "2", "--user", "hostuser");
        tgtadm("--mode", "account", "--op", "new", "--user", "tgtuser", "--password", "target-secret-2");
        tgtadm("--mode", "account", "--op", "bind", "--tid", "2", "--user", "tgtuser", "--outgoing");
    }

    private static void target(int tid, String name, String image) throws IOException {
        java.nio.file.Path file = dir.resolve(image);
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE);
        }
        tgtadm("--mode", "target", "--op", "new", "--tid", String.valueOf(tid), "--targetname", name);
        tgtadm("--mode", "logicalunit", "--op", "new", "--tid", String.valueOf(tid), "--lun", "1",
                "--backing-store", file.toString());
        tgtadm("--mode", "target", "--op", "bind", "--tid", String.valueOf(tid), "--initiator-address", "ALL");
    }

    private static void tgtadm(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tgtadm", "-C", String.valueOf(controlPort), "--lld", "iscsi"));
        cmd.addAll(List.of(args));
        Tools.ok(TIMEOUT, asRoot(cmd.toArray(String[]::new)).toArray(String[]::new));
    }

    /** tgtd needs root for its control socket; CI runners reach it with passwordless sudo. */
    private static List<String> asRoot(String... command) {
        List<String> out = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            out.addAll(List.of("sudo", "-n"));
        }
        out.addAll(List.of(command));
        return out;
    }

    @AfterAll
    static void stopTgt() throws Exception {
        if (tgtd != null) {
            // tgtd ignores SIGTERM while it serves targets; the sessions are already logged out.
            if (!"root".equals(System.getProperty("user.name"))) {
                Tools.run(TIMEOUT, "sudo", "-n", "kill", "-KILL", String.valueOf(tgtd.pid()));
            }
            tgtd.destroyForcibly();
            tgtd.waitFor(10, TimeUnit.SECONDS);
            Tools.run(TIMEOUT, asRoot("rm", "-f", "/var/run/tgtd/socket." + controlPort,
                    "/var/run/tgtd/socket." + controlPort + ".lock").toArray(String[]::new));
        }
        if (dir != null) {
            for (File f : dir.toFile().listFiles()) {
                f.delete();
            }
            Files.deleteIfExists(dir);
        }
    }

    private static HostConfig hostConfig(List<String> hostPorts, List<String> targets) throws Exception {
        List<InetAddress> ports = new ArrayList<>();
        for (String h : hostPorts) {
            ports.add(InetAddress.getByName(h));
        }
        HostConfig c = HostConfig.of(INITIATOR, ports, List.of(new Endpoint(PORTAL_HOST, portal.getPort())))
                .withRescanInterval(Duration.ZERO);
        return new HostConfig(c.initiatorName(), null, c.hostPorts(), c.portals(), true, targets, c.auth(),
                c.discoveryAuth(), c.pingInterval(), c.pingTimeout(), c.commandTimeout(), c.loginTimeout(),
                c.taskManagementTimeout(), c.logoutTimeout(), c.reconnect(), c.rescanInterval(),
                c.maxQueuedCommands(), c.negotiation());
    }

    @Test
    void discoversTgtsDisk() throws Exception {
        try (IscsiInitiator initiator = new IscsiInitiator(InitiatorConfig.defaults(INITIATOR))) {
            List<DiscoveredTarget> found = initiator.sendTargets(null, portal, Authentication.NONE)
                    .get(30, TimeUnit.SECONDS);
            assertThat(found).extracting(DiscoveredTarget::name).contains(OPEN, GUARDED);
        }
        HostConfig open = hostConfig(List.of("127.0.6.21", "127.0.6.22"), List.of(OPEN));
        HostConfig guarded = hostConfig(List.of("127.0.6.21", "127.0.6.22"), List.of(GUARDED))
                .withAuth(Authentication.mutualChap("hostuser", "host-secret-1", "tgtuser", "target-secret-2"));
        for (HostConfig config : List.of(open, guarded)) {
            try (HostAgent agent = HostAgent.start(config)) {
                // LUN 1 of the target, through each host port; tgt's LUN 0 controller is left out.
                List<Device> devices = agent.devices();
                assertThat(devices).hasSize(1);
                Device d = devices.get(0);
                assertThat(d.vendor()).isEqualTo("IET");
                assertThat(d.product()).isEqualTo("VIRTUAL-DISK");
                assertThat(d.capacityBytes()).isEqualTo(SIZE);
                assertThat(d.blockSize()).isEqualTo(512);
                assertThat(d.arrayType()).isEqualTo("generic");
                assertThat(d.pathCount()).isEqualTo(2);
                assertThat(d.connectedPaths()).hasSize(2);
                assertThat(d.paths()).extracting(Path::lun).containsOnly(1);
                assertThat(d.paths()).extracting(Path::hostPort).containsOnly("127.0.6.21", "127.0.6.22");
                assertThat(d.lunSerial()).startsWith("beaf");
                assertThat(agent.paths()).hasSize(2);
            }
        }
    }

    @Test
    void dataWithTgtsDefaults() throws Exception {
        try (IscsiInitiator initiator = new IscsiInitiator(InitiatorConfig.defaults(INITIATOR))) {
            IscsiSession s = initiator.open(new SessionSpec(OPEN, InetAddress.getByName("127.0.6.21"), portal,
                    Authentication.NONE));
            s.firstLogin().get(30, TimeUnit.SECONDS);
            takeUnitAttentions(s);
            assertThat(s.parameters().initialR2T()).isTrue(); // tgt insists: every Data-Out beyond immediate data is solicited
            Random random = new Random(42);
            int[] sizes = {512, 8192, 8192 + 512, 65536 + 4096, 1 << 20, 4 << 20};
            long lba = 0;
            for (int size : sizes) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                write(s, lba, data);
                assertThat(read(s, lba, size)).isEqualTo(data);
                lba += size / 512 + 1;
            }
            // Many commands in flight, each its own region, verified afterwards.
            int regions = 200;
            int size = 32 * 1024;
            List<byte[]> contents = new ArrayList<>();
            List<CompletableFuture<ScsiOutcome>> writes = new ArrayList<>();
            for (int i = 0; i < regions; i++) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                contents.add(data);
                ByteBuf buf = Unpooled.wrappedBuffer(data);
                writes.add(s.submit(ScsiRequest.write(1, Cdbs.write16(20000 + (long) i * size / 512, size / 512, false), buf)));
                buf.release();
            }
            for (CompletableFuture<ScsiOutcome> w : writes) {
                assertThat(w.get(60, TimeUnit.SECONDS).isGood()).isTrue();
            }
            List<CompletableFuture<ScsiOutcome>> reads = new ArrayList<>();
            for (int i = 0; i < regions; i++) {
                reads.add(s.submit(ScsiRequest.read(1, Cdbs.read16(20000 + (long) i * size / 512, size / 512), size)));
            }
            for (int i = 0; i < regions; i++) {
                ScsiOutcome r = reads.get(i).get(60, TimeUnit.SECONDS);
                try {
                    assertThat(ByteBufUtil.getBytes(((ScsiOutcome.Good) r).data())).isEqualTo(contents.get(i));
                } finally {
                    r.release();
                }
            }
            ScsiOutcome beyond = s.submit(ScsiRequest.read(1, Cdbs.read16(SIZE / 512, 1), 512)).get(30, TimeUnit.SECONDS);
            assertThat(beyond).isInstanceOfSatisfying(ScsiOutcome.CheckCondition.class,
                    c -> assertThat(c.sense().key()).isEqualTo(SenseKey.ILLEGAL_REQUEST));
            s.close();
        }
    }

    @Test
    void chapWithTgt() throws Exception {
        try (IscsiInitiator initiator = new IscsiInitiator(InitiatorConfig.defaults(INITIATOR))) {
            IscsiSession oneWay = initiator.open(new SessionSpec(GUARDED, null, portal,
                    Authentication.chap("hostuser", "host-secret-1")));
            oneWay.firstLogin().get(30, TimeUnit.SECONDS);
            IscsiSession wrong = initiator.open(new SessionSpec(GUARDED, null, portal,
                    Authentication.chap("hostuser", "wrong-secret-9")));
            assertThatThrownBy(() -> wrong.firstLogin().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(LoginFailedException.class)
                    .satisfies(e -> assertThat(((LoginFailedException) e).status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE));
            IscsiSession impostor = initiator.open(new SessionSpec(GUARDED, null, portal,
                    Authentication.mutualChap("hostuser", "host-secret-1", "tgtuser", "not-the-target-secret")));
            assertThatThrownBy(() -> impostor.firstLogin().get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(LoginFailedException.class).hasMessageContaining("target's CHAP response is wrong");
            wrong.close();
            impostor.close();
        }
    }

    private static void takeUnitAttentions(IscsiSession s) throws Exception {
        for (int i = 0; i < 8; i++) {
            ScsiOutcome o = s.submit(ScsiRequest.noData(1, Cdbs.testUnitReady())).get(30, TimeUnit.SECONDS);
            if (o.isGood()) {
                return;
            }
        }
        throw new AssertionError("LUN 1 never became ready");
    }

    private static void write(IscsiSession s, long lba, byte[] data) throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        ScsiOutcome w = s.submit(ScsiRequest.write(1, Cdbs.write16(lba, data.length / 512, false), buf))
                .get(60, TimeUnit.SECONDS);
        buf.release();
        assertThat(w.isGood()).as("write of %d bytes: %s", data.length, w).isTrue();
    }

    private static byte[] read(IscsiSession s, long lba, int length) throws Exception {
        ScsiOutcome r = s.submit(ScsiRequest.read(1, Cdbs.read16(lba, length / 512), length)).get(60, TimeUnit.SECONDS);
        try {
            assertThat(r.isGood()).as("read of %d bytes: %s", length, r).isTrue();
            return ByteBufUtil.getBytes(((ScsiOutcome.Good) r).data());
        } finally {
            r.release();
        }
    }
}
