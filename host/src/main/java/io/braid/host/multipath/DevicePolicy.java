package io.braid.host.multipath;

import java.util.Objects;

/**
 * The hooks one device runs with: path selection, error analysis, failure scope and, optionally,
 * I/O scheduling. The driver builds it from the device's {@link PolicyRule}; a loaded device
 * policy module provides its own (see {@link PolicyResolver}).
 *
 * @param name      the policy's name as listings show it
 * @param selector  chooses the path of each I/O
 * @param analyzer  turns outcomes into decisions
 * @param scope     decides which paths a failure takes out of service
 * @param scheduler limits commands in flight per path and orders those held back, or null
 */
public record DevicePolicy(String name, PathSelector selector, ErrorAnalyzer analyzer, FailureScope scope,
                           IoScheduler scheduler) {
    public DevicePolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(analyzer, "analyzer");
        Objects.requireNonNull(scope, "scope");
    }

    /** A policy without I/O scheduling. */
    public DevicePolicy(String name, PathSelector selector, ErrorAnalyzer analyzer, FailureScope scope) {
        this(name, selector, analyzer, scope, null);
    }

    /** A built-in selector with the built-in error analysis and failure scope. */
    public static DevicePolicy builtIn(PolicyRule rule) {
        String name = rule.policy().equals(PathSelectors.FAILOVER_ONLY) && rule.failback() == Failback.MANUAL
                ? rule.policy() + " (manual failback)" : rule.policy();
        return new DevicePolicy(name, PathSelectors.create(rule.policy(), rule.failback(), rule.effectiveBurst()), ScsiErrorAnalyzer.INSTANCE,
                DefaultFailureScope.INSTANCE);
    }
}
