package io.braid.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LUN masking (node.yaml {@code acls}) seen by libiscsi under three initiator names: each lists
 * only its own LUNs, cannot reach the others, and a read-only mapping refuses writes for that
 * initiator alone — checked with iscsi-ls, iscsi-inq and the conformance suite's ReadOnly and
 * Write10 families.
 */
class LunMaskingTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final long MIB = 1L << 20;
    private static final String HOST1 = "iqn.2026-11.io.braid:it-host1";
    private static final String HOST2 = "iqn.2026-11.io.braid:it-host2";
    private static final String STRANGER = "iqn.2026-11.io.braid:it-stranger";

    @TempDir
    Path dir;

    /** v0 for host1; shared for both, read-only for host1; v2 for host2. */
    private TestNode start() throws Exception {
        return TestNode.in(dir).volume("v0", 16 * MIB).volume("shared", 16 * MIB).volume("v2", 16 * MIB)
                .acl(HOST1, "v0", "shared:ro")
                .acl(HOST2, "shared", "v2")
                .start();
    }

    @Test
    void eachInitiatorListsOnlyItsOwnLuns() throws Exception {
        Tools.require("iscsi-ls");
        try (TestNode node = start()) {
            ToolResult one = Tools.ok(TIMEOUT, "iscsi-ls", "-s", "-i", HOST1, node.portalUrl());
            assertThat(one.stdout()).as(one.describe()).contains("Lun:0").contains("Lun:1").doesNotContain("Lun:2");
            ToolResult two = Tools.ok(TIMEOUT, "iscsi-ls", "-s", "-i", HOST2, node.portalUrl());
            assertThat(two.stdout()).as(two.describe()).contains("Lun:1").contains("Lun:2").doesNotContain("Lun:0");
            ToolResult none = Tools.ok(TIMEOUT, "iscsi-ls", "-s", "-i", STRANGER, node.portalUrl());
            assertThat(none.stdout()).as(none.describe()).contains("Target:" + node.iqn()).doesNotContain("Lun:");
        }
    }

    @Test
    void aMaskedLunCannotBeReached() throws Exception {
        Tools.require("iscsi-inq");
        try (TestNode node = start()) {
            ToolResult own = Tools.ok(TIMEOUT, "iscsi-inq", "-i", HOST2, node.url(2));
            assertThat(own.stdout()).as(own.describe()).contains("Vendor:BRAID");
            for (String[] attempt : new String[][] {{HOST1, "2"}, {HOST2, "0"}, {STRANGER, "1"}}) {
                ToolResult r = Tools.run(TIMEOUT, "iscsi-inq", "-i", attempt[0], node.url(Integer.parseInt(attempt[1])));
                assertThat(r.exitCode()).as(r.describe()).isNotZero();
                assertThat(r.stdout()).as(r.describe()).doesNotContain("Vendor:");
                assertThat(r.output()).as(r.describe()).contains("LOGICAL_UNIT_NOT_SUPPORTED");
            }
        }
    }

    @Test
    void aReadOnlyMappingRefusesWritesForThatInitiatorOnly() throws Exception {
        Tools.require("iscsi-test-cu");
        try (TestNode node = start()) {
            // host1 sees "shared" write-protected: the ReadOnly family runs (it skips a writable LUN).
            CUnitSummary readOnly = suite("SCSI.ReadOnly", HOST1, node.url(1));
            assertThat(readOnly.skips()).as(readOnly.toString())
                    .noneMatch(s -> s.reason().contains("not write-protected"));
            // host2 sees the same LUN writable: ReadOnly has nothing to test and WRITE(10) works.
            CUnitSummary writable = suite("SCSI.ReadOnly", HOST2, node.url(1));
            assertThat(writable.skips()).as(writable.toString())
                    .anyMatch(s -> s.reason().contains("not write-protected"));
            CUnitSummary write = suite("SCSI.Write10", HOST2, node.url(1));
            assertThat(write.skips()).as(write.toString()).noneMatch(s -> s.reason().contains("dataloss"));
        }
    }

    /** One family with {@code -d} as {@code initiator} (the suite's second name too); it must be clean. */
    private static CUnitSummary suite(String family, String initiator, String url) {
        ToolResult r = Tools.run(TIMEOUT, "iscsi-test-cu", "-d", "-i", initiator, "-I", initiator, "-t", family, url);
        CUnitSummary summary = CUnitSummary.parse(r.stdout()).orElse(null);
        assertThat(summary).as("no CUnit Run Summary:\n" + r.describe()).isNotNull();
        assertThat(summary.clean()).as(family + " as " + initiator + ": " + summary + "\n" + r.describe()).isTrue();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return summary;
    }
}
