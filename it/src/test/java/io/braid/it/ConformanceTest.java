package io.braid.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's conformance suite {@code iscsi-test-cu} against a real node, one family at a time,
 * with {@code -d} so that the destructive (write) tests run too. A family passes when CUnit's Run
 * Summary shows every test ran, none failed, and no suite failed to initialise (a suite whose login
 * fails is otherwise invisible in the exit code).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private TestNode node;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Tools.require("iscsi-test-cu");
        node = TestNode.in(dir).volume("v0", 128L << 20).start();
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "SCSI.Inquiry", "SCSI.ReadCapacity10", "SCSI.ReadCapacity16",
            "SCSI.Read6", "SCSI.Read10", "SCSI.Read12", "SCSI.Read16",
            "SCSI.Write10", "SCSI.Write12", "SCSI.Write16", "SCSI.TestUnitReady",
            "iSCSI.iSCSIcmdsn", "iSCSI.iSCSIdatasn", "iSCSI.iSCSIResiduals"})
    void family(String family) {
        ToolResult r = Tools.run(TIMEOUT, "iscsi-test-cu", "-d", "-t", family, node.url(0));
        CUnitSummary summary = CUnitSummary.parse(r.stdout()).orElse(null);
        assertThat(summary).as("no CUnit Run Summary (the tool stopped early):\n" + r.describe())
                .isNotNull();
        assertThat(summary.clean()).as(family + ": " + summary + "\n" + r.describe()).isTrue();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }
}
