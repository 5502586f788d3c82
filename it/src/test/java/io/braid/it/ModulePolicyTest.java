package io.braid.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.examples.latency.LatencyPolicyModule;
import io.braid.it.modules.FaultyModules;
import io.braid.node.api.ManagementApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Device policy modules in a running agent ({@code braid up}: node and host agent, four paths),
 * through the CLI, while fio writes and verifies through the NBD export: the example module is
 * loaded by discovery from the module directory, replaced by a new version, unloaded; a module
 * that throws and one that stalls are loaded and quarantined. fio must end without an error and
 * with every block it read back verified, and I/O must keep completing through every step.
 */
class ModulePolicyTest {
    private static final String V = "v0";
    private static final int RUNTIME_SECONDS = 45;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void loadReplaceUnloadAndQuarantineUnderVerifiedIo() throws Exception {
        Tools.require("fio");
        Path jars = dir.resolve("jars");
        Path data = dir.resolve("data");
        // Discovery's module directory, filled before the agent starts: the device's attributes match.
        ModuleJars.example(data.resolve("modules"), LatencyPolicyModule.class, "1.0-it");
        // Sorts first: discovery reports it and goes on to the next jar.
        Files.writeString(data.resolve("modules").resolve("a-broken.jar"), "junk");
        Path v2 = ModuleJars.copyWithVersion(data.resolve("modules").resolve("latency-policy-1.0-it.jar"),
                Files.createDirectories(jars).resolve("latency-policy-2.0-it.jar"), "2.0-it");
        Path throwing = ModuleJars.jar(jars.resolve("throwing.jar"), FaultyModules.Throwing.class, "1");
        Path stalling = ModuleJars.jar(jars.resolve("stalling.jar"), FaultyModules.Stalling.class, "1");

        try (BraidUpWithAgent up = BraidUpWithAgent.start(dir, V + ":64M")) {
            up.awaitActivePaths(V, 4, Duration.ofSeconds(30));
            String name = LatencyPolicyModule.NAME;
            awaitPolicy(up, name + " 1.0-it");
            JsonNode loaded = module(up, name);
            assertThat(loaded.get("builtin").asBoolean()).isFalse();
            assertThat(loaded.get("devices").asInt()).isEqualTo(1);
            assertThat(events(up)).anyMatch(e -> e.contains("module-error") && e.contains("a-broken.jar"));

            try (FioRun fio = FioRun.start(dir, up.nbd(V), null, "--name=modules", "--rw=randwrite",
                    "--bs=4k", "--iodepth=16", "--numjobs=2", "--size=16M", "--offset_increment=16M",
                    "--verify=crc32c", "--verify_backlog=256", "--verify_fatal=1", "--time_based",
                    "--runtime=" + RUNTIME_SECONDS)) {
                List<String> log = new ArrayList<>();
                awaitProgress(up, fio, "under " + name + " 1.0-it");
                long decisions = module(up, name).get("decisions").asLong();
                assertThat(decisions).as("the example module selects the paths").isGreaterThan(100);

                log.add("replace with 2.0-it");
                Cli.Run load = cli(up, "load", v2.toString());
                assertThat(load.out()).contains("loaded " + name + " 2.0-it");
                awaitPolicy(up, name + " 2.0-it");
                await().atMost(Duration.ofSeconds(35)).pollInterval(Duration.ofMillis(100))
                        .until(() -> events(up).stream().anyMatch(e -> e.contains("module-unloaded")
                                && e.contains(name + " 1.0-it out of memory")));
                assertThat(events(up)).anyMatch(e -> e.contains(name + " 1.0-it out of memory")
                        && e.contains("no I/O was inside it"));
                awaitProgress(up, fio, log.getLast());

                log.add("unload");
                Cli.Run unload = cli(up, "unload", name);
                assertThat(unload.out()).contains("unloaded " + name);
                awaitPolicy(up, "service-time");
                assertThat(list(up)).noneMatch(m -> m.get("name").asText().equals(name));
                awaitProgress(up, fio, log.getLast());

                for (Path faulty : List.of(throwing, stalling)) {
                    String module = faulty.getFileName().toString().replace(".jar", "");
                    log.add("load " + module);
                    cli(up, "load", faulty.toString());
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                            .until(() -> module(up, module).get("state").asText().equals("quarantined"));
                    awaitPolicy(up, "service-time");
                    JsonNode q = module(up, module);
                    assertThat(q.get("errors").asLong()).isPositive();
                    assertThat(events(up)).anyMatch(e -> e.contains("module-quarantined") && e.contains(module));
                    awaitProgress(up, fio, log.getLast());
                    cli(up, "unload", module);
                }
                Cli.Run text = cli(up, "list");
                assertThat(text.out()).contains("NAME").contains("service-time").contains("MEAN-DECISION");

                assertThat(fio.isAlive()).as("the steps ran while fio was writing: " + log).isTrue();
                ToolResult r = fio.await(Duration.ofSeconds(RUNTIME_SECONDS + 60));
                assertThat(r.exitCode()).as(r.describe()).isZero();
                long written = 0;
                long verified = 0;
                for (JsonNode j : FioRun.json(r).get("jobs")) {
                    assertThat(j.get("error").asInt()).as(r.describe()).isZero();
                    written += j.at("/write/total_ios").asLong();
                    verified += j.at("/read/total_ios").asLong();
                }
                assertThat(written).isGreaterThan(1000);
                assertThat(verified).as("blocks read back and verified").isGreaterThan(1000);
                JsonNode device = up.host("/devices/" + V);
                assertThat(device.get("errors").asLong()).as(device.toString()).isZero();
                System.out.printf("modules: %d writes, %d verified reads, 0 errors; steps: %s%n", written, verified,
                        log);
            }
        }
    }

    private static Cli.Run cli(BraidUpWithAgent up, String... args) {
        List<String> all = new ArrayList<>(List.of("host", "module"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data", up.data().toString()));
        Cli.Run r = Cli.run(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    private static List<JsonNode> list(BraidUpWithAgent up) throws Exception {
        Cli.Run r = cli(up, "list", "--output", "json");
        List<JsonNode> out = new ArrayList<>();
        ManagementApi.JSON.readTree(r.out()).forEach(out::add);
        return out;
    }

    private static JsonNode module(BraidUpWithAgent up, String name) throws Exception {
        return up.host("/modules/" + name);
    }

    private static List<String> events(BraidUpWithAgent up) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : up.host("/events")) {
            out.add(e.get("type").asText() + " " + e.path("message").asText());
        }
        return out;
    }

    private static void awaitPolicy(BraidUpWithAgent up, String policy) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> up.host("/devices/" + V).get("policy").asText().equals(policy));
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
