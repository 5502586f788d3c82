package io.braid.it;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CUnitSummaryTest {

    @Test
    void readsAFailingRun() {
        String out = """
                     CUnit - A unit testing framework for C - Version 2.1-3
                     http://cunit.sourceforge.net/


                Suite: Write10
                  Test: Simple ...    [SKIPPED] --dataloss flag is not set. Skipping test.
                passed
                  Test: BeyondEol ...FAILED
                    1. test_y.c:42  - CU_ASSERT_EQUAL(ret,0)
                WARNING - Suite initialization failed for 'iSCSIcmdsn'.

                Run Summary:    Type  Total    Ran Passed Failed Inactive
                              suites      2      1    n/a      1        0
                               tests      4      3      2      1        0
                             asserts      3      3      2      1      n/a

                Elapsed time =    0.000 seconds
                Tests completed with return value: 22
                """;
        CUnitSummary s = CUnitSummary.parse(out).orElseThrow();
        assertThat(s.suitesTotal()).isEqualTo(2);
        assertThat(s.suitesRan()).isEqualTo(1);
        assertThat(s.suitesFailed()).isEqualTo(1);
        assertThat(s.testsTotal()).isEqualTo(4);
        assertThat(s.testsRan()).isEqualTo(3);
        assertThat(s.testsPassed()).isEqualTo(2);
        assertThat(s.testsFailed()).isEqualTo(1);
        assertThat(s.assertsFailed()).isEqualTo(1);
        assertThat(s.skipped()).isEqualTo(1);
        assertThat(s.skips()).containsExactly(new CUnitSummary.Skip("Write10.Simple",
                "--dataloss flag is not set. Skipping test."));
        assertThat(s.failures()).containsExactly("Write10.BeyondEol",
                "iSCSIcmdsn (suite initialization failed)");
        assertThat(s.clean()).isFalse();
    }

    @Test
    void readsACleanRunWithFailedOnItsOwnLine() {
        String out = """
                Suite: Read10
                  Test: Simple ...
                    Test READ10 of 1-256 blocks at the start of the LUN
                passed
                  Test: BeyondEol ...
                    Test READ10 1-256 blocks one block beyond the end
                passed

                Run Summary:    Type  Total    Ran Passed Failed Inactive
                              suites      1      1    n/a      0        0
                               tests      2      2      2      0        0
                             asserts    520    520    520      0      n/a
                """;
        CUnitSummary s = CUnitSummary.parse(out).orElseThrow();
        assertThat(s.clean()).isTrue();
        assertThat(s.failures()).isEmpty();

        CUnitSummary failedLater = CUnitSummary.parse(out.replaceFirst("passed\n  Test: Beyond",
                "FAILED\n  Test: Beyond").replace("2      2      2      0", "2      2      1      1"))
                .orElseThrow();
        assertThat(failedLater.failures()).containsExactly("Read10.Simple");

        CUnitSummary withLog = CUnitSummary.parse(out.replaceFirst("passed\n  Test: Beyond",
                "FAILED    [SKIPPED] PERSISTENT RESERVE IN is not implemented.\n  Test: Beyond"))
                .orElseThrow();
        assertThat(withLog.failures()).containsExactly("Read10.Simple");
        // Printed after the verdict (by the next test's set-up), so it skips nothing.
        assertThat(withLog.skipped()).isZero();
        assertThat(failedLater.clean()).isFalse();
    }

    @Test
    void notRunTestsAreNotClean() {
        String out = """
                Run Summary:    Type  Total    Ran Passed Failed Inactive
                              suites      1      1    n/a      0        0
                               tests      3      2      2      0        0
                             asserts      4      4      4      0      n/a
                """;
        assertThat(CUnitSummary.parse(out).orElseThrow().clean()).isFalse();
    }

    @Test
    void noSummaryWhenTheToolDiedEarly() {
        assertThat(CUnitSummary.parse("Failed to connect to SCSI device 0\n")).isEmpty();
    }
}
