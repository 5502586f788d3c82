package io.braid.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CHAP variants (RFC 7143 12.1.3) with libiscsi as the initiator: mutual CHAP (the target proves
 * itself with its own secret), per-initiator secrets, and the initiator ACL.
 */
class ChapTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1L << 20;
    private static final String HOST1 = "iqn.2026-11.io.braid:it-host1";
    private static final String HOST2 = "iqn.2026-11.io.braid:it-host2";

    @TempDir
    Path dir;

    @Test
    void mutualChapChecksTheTargetToo() throws Exception {
        Tools.require("iscsi-inq");
        try (TestNode node = TestNode.in(dir).volume("v0", 8 * MIB)
                .chap("alice", "alice-secret-42").mutualChap("target", "target-secret-42").start()) {
            ToolResult ok = Tools.ok(TIMEOUT, "iscsi-inq",
                    node.url(0, "alice", "alice-secret-42")
                            + "?target_user=target&target_password=target-secret-42");
            assertThat(ok.stdout()).as(ok.describe()).contains("Vendor:BRAID");

            // The initiator expects another target secret: it must refuse the target's answer.
            ToolResult impostor = Tools.run(TIMEOUT, "iscsi-inq",
                    node.url(0, "alice", "alice-secret-42")
                            + "?target_user=target&target_password=other-secret-42");
            assertThat(impostor.exitCode()).as(impostor.describe()).isNotZero();
            assertThat(impostor.stdout()).as(impostor.describe()).doesNotContain("Vendor:");
        }
    }

    @Test
    void perInitiatorSecretsOverrideTheNodeSecret() throws Exception {
        Tools.require("iscsi-inq");
        try (TestNode node = TestNode.in(dir).volume("v0", 8 * MIB)
                .chap("alice", "alice-secret-42")
                .initiatorChap(HOST1, "host1", "host1-secret-42").start()) {
            Tools.ok(TIMEOUT, "iscsi-inq", "-i", HOST1, node.url(0, "host1", "host1-secret-42"));
            ToolResult nodeSecret = Tools.run(TIMEOUT, "iscsi-inq", "-i", HOST1,
                    node.url(0, "alice", "alice-secret-42"));
            assertThat(nodeSecret.exitCode()).as(nodeSecret.describe()).isNotZero();
            assertThat(nodeSecret.output()).as(nodeSecret.describe()).contains("Authentication failure");
            Tools.ok(TIMEOUT, "iscsi-inq", "-i", HOST2, node.url(0, "alice", "alice-secret-42"));
        }
    }

    @Test
    void onlyAllowedInitiatorsLogIn() throws Exception {
        Tools.require("iscsi-inq");
        try (TestNode node = TestNode.in(dir).volume("v0", 8 * MIB).allow(HOST1).start()) {
            ToolResult allowed = Tools.ok(TIMEOUT, "iscsi-inq", "-i", HOST1, node.url(0));
            assertThat(allowed.stdout()).as(allowed.describe()).contains("Vendor:BRAID");
            ToolResult other = Tools.run(TIMEOUT, "iscsi-inq", "-i", HOST2, node.url(0));
            assertThat(other.exitCode()).as(other.describe()).isNotZero();
            assertThat(other.stdout()).as(other.describe()).doesNotContain("Vendor:");
        }
    }
}
