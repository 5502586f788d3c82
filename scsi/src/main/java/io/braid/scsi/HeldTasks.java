package io.braid.scsi;

import java.util.Set;
import java.util.function.Predicate;

/**
 * The tasks a transport holds before it hands them to {@link ScsiTarget#execute}: commands still
 * collecting Data-Out and commands waiting for their command-numbering turn. They are in the task
 * set already (SAM-5 "Task and command lifetimes"), so whatever ends the tasks of other I_T nexuses
 * from inside the core — PREEMPT AND ABORT (SPC-5 "Preempting and aborting") and CLEAR TASK SET,
 * whose unit attention goes to every nexus that lost a task — must end these too. The transport
 * registers one with {@link ScsiTarget#heldTasks}.
 */
@FunctionalInterface
public interface HeldTasks {

    /** A transport that holds nothing (tests, a target without a transport). */
    HeldTasks NONE = (lun, which) -> Set.of();

    /**
     * Ends, without a response, every held task on {@code lun} of the I_T nexuses {@code which}
     * selects (their later Data-Out is dropped) and returns the nexuses that lost at least one.
     * Returns once those tasks are gone, or after a bounded wait; never throws for a nexus that
     * went away meanwhile. Called from a thread that may block, never from a network event loop.
     *
     * @param lun the 64-bit SAM LUN field as REPORT LUNS lists it
     */
    Set<Nexus> abort(long lun, Predicate<Nexus> which);
}
