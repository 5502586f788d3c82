package io.braid.host.multipath;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the multipath driver ({@code multipath:} in host.yaml; see docs/host.md).
 *
 * @param noPathTimeout     how long I/O waits when a device has no usable path before it fails
 *                          (and new I/O fails at once until a path returns)
 * @param checkerInterval   how often failed paths are probed with TEST UNIT READY
 * @param samePathRetries   unit attentions (and other same-path retries) per command before the
 *                          path counts as failed
 * @param busyRetries       BUSY / TASK SET FULL retries per command before it fails
 * @param maxAttempts       paths one command may fail on before it fails (a bound on flapping)
 * @param writeFenceTimeout the longest a write waits for an overlapping write whose outcome on a
 *                          dropped path is unknown (see docs/host.md "Ordering after a silent path")
 * @param policies          rules tried in order; the first match chooses a device's policy
 * @param defaultPolicy     the policy of a device no rule matches
 * @param defaultFailback   failback of failover-only when no rule says
 * @param pathBurst         commands service-time keeps sending to one path while it has fewer in
 *                          flight (1..{@link PathSelectors#MAX_BURST}; 1: each command by its score)
 */
public record MultipathConfig(Duration noPathTimeout, Duration checkerInterval, int samePathRetries,
                              int busyRetries, int maxAttempts, Duration writeFenceTimeout,
                              List<PolicyRule> policies, String defaultPolicy, Failback defaultFailback,
                              int pathBurst) {

    public static final Duration DEFAULT_NO_PATH_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CHECKER_INTERVAL = Duration.ofSeconds(2);
    public static final int DEFAULT_SAME_PATH_RETRIES = 5;
    public static final int DEFAULT_BUSY_RETRIES = 20;
    public static final int DEFAULT_MAX_ATTEMPTS = 16;
    public static final Duration DEFAULT_WRITE_FENCE_TIMEOUT = Duration.ofSeconds(10);

    public MultipathConfig {
        Objects.requireNonNull(noPathTimeout, "noPathTimeout");
        Objects.requireNonNull(checkerInterval, "checkerInterval");
        Objects.requireNonNull(writeFenceTimeout, "writeFenceTimeout");
        policies = List.copyOf(policies);
        defaultPolicy = defaultPolicy == null ? PathSelectors.DEFAULT : defaultPolicy;
        defaultFailback = defaultFailback == null ? Failback.IMMEDIATE : defaultFailback;
        PathSelectors.create(defaultPolicy, defaultFailback);
        if (noPathTimeout.isNegative()) {
            throw new IllegalArgumentException("noPathTimeout must be zero (fail at once) or positive");
        }
        if (checkerInterval.isNegative() || checkerInterval.isZero()) {
            throw new IllegalArgumentException("checkerInterval must be positive");
        }
        if (writeFenceTimeout.isNegative()) {
            throw new IllegalArgumentException("writeFenceTimeout must be zero (no fence) or positive");
        }
        if (samePathRetries < 0 || samePathRetries > 100) {
            throw new IllegalArgumentException("samePathRetries " + samePathRetries + " is out of range 0..100");
        }
        if (busyRetries < 0 || busyRetries > 1000) {
            throw new IllegalArgumentException("busyRetries " + busyRetries + " is out of range 0..1000");
        }
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts + " is out of range 1..1000");
        }
        if (pathBurst < 1 || pathBurst > PathSelectors.MAX_BURST) {
            throw new IllegalArgumentException("pathBurst " + pathBurst + " is out of range 1.." + PathSelectors.MAX_BURST);
        }
    }

    /** The settings with the default path burst. */
    public MultipathConfig(Duration noPathTimeout, Duration checkerInterval, int samePathRetries, int busyRetries,
                           int maxAttempts, Duration writeFenceTimeout, List<PolicyRule> policies,
                           String defaultPolicy, Failback defaultFailback) {
        this(noPathTimeout, checkerInterval, samePathRetries, busyRetries, maxAttempts, writeFenceTimeout, policies,
                defaultPolicy, defaultFailback, PathSelectors.DEFAULT_BURST);
    }

    /** Every default: 30 s without a path, checker every 2 s, service-time. */
    public static MultipathConfig defaults() {
        return new MultipathConfig(DEFAULT_NO_PATH_TIMEOUT, DEFAULT_CHECKER_INTERVAL, DEFAULT_SAME_PATH_RETRIES,
                DEFAULT_BUSY_RETRIES, DEFAULT_MAX_ATTEMPTS, DEFAULT_WRITE_FENCE_TIMEOUT, List.of(),
                PathSelectors.DEFAULT, Failback.IMMEDIATE, PathSelectors.DEFAULT_BURST);
    }

    public MultipathConfig withPathBurst(int burst) {
        return new MultipathConfig(noPathTimeout, checkerInterval, samePathRetries, busyRetries, maxAttempts,
                writeFenceTimeout, policies, defaultPolicy, defaultFailback, burst);
    }

    public MultipathConfig withNoPathTimeout(Duration d) {
        return new MultipathConfig(d, checkerInterval, samePathRetries, busyRetries, maxAttempts, writeFenceTimeout,
                policies, defaultPolicy, defaultFailback, pathBurst);
    }

    public MultipathConfig withCheckerInterval(Duration d) {
        return new MultipathConfig(noPathTimeout, d, samePathRetries, busyRetries, maxAttempts, writeFenceTimeout,
                policies, defaultPolicy, defaultFailback, pathBurst);
    }

    public MultipathConfig withWriteFenceTimeout(Duration d) {
        return new MultipathConfig(noPathTimeout, checkerInterval, samePathRetries, busyRetries, maxAttempts, d,
                policies, defaultPolicy, defaultFailback, pathBurst);
    }

    public MultipathConfig withPolicies(List<PolicyRule> rules) {
        return new MultipathConfig(noPathTimeout, checkerInterval, samePathRetries, busyRetries, maxAttempts,
                writeFenceTimeout, rules, defaultPolicy, defaultFailback, pathBurst);
    }

    public MultipathConfig withDefaultPolicy(String policy, Failback failback) {
        return new MultipathConfig(noPathTimeout, checkerInterval, samePathRetries, busyRetries, maxAttempts,
                writeFenceTimeout, policies, policy, failback, pathBurst);
    }

    /** The rule that chooses {@code d}'s policy: the first match, else the default. */
    public PolicyRule ruleFor(io.braid.host.discovery.Device d) {
        for (PolicyRule r : policies) {
            if (r.matches(d)) {
                return r.withDefaultBurst(pathBurst);
            }
        }
        return new PolicyRule(null, null, null, defaultPolicy, defaultFailback, pathBurst);
    }
}
