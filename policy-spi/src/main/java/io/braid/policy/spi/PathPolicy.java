package io.braid.policy.spi;

import java.util.List;

/**
 * The per-device policy a module gives each device it claims: path selection, required. A policy
 * may also implement the optional capabilities {@link IoScheduling}, {@link ErrorAnalysis},
 * {@link FailureScoping} and {@link ReservationHandling}; the driver looks for them once, when
 * the policy is created.
 *
 * <p>One instance serves one device. Calls come one at a time (the module's decision thread), so
 * a policy needs no locking of its own unless it starts threads of its own.
 */
public interface PathPolicy {

    /**
     * Picks the path for one command.
     *
     * <p><b>Thread.</b> The module's decision thread, while the I/O thread that issued the command
     * waits at most the decision budget; must not block. <b>Ownership.</b> {@code candidates} and
     * {@code io} are immutable snapshots the policy may keep.
     *
     * @param candidates the usable paths of the best access state group (active/optimized before
     *                   active/non-optimized before the rest), in the device's order; never empty
     * @param io         the command
     * @return the {@link PathInfo#ref()} of one of {@code candidates}; anything else quarantines
     *         the module
     */
    PathRef select(List<PathInfo> candidates, IoRequest io);

    /**
     * A command sent through {@code path} ended, successfully or not, after {@code nanos}.
     *
     * <p><b>Thread.</b> The module's decision thread, asynchronously: nobody waits for it, and it
     * runs after the completion reached the application. Must not block.
     *
     * @param ok whether the command completed (GOOD, or an error analysed as complete)
     */
    default void completed(PathRef path, IoRequest io, long nanos, boolean ok) {
    }

    /**
     * The device leaves the policy (the module is unloaded, replaced or quarantined, or the device
     * went away). No call follows. <b>Thread.</b> The module's decision thread; must not block.
     */
    default void close() {
    }
}
