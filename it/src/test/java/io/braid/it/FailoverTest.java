package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover that the application never sees: {@code braid up} (node and host agent, two host ports
 * × two portals = four paths), fio writing and verifying through the NBD export while paths are
 * cut again and again by the kernel and the node: connections reset ({@code ss -K}), a portal
 * taken down and up through the management API ({@code braid portal down|up}), a path made
 * silent (nftables drops its packets), two paths at once. fio must end without an error and with
 * every block it read back verified, and I/O must keep completing through every fault.
 */
class FailoverTest {
    private static final String V = "v0";
    private static final Duration BACK = Duration.ofSeconds(30);
    /** How long fio runs; the faults below take about 25 s. */
    private static final int RUNTIME_SECONDS = 40;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fioVerifiesThroughRepeatedPathFaultsWithoutAnError() throws Exception {
        NetFaults.require();
        Tools.require("fio");
        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, V + ":64M")) {
            up.awaitActivePaths(V, 4, BACK);
            String a = up.portalHost(0);
            int aPort = up.portalPort(0);
            String b = up.portalHost(1);
            int bPort = up.portalPort(1);
            // Two jobs, two NBD connections, each verifying its own 16 MiB as it writes.
            try (FioRun fio = FioRun.start(dir, up.nbd(V), null, "--name=failover", "--rw=randwrite",
                    "--bs=4k", "--iodepth=16", "--numjobs=2", "--size=16M", "--offset_increment=16M",
                    "--verify=crc32c", "--verify_backlog=256", "--verify_fatal=1", "--time_based",
                    "--runtime=" + RUNTIME_SECONDS)) {
                List<String> log = new ArrayList<>();
                awaitProgress(up, fio, "before any fault");

                log.add("reset 127.0.0.1->" + up.portal(0));
                assertThat(NetFaults.reset("127.0.0.1", a, aPort)).isEqualTo(1);
                awaitProgress(up, fio, log.getLast());
                up.awaitActivePaths(V, 4, BACK);

                log.add("reset every connection to " + up.portal(1));
                assertThat(NetFaults.resetAll(b, bPort)).isEqualTo(2);
                awaitProgress(up, fio, log.getLast());
                up.awaitActivePaths(V, 4, BACK);

                log.add("portal down " + up.portal(1));
                Cli.Run down = Cli.run("portal", "down", up.portal(1), "--data", up.data().toString());
                assertThat(down.exit()).as(down.describe()).isZero();
                up.awaitActivePaths(V, 2, BACK);
                assertThat(up.paths(V, "failed")).containsExactlyInAnyOrder(
                        "127.0.0.1->" + up.portal(1), "127.0.0.2->" + up.portal(1));
                awaitProgress(up, fio, log.getLast());
                Cli.Run upAgain = Cli.run("portal", "up", up.portal(1), "--data", up.data().toString());
                assertThat(upAgain.exit()).as(upAgain.describe()).isZero();
                up.awaitActivePaths(V, 4, BACK);

                log.add("silent 127.0.0.2->" + up.portal(0));
                try (NetFaults.Silence silence = NetFaults.silence("127.0.0.2", a, aPort)) {
                    awaitProgress(up, fio, log.getLast());
                    // Found by the ping (1 s + 1 s): the path fails while its packets are still dropped.
                    up.awaitDevice(V, Duration.ofSeconds(10), d -> d.get("activePaths").asInt() == 3);
                    assertThat(up.paths(V, "failed")).containsExactly("127.0.0.2->" + up.portal(0));
                    awaitProgress(up, fio, log.getLast());
                }
                up.awaitActivePaths(V, 4, BACK);

                log.add("reset 127.0.0.2->" + up.portal(1) + " and 127.0.0.1->" + up.portal(0) + " at once");
                NetFaults.reset("127.0.0.2", b, bPort);
                NetFaults.reset("127.0.0.1", a, aPort);
                awaitProgress(up, fio, log.getLast());
                up.awaitActivePaths(V, 4, BACK);

                assertThat(fio.isAlive()).as("the faults ran while fio was writing: " + log).isTrue();
                ToolResult r = fio.await(Duration.ofSeconds(RUNTIME_SECONDS + 60));
                assertThat(r.exitCode()).as(r.describe()).isZero();
                JsonNode job = FioRun.json(r).get("jobs");
                long written = 0;
                long verified = 0;
                for (JsonNode j : job) {
                    assertThat(j.get("error").asInt()).as(r.describe()).isZero();
                    written += j.at("/write/total_ios").asLong();
                    verified += j.at("/read/total_ios").asLong();
                }
                assertThat(written).isGreaterThan(1000);
                assertThat(verified).as("blocks read back and verified").isGreaterThan(1000);
                JsonNode device = up.host("/devices/" + V);
                assertThat(device.get("errors").asLong()).as(device.toString()).isZero();
                assertThat(device.get("pathFailures").asLong()).as(device.toString()).isGreaterThanOrEqualTo(7);
                System.out.printf("failover: %d writes, %d verified reads, %d path failures, %d retries,"
                        + " 0 errors; faults: %s%n", written, verified, device.get("pathFailures").asLong(),
                        device.get("retries").asLong(), log);
            }
        }
    }

    /** I/O completes (the device's request count grows) within a few seconds of {@code when}. */
    private static void awaitProgress(BraidUpWithAgent up, FioRun fio, String when) throws Exception {
        long before = up.ios(V);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (up.ios(V) < before + 200) {
            assertThat(fio.isAlive()).as("fio ended early, " + when).isTrue();
            assertThat(System.nanoTime()).as("no I/O completed for 5 s after: " + when).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
