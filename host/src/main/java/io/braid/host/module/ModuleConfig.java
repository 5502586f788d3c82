package io.braid.host.module;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the device policy modules ({@code modules:} in host.yaml; see docs/host.md).
 *
 * @param directory      where discovery looks for module jars when a device appears; null for
 *                       {@code <dataDir>/modules}
 * @param decisionBudget the longest an I/O waits for a module's decision; a decision that takes
 *                       longer is abandoned for the built-in one, and a module whose decisions
 *                       keep overrunning it (for a second) is quarantined
 * @param autoLoad       whether a new device no loaded module claims makes the agent look for a
 *                       claiming module in {@code directory}
 */
public record ModuleConfig(Path directory, Duration decisionBudget, boolean autoLoad) {
    public static final Duration DEFAULT_DECISION_BUDGET = Duration.ofMillis(10);
    public static final Duration MAX_DECISION_BUDGET = Duration.ofSeconds(1);

    public ModuleConfig {
        Objects.requireNonNull(decisionBudget, "decisionBudget");
        if (decisionBudget.isNegative() || decisionBudget.isZero() || decisionBudget.compareTo(MAX_DECISION_BUDGET) > 0) {
            throw new IllegalArgumentException("decisionBudget " + decisionBudget.toMillis()
                    + " ms is outside 1 µs..1 s");
        }
    }

    public static ModuleConfig defaults() {
        return new ModuleConfig(null, DEFAULT_DECISION_BUDGET, true);
    }

    /** The module directory: {@link #directory()} or {@code <dataDir>/modules}. */
    public Path directoryIn(Path dataDir) {
        return directory != null ? directory : dataDir.resolve("modules");
    }

    public ModuleConfig withDirectory(Path d) {
        return new ModuleConfig(d, decisionBudget, autoLoad);
    }

    public ModuleConfig withDecisionBudget(Duration d) {
        return new ModuleConfig(directory, d, autoLoad);
    }
}
