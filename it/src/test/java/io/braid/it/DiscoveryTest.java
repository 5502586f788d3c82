package io.braid.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's {@code iscsi-ls} against a real node: SendTargets discovery (RFC 7143 12.3, Appendix
 * C) and, with {@code -s}, a normal session per portal with REPORT LUNS, INQUIRY and READ
 * CAPACITY per LUN; with and without CHAP, and a wrong secret refused with the
 * authentication-failure login status (RFC 7143 11.13.5, status 0x0201).
 */
class DiscoveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void discoversTheTargetAndItsLunsWithoutChap() throws Exception {
        Tools.require("iscsi-ls");
        try (TestNode node = TestNode.in(dir).volume("v0", 64 * MIB).volume("v1", 32 * MIB).start()) {
            ToolResult plain = Tools.ok(TIMEOUT, "iscsi-ls", node.portalUrl());
            assertThat(plain.stdout()).as(plain.describe())
                    .contains("Target:" + node.iqn() + " Portal:" + node.portal() + ",1");

            ToolResult urls = Tools.ok(TIMEOUT, "iscsi-ls", "-U", node.portalUrl());
            assertThat(urls.stdout()).as(urls.describe())
                    .contains("iscsi://" + node.portal() + "/" + node.iqn() + "/0");

            ToolResult luns = Tools.ok(TIMEOUT, "iscsi-ls", "-s", node.portalUrl());
            assertThat(luns.stdout()).as(luns.describe())
                    .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS \\(Size:\\d+M\\)")
                    .containsPattern("Lun:1\\s+Type:DIRECT_ACCESS \\(Size:\\d+M\\)")
                    .doesNotContain("Lun:2");
        }
    }

    @Test
    void discoveryAndLoginWithChapAndAWrongSecretIsRefused() throws Exception {
        Tools.require("iscsi-ls");
        try (TestNode node = TestNode.in(dir).volume("v0", 64 * MIB)
                .chap("alice", "alice-secret-42").start()) {
            String good = "iscsi://alice%alice-secret-42@" + node.portal();
            ToolResult ok = Tools.ok(TIMEOUT, "iscsi-ls", "-s", good);
            assertThat(ok.stdout()).as(ok.describe())
                    .contains("Target:" + node.iqn())
                    .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");

            ToolResult wrong = Tools.run(TIMEOUT, "iscsi-ls", "-s",
                    "iscsi://alice%not-the-secret@" + node.portal());
            assertThat(wrong.exitCode()).as(wrong.describe()).isNotZero();
            assertThat(wrong.output()).as(wrong.describe()).contains("Authentication failure");
            assertThat(wrong.stdout()).as(wrong.describe()).doesNotContain("Lun:0");

            ToolResult wrongUser = Tools.run(TIMEOUT, "iscsi-ls", "-s",
                    "iscsi://mallory%alice-secret-42@" + node.portal());
            assertThat(wrongUser.exitCode()).as(wrongUser.describe()).isNotZero();
            assertThat(wrongUser.output()).as(wrongUser.describe()).contains("Authentication failure");

            // No credentials at all: the normal session must not come up.
            ToolResult none = Tools.run(TIMEOUT, "iscsi-inq", node.url(0));
            assertThat(none.exitCode()).as(none.describe()).isNotZero();
            assertThat(none.stdout()).as(none.describe()).doesNotContain("Vendor:");
        }
    }
}
