package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.host.api.HostControlFile;
import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.InitiatorConfig;
import io.braid.host.iscsi.IscsiInitiator;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.iscsi.SessionSpec;
import io.braid.host.pr.PrCommands;
import io.braid.host.pr.PrFullStatus;
import io.braid.host.scsi.Cdbs;
import io.braid.host.scsi.ScsiStatus;
import io.braid.node.api.ManagementApi;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code braid host pr ...} against the node's persistent reservations, end to end: {@code braid
 * up} (four paths), the key registered while a portal is down reaches that portal's paths once
 * it is up again, a registrants only reservation holds other hosts (qemu-io over libiscsi, and a
 * raw initiator with its own name) out while fio verifies through the agent across the failure of
 * the holder's portal, a Write Exclusive reservation moves to a surviving path when its path
 * fails, and release and clear let the other hosts in again.
 */
class HostReservationTest {
    private static final String V = "v0";
    private static final String KEY = "0x0000000000000abc";
    private static final Duration BACK = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void reservationsFromTheHostAcrossPathsPortalFailuresAndOtherHosts() throws Exception {
        Tools.require("qemu-io");
        Tools.require("fio");
        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, V + ":64M")) {
            up.awaitActivePaths(V, 4, BACK);
            String data = up.data().toString();

            // Registered while portal 1 is down: only portal 0's paths get the key, at first.
            portal(up, "down", 1);
            up.awaitActivePaths(V, 2, BACK);
            Cli.Run reg = Cli.run("host", "pr", "register", V, "--key", "0xabc", "--data", data);
            assertThat(reg.exit()).as(reg.describe()).isZero();
            assertThat(reg.out()).contains("REGISTER AND IGNORE EXISTING KEY  ok");
            assertThat(keysOn(show(up), 0, up)).isEqualTo(2);
            assertThat(keysOn(show(up), 1, up)).isZero();
            portal(up, "up", 1);
            up.awaitActivePaths(V, 4, BACK);
            await().atMost(BACK).until(() -> keysOn(show(up), 1, up) == 2);
            JsonNode s = show(up);
            Set<String> isids = new HashSet<>();
            s.get("paths").forEach(p -> isids.add(p.get("isid").asText()));
            assertThat(isids).as("four I_T nexuses, four ISIDs: " + s).hasSize(4);
            // Seen from another I_T nexus too: READ FULL STATUS lists the agent's four nexuses with the key.
            String agentName = HostControlFile.read(up.data()).orElseThrow().initiatorName();
            try (IscsiInitiator observer = new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.it:observer"))) {
                String[] parts = up.iscsi(V).substring("iscsi://".length()).split("/");
                IscsiSession o = observer.open(new SessionSpec(parts[1], null,
                        new InetSocketAddress(up.portalHost(1), up.portalPort(1)), null));
                o.firstLogin().get(10, TimeUnit.SECONDS);
                PrFullStatus full = new PrCommands(new PathId("*", up.portal(1), parts[1], Integer.parseInt(parts[2])),
                        o, Duration.ofSeconds(10)).readFullStatus();
                assertThat(full.registrations()).hasSize(4).allSatisfy(r -> {
                    assertThat(r.initiatorName()).isEqualTo(agentName);
                    assertThat(r.key()).isEqualTo(0xabc);
                    assertThat(isids).contains(String.format("%012x", r.isid()));
                });
                o.close();
            }

            // Registrants only: this host writes through every path, other hosts conflict.
            Cli.Run res = Cli.run("host", "pr", "reserve", V, "--type", "wr-ex-ro", "--data", data);
            assertThat(res.exit()).as(res.describe()).isZero();
            s = show(up);
            assertThat(s.at("/reservation/type").asText()).isEqualTo("wr-ex-ro");
            assertThat(s.at("/reservation/key").asText()).isEqualTo(KEY);
            String holder = s.at("/reservation/holderPath").asText();
            int holderPortal = holder.endsWith("->" + up.portal(0)) ? 0 : 1;
            assertThat(holder).endsWith("->" + up.portal(holderPortal));

            try (IscsiInitiator other = new IscsiInitiator(InitiatorConfig.defaults("iqn.2026-11.io.braid.it:other"))) {
                try (FioRun fio = FioRun.start(dir, up.nbd(V), null, "--name=pr", "--rw=randwrite", "--bs=4k",
                        "--iodepth=8", "--size=16M", "--verify=crc32c", "--verify_backlog=128", "--verify_fatal=1",
                        "--time_based", "--runtime=15")) {
                    awaitProgress(up, fio);
                    assertOthersConflict(up, other, 1 - holderPortal);

                    // The holder's portal goes: registrants keep access, I/O goes on, the reservation holds.
                    portal(up, "down", holderPortal);
                    up.awaitActivePaths(V, 2, BACK);
                    awaitProgress(up, fio);
                    s = show(up);
                    assertThat(s.at("/reservation/type").asText()).as(s.toString()).isEqualTo("wr-ex-ro");
                    assertOthersConflict(up, other, 1 - holderPortal);
                    portal(up, "up", holderPortal);
                    up.awaitActivePaths(V, 4, BACK);
                    awaitProgress(up, fio);
                    ToolResult r = fio.await(Duration.ofSeconds(60));
                    assertThat(r.exitCode()).as(r.describe()).isZero();
                    for (JsonNode j : FioRun.json(r).get("jobs")) {
                        assertThat(j.get("error").asInt()).as(r.describe()).isZero();
                    }
                }
                assertThat(up.host("/devices/" + V).get("errors").asLong()).isZero();

                // Write Exclusive: when the holder's portal goes, the reservation moves to a survivor.
                Cli.Run rel = Cli.run("host", "pr", "release", V, "--data", data);
                assertThat(rel.exit()).as(rel.describe()).isZero();
                assertThat(show(up).get("reservation").isNull()).isTrue();
                res = Cli.run("host", "pr", "reserve", V, "--type", "wr-ex", "--data", data);
                assertThat(res.exit()).as(res.describe()).isZero();
                holder = show(up).at("/reservation/holderPath").asText();
                holderPortal = holder.endsWith("->" + up.portal(0)) ? 0 : 1;
                portal(up, "down", holderPortal);
                up.awaitActivePaths(V, 2, BACK);
                int survivor = 1 - holderPortal;
                await().atMost(BACK).until(() -> show(up).at("/reservation/holderPath").asText()
                        .endsWith("->" + up.portal(survivor)));
                s = show(up);
                assertThat(s.at("/reservation/type").asText()).isEqualTo("wr-ex");
                assertThat(s.at("/reservation/key").asText()).isEqualTo(KEY);
                assertThat(keysOn(s, survivor, up)).as("the survivors registered again after PREEMPT: " + s)
                        .isEqualTo(2);
                assertOthersConflict(up, other, survivor);
                portal(up, "up", holderPortal);
                up.awaitActivePaths(V, 4, BACK);
                await().atMost(BACK).until(() -> keysOn(show(up), 0, up) + keysOn(show(up), 1, up) == 4);

                // A second RESERVE by another type conflicts and says so.
                Cli.Run bad = Cli.run("host", "pr", "reserve", V, "--type", "ex-ac", "--data", data);
                assertThat(bad.exit()).as(bad.describe()).isEqualTo(6);
                assertThat(bad.err()).contains("RESERVATION CONFLICT").contains("reservation_conflict");

                rel = Cli.run("host", "pr", "release", V, "--data", data);
                assertThat(rel.exit()).as(rel.describe()).isZero();
                assertOthersWrite(up, other, 0);
                Cli.Run clear = Cli.run("host", "pr", "clear", V, "--data", data, "--output", "json");
                assertThat(clear.exit()).as(clear.describe()).isZero();
                s = ManagementApi.JSON.readTree(clear.out()).get("status");
                assertThat(s.get("key").isNull()).isTrue();
                assertThat(keysOn(s, 0, up) + keysOn(s, 1, up)).isZero();
                assertOthersWrite(up, other, 1);
            }
        }
    }

    private static void portal(BraidUpWithAgent up, String downOrUp, int i) {
        Cli.Run r = Cli.run("portal", downOrUp, up.portal(i), "--data", up.data().toString());
        assertThat(r.exit()).as(r.describe()).isZero();
    }

    private static JsonNode show(BraidUpWithAgent up) throws Exception {
        Cli.Run r = Cli.run("host", "pr", "show", V, "--data", up.data().toString(), "--output", "json");
        assertThat(r.exit()).as(r.describe()).isZero();
        return ManagementApi.JSON.readTree(r.out());
    }

    /** Paths to portal {@code i} with this host's key registered. */
    private static long keysOn(JsonNode show, int i, BraidUpWithAgent up) {
        long n = 0;
        for (JsonNode p : show.get("paths")) {
            if (p.get("storagePort").asText().equals(up.portal(i)) && KEY.equals(p.get("key").asText(null))) {
                n++;
            }
        }
        return n;
    }

    /** I/O completes through the agent (the device's request count grows) within a few seconds. */
    private static void awaitProgress(BraidUpWithAgent up, FioRun fio) throws Exception {
        long before = up.ios(V);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (up.ios(V) < before + 100) {
            assertThat(fio.isAlive()).as("fio ended early").isTrue();
            assertThat(System.nanoTime()).as("no I/O completed for 5 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static String iscsiUrl(BraidUpWithAgent up, int portal) {
        String u = up.iscsi(V);
        return "iscsi://" + up.portal(portal) + u.substring(u.indexOf('/', "iscsi://".length()));
    }

    /** qemu-io (libiscsi) cannot write but can read; a raw initiator's WRITE gets RESERVATION CONFLICT. */
    private static void assertOthersConflict(BraidUpWithAgent up, IscsiInitiator other, int portal) throws Exception {
        ToolResult w = Tools.run(Duration.ofSeconds(30), "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 4k",
                iscsiUrl(up, portal));
        assertThat(w.output()).as(w.describe()).contains("write failed");
        ToolResult rd = Tools.run(Duration.ofSeconds(30), "qemu-io", "-f", "raw", "-c", "read 0 4k",
                iscsiUrl(up, portal));
        assertThat(rd.exitCode()).as(rd.describe()).isZero();
        assertThat(rd.output()).as(rd.describe()).contains("read 4096/4096 bytes");
        ScsiOutcome o = rawWrite(up, other, portal);
        assertThat(o).isInstanceOf(ScsiOutcome.OtherStatus.class);
        assertThat(((ScsiOutcome.OtherStatus) o).scsiStatus()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
    }

    private static void assertOthersWrite(BraidUpWithAgent up, IscsiInitiator other, int portal) throws Exception {
        ToolResult w = Tools.run(Duration.ofSeconds(30), "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 4k",
                iscsiUrl(up, portal));
        assertThat(w.exitCode()).as(w.describe()).isZero();
        assertThat(w.output()).as(w.describe()).contains("wrote 4096/4096 bytes");
        assertThat(rawWrite(up, other, portal).isGood()).isTrue();
    }

    /** One WRITE (16) of a zero block from a session of the other initiator, unit attentions taken. */
    private static ScsiOutcome rawWrite(BraidUpWithAgent up, IscsiInitiator other, int portal) throws Exception {
        String u = up.iscsi(V);
        String[] parts = u.substring("iscsi://".length()).split("/");
        IscsiSession s = other.open(new SessionSpec(parts[1], null,
                new InetSocketAddress(up.portalHost(portal), up.portalPort(portal)), null));
        try {
            s.firstLogin().get(10, TimeUnit.SECONDS);
            int lun = Integer.parseInt(parts[2]);
            for (int i = 0; ; i++) {
                ScsiOutcome o = s.submit(ScsiRequest.write(lun, Cdbs.write16(0, 1, false),
                        Unpooled.wrappedBuffer(new byte[512]))).get(10, TimeUnit.SECONDS);
                if (!(o instanceof ScsiOutcome.CheckCondition) || i > 5) {
                    return o;
                }
            }
        } finally {
            s.close();
        }
    }
}
