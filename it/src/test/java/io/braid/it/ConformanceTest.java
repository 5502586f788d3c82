package io.braid.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's conformance suite {@code iscsi-test-cu}, whole, against a real node: every SCSI and
 * iSCSI family the installed suite lists, one run per family with {@code -d -S} (destructive and
 * sanitize tests allowed) and two URLs through two portals, so the multipath tests run too; then
 * the ReadOnly family against a read-only LUN. A family passes when CUnit's Run Summary shows every
 * test ran, none failed and no suite failed to initialise. At the end the table (family, ran,
 * passed, skipped) is printed and written to {@code target/conformance.md} with the reason of
 * every skip, which is where docs/conformance.md comes from. Last, the skips of all runs together
 * must stay within issue 3's budget of {@value #SKIP_BUDGET}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConformanceTest {
    private static final Duration FAMILY_TIMEOUT = Duration.ofMinutes(3);
    /** Issue 3: at most this many tests skipped (capabilities not advertised) over the whole suite. */
    static final int SKIP_BUDGET = 25;

    /**
     * Families left out of the run, each with why. Every entry is a known gap of issue 3 and is
     * removed in the commit that closes it.
     */
    private static final Map<String, String> NOT_RUN = Map.of();

    /**
     * Families run through one URL only, each with why. libiscsi 1.19's Sanitize.Reservations
     * takes RESERVE(6) on the "second connection"; with a second URL that connection is the
     * shared multipath session, which the test never logs out, so the reservation outlives the
     * test (as SPC-2 requires) and Sanitize.Reset's commands then meet RESERVATION CONFLICT. With
     * one URL the second connection is the test's own and its logout releases the reservation.
     */
    private static final Map<String, String> ONE_PATH = Map.of(
            "SCSI.Sanitize", "its Reservations test leaves RESERVE(6) held on the shared second path, "
                    + "which Sanitize.Reset then meets as RESERVATION CONFLICT");

    private TestNode node;
    private final List<Row> rows = new ArrayList<>();

    private record Row(String family, CUnitSummary summary) {
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Tools.require("iscsi-test-cu");
        node = TestNode.in(dir).volume("v0", 128L << 20).readOnlyVolume("ro", 16L << 20)
                .secondPortal().start();
    }

    @AfterAll
    void stop() throws IOException {
        if (node != null) {
            node.close();
        }
        if (!rows.isEmpty()) {
            String table = table();
            System.out.println(table);
            Path out = Path.of("target", "conformance.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        }
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> wholeSuiteOverTwoPaths() {
        ToolResult list = Tools.ok(Duration.ofSeconds(30), "iscsi-test-cu", "-l");
        List<String> families = Arrays.stream(list.stdout().split("\n"))
                .map(String::strip)
                .filter(l -> l.startsWith("SCSI.") || l.startsWith("iSCSI."))
                .filter(l -> l.chars().filter(c -> c == '.').count() == 1)
                .filter(l -> !NOT_RUN.containsKey(l))
                .toList();
        assertThat(families).as("families listed by iscsi-test-cu -l").hasSizeGreaterThan(40);
        return families.stream().map(f -> DynamicTest.dynamicTest(f,
                () -> runFamily(f, node.url(0, 0), ONE_PATH.containsKey(f) ? null : node.url(1, 0))));
    }

    @Test
    @Order(2)
    void readOnlyFamilyAgainstAWriteProtectedLun() {
        runFamily("SCSI.ReadOnly", node.url(0, 1), node.url(1, 1));
    }

    /** Runs after every family (run the whole class): the skips of all runs within the budget. */
    @Test
    @Order(3)
    void skipsStayWithinTheBudget() {
        List<Row> ran;
        synchronized (rows) {
            ran = List.copyOf(rows);
        }
        assertThat(ran).as("no family has run: run the whole ConformanceTest class").isNotEmpty();
        int skipped = ran.stream().mapToInt(r -> r.summary().skipped()).sum();
        List<String> which = ran.stream().flatMap(r -> r.summary().skips().stream()).map(CUnitSummary.Skip::test).toList();
        assertThat(skipped).as("skipped tests " + which).isLessThanOrEqualTo(SKIP_BUDGET);
    }

    private void runFamily(String family, String url, String secondUrl) {
        List<String> cmd = new ArrayList<>(List.of("iscsi-test-cu", "-d", "-S", "-t", family, url));
        if (secondUrl != null) {
            cmd.add(secondUrl);
        }
        ToolResult r = Tools.run(FAMILY_TIMEOUT, cmd.toArray(String[]::new));
        CUnitSummary summary = CUnitSummary.parse(r.stdout()).orElse(null);
        assertThat(summary).as("no CUnit Run Summary (the tool stopped early):\n" + r.describe())
                .isNotNull();
        synchronized (rows) {
            rows.add(new Row(family + (url.endsWith("/1") ? " (read-only LUN)" : ""), summary));
        }
        assertThat(summary.clean()).as(family + ": " + summary + "\n" + r.describe()).isTrue();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }

    private String table() {
        StringBuilder sb = new StringBuilder();
        int ran = 0;
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        sb.append("| family | ran | passed | failed | skipped |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (Row row : rows) {
            CUnitSummary s = row.summary();
            int p = s.testsPassed() - s.skipped();
            sb.append("| ").append(row.family()).append(" | ").append(s.testsRan()).append(" | ").append(p)
                    .append(" | ").append(s.testsFailed()).append(" | ").append(s.skipped()).append(" |\n");
            ran += s.testsRan();
            passed += p;
            failed += s.testsFailed();
            skipped += s.skipped();
        }
        sb.append("| **total** | ").append(ran).append(" | ").append(passed).append(" | ").append(failed)
                .append(" | ").append(skipped).append(" |\n\n");
        NOT_RUN.forEach((f, why) -> sb.append("- not run: ").append(f).append(": ").append(why).append('\n'));
        ONE_PATH.forEach((f, why) -> sb.append("- one path only: ").append(f).append(": ").append(why).append('\n'));
        for (Row row : rows) {
            for (CUnitSummary.Skip skip : row.summary().skips()) {
                sb.append("- skipped: ").append(skip.test()).append(": ").append(skip.reason()).append('\n');
            }
        }
        return sb.toString();
    }
}
