package io.braid.it;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolsTest {
    private static final String MISSING = "braid-no-such-tool-7f3a";

    @Test
    void aMissingToolFailsInCi() {
        assertThatThrownBy(() -> Tools.require(MISSING, true))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("'" + MISSING + "' is not installed")
                .hasMessageContaining("never a skip");
    }

    @Test
    void aMissingToolSkipsOutsideCi() {
        assertThatThrownBy(() -> Tools.require(MISSING, false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("'" + MISSING + "' is not installed");
    }

    @Test
    void findsToolsOnThePath() {
        assertThat(Tools.require("sh", true)).isExecutable();
    }

    @Test
    void ciDetection() {
        assertThat(Tools.isSet("true")).isTrue();
        assertThat(Tools.isSet("1")).isTrue();
        assertThat(Tools.isSet(null)).isFalse();
        assertThat(Tools.isSet("")).isFalse();
        assertThat(Tools.isSet("false")).isFalse();
        assertThat(Tools.isSet("${env.CI}")).isFalse();
    }

    @Test
    void capturesOutputAndExitCode() {
        ToolResult r = Tools.run(Duration.ofSeconds(10), "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.describe()).contains("$ sh -c", "exit code 3", "out", "err");
    }

    @Test
    void aHangingToolIsKilledAndFails() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Tools.run(Duration.ofMillis(500), "sh", "-c", "echo started; sleep 60"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("timed out after 0.5s")
                .hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
