/**
 * The device policy module SPI of the Braid host agent: what an array vendor implements to give
 * the agent's multipath driver array-specific path selection, I/O scheduling, error analysis,
 * failure scope, deliberate path switching and reservation handling.
 *
 * <p>A module is a jar holding one {@link io.braid.policy.spi.PolicyModule} named in
 * {@code META-INF/services/io.braid.policy.spi.PolicyModule}. The agent loads it in its own class
 * loader that sees this package and the JDK only, asks it which devices it {@link
 * io.braid.policy.spi.PolicyModule#claims claims}, and gives each claimed device a
 * {@link io.braid.policy.spi.PathPolicy} from {@link io.braid.policy.spi.PolicyModule#newPolicy}.
 * A per-device policy implements {@link io.braid.policy.spi.PathPolicy} (path selection, required)
 * and any of the optional capabilities {@link io.braid.policy.spi.IoScheduling},
 * {@link io.braid.policy.spi.ErrorAnalysis}, {@link io.braid.policy.spi.FailureScoping} and
 * {@link io.braid.policy.spi.ReservationHandling}, whose defaults leave the decision to the
 * built-in policy.
 *
 * <p><b>Threads.</b> Unless a method says otherwise, the agent calls a module's per-device
 * policies on the module's own decision thread, one call at a time per module, and waits for a
 * decision at most the agent's decision budget ({@code modules.decisionBudget}, 10 ms by
 * default). A decision that takes longer is abandoned (the built-in choice is used) and the
 * module is quarantined; so is a module that throws or returns a path that was not offered. No
 * method may block on I/O; none is ever called with a lock of the agent held by the caller's
 * own thread other than the waiting I/O thread.
 *
 * <p><b>Buffers.</b> Every value the agent passes in is an immutable record or a copy (sense
 * bytes are copied for each call); the module owns what it receives and may keep it. The module
 * never sees the I/O's data buffers.
 */
package io.braid.policy.spi;
