package io.braid.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Run Summary" block CUnit's basic interface prints at the end of {@code iscsi-test-cu}, plus
 * the names of failed tests and suites found in its verbose log.
 *
 * <pre>
 * Run Summary:    Type  Total    Ran Passed Failed Inactive
 *               suites      2      1    n/a      1        0
 *                tests      4      3      2      1        0
 *              asserts      3      3      2      1      n/a
 * </pre>
 */
record CUnitSummary(int suitesTotal, int suitesRan, int suitesFailed, int testsTotal,
                    int testsRan, int testsPassed, int testsFailed, int assertsFailed,
                    int skipped, List<String> failures, List<Skip> skips) {

    /**
     * A test that printed libiscsi's {@code [SKIPPED]} between its "Test: X ..." line and its
     * verdict: it returned early because the target does not advertise what it tests (CUnit
     * still counts it as passed).
     */
    record Skip(String test, String reason) {
    }

    /** One test's output from "Test: X ..." to its verdict (passed or FAILED). */
    private static final Pattern TEST_SPAN = Pattern.compile(
            "^Suite: (\\S+)|^\\s+Test: (\\S+) \\.\\.\\.(.*?)(passed|FAILED)",
            Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern SKIP_REASON = Pattern.compile("\\[SKIPPED\\] ([^\\n]*)");

    private static final Pattern SUITES = Pattern.compile(
            "^\\s+suites\\s+(\\d+)\\s+(\\d+)\\s+n/a\\s+(\\d+)\\s+(\\d+)\\s*$", Pattern.MULTILINE);
    private static final Pattern TESTS = Pattern.compile(
            "^\\s+tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$", Pattern.MULTILINE);
    private static final Pattern ASSERTS = Pattern.compile(
            "^\\s+asserts\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+n/a\\s*$", Pattern.MULTILINE);
    private static final Pattern SUITE = Pattern.compile("^Suite: (\\S+)");
    private static final Pattern TEST = Pattern.compile("^\\s+Test: (\\S+) \\.\\.\\.");
    private static final Pattern SUITE_INIT_FAILED =
            Pattern.compile("Suite initialization failed for '([^']+)'");

    /** Parses the output; empty when there is no Run Summary (the tool died before it). */
    static Optional<CUnitSummary> parse(String output) {
        Matcher suites = SUITES.matcher(output);
        Matcher tests = TESTS.matcher(output);
        Matcher asserts = ASSERTS.matcher(output);
        if (!suites.find() || !tests.find()) {
            return Optional.empty();
        }
        int assertsFailed = asserts.find() ? Integer.parseInt(asserts.group(4)) : 0;
        List<String> failures = new ArrayList<>();
        String suite = "?";
        String test = "?";
        for (String line : output.split("\n")) {
            Matcher m = SUITE.matcher(line);
            if (m.find()) {
                suite = m.group(1);
            }
            m = TEST.matcher(line);
            if (m.find()) {
                test = m.group(1);
            }
            // CUnit prints passed/FAILED after "Test: X ..." and the test's own log lines, which
            // may continue on the same line ("FAILED    [SKIPPED] ...").
            String t = line.strip();
            if (t.startsWith("FAILED") || t.endsWith("FAILED") || line.contains("...FAILED")) {
                failures.add(suite + "." + test);
            }
            m = SUITE_INIT_FAILED.matcher(line);
            if (m.find()) {
                failures.add(m.group(1) + " (suite initialization failed)");
            }
        }
        return Optional.of(new CUnitSummary(
                Integer.parseInt(suites.group(1)), Integer.parseInt(suites.group(2)),
                Integer.parseInt(suites.group(3)),
                Integer.parseInt(tests.group(1)), Integer.parseInt(tests.group(2)),
                Integer.parseInt(tests.group(3)), Integer.parseInt(tests.group(4)),
                assertsFailed, skips(output).size(), List.copyOf(failures), skips(output)));
    }

    private static List<Skip> skips(String output) {
        List<Skip> out = new ArrayList<>();
        String suite = "?";
        Matcher m = TEST_SPAN.matcher(output);
        while (m.find()) {
            if (m.group(1) != null) {
                suite = m.group(1);
                continue;
            }
            Matcher reason = SKIP_REASON.matcher(m.group(3));
            if (reason.find()) {
                out.add(new Skip(suite + "." + m.group(2), reason.group(1).strip()));
            }
        }
        return List.copyOf(out);
    }

    /** Every test ran and passed, and no suite failed to initialise. */
    boolean clean() {
        return testsTotal > 0 && testsRan == testsTotal && testsFailed == 0 && suitesFailed == 0
                && assertsFailed == 0;
    }
}
