package io.braid.it;

import java.util.List;

/**
 * What an external tool did: its exit code and everything it printed. {@link #describe()} goes
 * into assertion messages so a failure shows the whole exchange.
 */
record ToolResult(List<String> command, int exitCode, String stdout, String stderr) {

    /** Both streams, for searching messages a tool may print on either. */
    String output() {
        return stdout + stderr;
    }

    String describe() {
        return "$ " + String.join(" ", command) + "\nexit code " + exitCode
                + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr + "\n---";
    }
}
