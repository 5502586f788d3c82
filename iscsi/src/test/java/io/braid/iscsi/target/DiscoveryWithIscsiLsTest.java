package io.braid.iscsi.target;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** SendTargets discovery and CHAP at the transport level, checked with libiscsi's iscsi-ls. */
class DiscoveryWithIscsiLsTest {
    private static final String IQN = "iqn.2026-11.io.braid:test";

    /** The transport never calls the core during discovery; any call fails the test. */
    private static final ScsiTarget NO_SCSI = new ScsiTarget() {
        public ScsiResult execute(ScsiTask task) {
            throw new AssertionError("no SCSI command expected in discovery");
        }

        public TaskManagementResponse manageTask(Nexus n, TaskManagementFunction f, long lun, long tag) {
            throw new AssertionError("no TMF expected in discovery");
        }

        public void nexusAdded(Nexus nexus) {
        }

        public void nexusRemoved(Nexus nexus) {
        }

        public List<Long> luns(Nexus nexus) {
            return List.of();
        }
    };

    private IscsiTargetServer server;

    @BeforeEach
    void requireTool() {
        boolean present = new java.io.File("/usr/bin/iscsi-ls").canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("iscsi-ls (libiscsi-bin) is required under CI");
        }
        assumeTrue(present, "iscsi-ls not installed");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private int start(AuthConfig auth) throws IOException {
        server = new IscsiTargetServer(TargetServerConfig.of(List.of(new Portal("127.0.0.1", 0, 1)),
                List.of(new TargetDefinition(IQN, "test", NO_SCSI, List.of())), auth));
        server.start();
        return server.boundAddresses().get(0).getPort();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @Test
    void sendTargetsListsTheTargetAndPortal() throws Exception {
        int port = start(AuthConfig.NONE);
        String out = run("iscsi-ls", "iscsi://127.0.0.1:" + port);
        assertThat(out).startsWith("exit=0").contains("Target:" + IQN + " Portal:127.0.0.1:" + port + ",1");
    }

    @Test
    void discoveryWithChap() throws Exception {
        int port = start(new AuthConfig(new ChapCredentials("alice", "s3cr3t-secret"), null, Map.of()));
        String ok = run("iscsi-ls", "iscsi://alice%s3cr3t-secret@127.0.0.1:" + port);
        assertThat(ok).startsWith("exit=0").contains("Target:" + IQN);
        String bad = run("iscsi-ls", "iscsi://alice%wrong-secret1@127.0.0.1:" + port);
        assertThat(bad).doesNotStartWith("exit=0").doesNotContain("Target:" + IQN);
        String none = run("iscsi-ls", "iscsi://127.0.0.1:" + port);
        assertThat(none).doesNotStartWith("exit=0");
    }

    @Test
    void portInUseNamesThePortal() throws Exception {
        int port = start(AuthConfig.NONE);
        IscsiTargetServer second = new IscsiTargetServer(TargetServerConfig.of(
                List.of(new Portal("127.0.0.1", port, 1)), List.of(), AuthConfig.NONE));
        assertThatThrownBy(second::start).isInstanceOf(BindException.class)
                .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("in use");
        second.close();
    }
}
