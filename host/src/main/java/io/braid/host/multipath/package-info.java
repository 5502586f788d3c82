/**
 * The multipath driver (architecture.md "Multipath driver"): one {@link io.braid.host.multipath.MultipathDevice}
 * per logical unit, whose I/O goes to the path its policy chooses, survives path failures without
 * the caller seeing them, and waits a bounded time when no path is left.
 *
 * <p>Three hooks make a device's policy, each with built-in implementations; they are the seam
 * for loadable device policy modules (issue 7): {@link io.braid.host.multipath.PathSelector}
 * (which path an I/O takes), {@link io.braid.host.multipath.ErrorAnalyzer} (what an outcome
 * means) and {@link io.braid.host.multipath.FailureScope} (which paths a failure takes out of
 * service).
 */
package io.braid.host.multipath;
