package io.braid.scsi;

import java.util.List;

/**
 * What a transport sees of the SCSI core: one SCSI target device with its logical units
 * (SAM-5 4.6). The transport never parses a CDB; it moves data and status (LIO
 * {@code target_core_fabric.h}). Create one with {@link ScsiTargets#create}.
 *
 * <p>Threading: {@link #execute} may block on storage I/O, so transports call it from a worker
 * thread, never from a network event loop. All methods are safe for concurrent calls; SIMPLE
 * tasks run concurrently, an ORDERED task waits for the tasks already in the core.
 *
 * <p>Contract of a {@link ScsiResult} returned by {@link #execute}:
 * <ul>
 *   <li>{@code dataIn} is null or holds exactly {@code transferLength} bytes; the transport sends
 *       at most EDTL of them and releases the buffer.</li>
 *   <li>{@code transferLength} is what the CDB describes: for data-in the allocation or transfer
 *       length capped by what the command produced, for data-out the bytes the CDB names. On
 *       CHECK CONDITION it is the CDB's uncapped length (0 when the CDB could not be parsed), so
 *       the residual reflects an EDTL mismatch, not the failure. It saturates at
 *       {@link Integer#MAX_VALUE}. Residual: overflow when it exceeds EDTL, underflow when less.</li>
 *   <li>Data-out shorter than the CDB needs: the whole blocks received are processed and the
 *       status is GOOD (the transport reports the overflow); data-out ending inside a block is
 *       refused with ILLEGAL REQUEST / INVALID FIELD IN COMMAND INFORMATION UNIT and nothing is
 *       written. Data-out beyond the CDB's length is ignored; data-out sent with a command that
 *       takes none (a READ with the iSCSI W bit) is ignored too.</li>
 *   <li>{@code sense} is fixed format unless the unit's control mode page selects descriptor
 *       format; present exactly when the status is CHECK CONDITION.</li>
 *   <li>Status {@link ScsiResult#TASK_ABORTED} means task management aborted the task: the
 *       transport sends no SCSI Response for it (the control mode page says TAS 0) and only
 *       releases its resources.</li>
 * </ul>
 */
public interface ScsiTarget {

    /**
     * Executes one command to completion. Never throws for a SCSI-level error: that is a status.
     * The core releases {@code task.dataOut()} before returning, whatever the outcome.
     */
    ScsiResult execute(ScsiTask task);

    /**
     * Executes tasks that arrived together (one network read's worth, all {@link #quick}), in
     * order, with the outcome {@link #execute} would give each, and reports each result to
     * {@code done} (its index in {@code tasks}) as soon as it is final. A target may combine plain
     * WRITEs of consecutive blocks into one write to the device, as a block layer merges adjacent
     * requests: one system call per copy for a run of small sequential writes instead of one per
     * command. Every task still gets its own checks, task set entry, status and sense. The core
     * releases every task's data-out, whatever the outcome; a task whose result was not reported
     * when this throws ended without one (as when {@code execute} throws).
     */
    default void executeAll(ScsiTask[] tasks, Completion done) {
        for (int i = 0; i < tasks.length; i++) {
            if (done.abandoned(i)) {
                tasks[i].dataOut().release();
                done.completed(i, ScsiResult.ABORTED);
            } else {
                done.completed(i, execute(tasks[i]));
            }
        }
    }

    /** Receives the results of {@link #executeAll}, on the thread that called it. */
    @FunctionalInterface
    interface Completion {
        /** The task at {@code index} finished with {@code result}. */
        void completed(int index, ScsiResult result);

        /**
         * Whether the transport ended the task at {@code index} (task management, a lost
         * connection) before the core reached it: the core then runs nothing for it, releases its
         * data-out and reports {@link ScsiResult#TASK_ABORTED}. Asked right before the task starts.
         */
        default boolean abandoned(int index) {
            return false;
        }
    }

    /**
     * Task management (SAM-5 7): the function applied on behalf of {@code nexus} to the tasks that
     * are inside {@link #execute}. Returns only after every task it aborted has finished inside
     * {@code execute} (its result decided as TASK ABORTED, its data-out released, no more I/O), so
     * the transport may send the TMF response right away.
     * Tasks the transport has not handed to {@code execute} yet (waiting for data-out or for their
     * CmdSN) are the transport's to abort first; ABORT TASK answers TASK DOES NOT EXIST for a tag
     * the core does not hold. CLEAR TASK SET is the exception for other nexuses' held tasks: the
     * core ends them through {@link HeldTasks}, so its unit attention reaches exactly the nexuses
     * that lost tasks. After TARGET COLD RESET the transport also closes its connections.
     *
     * @param lun           the 64-bit SAM LUN field of the request (ignored by target resets)
     * @param referencedTag the task tag for ABORT TASK and QUERY TASK
     */
    TaskManagementResponse manageTask(Nexus nexus, TaskManagementFunction function, long lun,
                                      long referencedTag);

    /**
     * Registers the transport's view of the tasks it holds before {@link #execute}, so that
     * PREEMPT AND ABORT and CLEAR TASK SET reach them (see {@link HeldTasks}). A target without one
     * behaves as with {@link HeldTasks#NONE}.
     */
    default void heldTasks(HeldTasks held) {
    }

    /**
     * Called when an I_T nexus appears (login) so each logical unit reports POWER ON, RESET, OR BUS
     * DEVICE RESET OCCURRED as its first unit attention to that nexus.
     */
    void nexusAdded(Nexus nexus);

    /**
     * Called when an I_T nexus goes away (logout, connection loss, session reinstatement): its
     * unit attentions are dropped and its tasks still in {@link #execute} end as aborted.
     */
    void nexusRemoved(Nexus nexus);

    /**
     * The device behind {@code lun} changed its capacity (a volume grew online): every I_T nexus
     * gets CAPACITY DATA HAS CHANGED as a unit attention (SBC-4 "Capacity data has changed"), so
     * initiators read the capacity again.
     *
     * @throws IllegalArgumentException when no logical unit has that LUN
     */
    default void capacityChanged(int lun) {
        throw new UnsupportedOperationException("capacityChanged");
    }

    /**
     * LUNs visible to the nexus as 64-bit SAM LUN fields, exactly as REPORT LUNS lists them
     * (peripheral device addressing below 256, flat space addressing above), ascending.
     */
    List<Long> luns(Nexus nexus);

    /**
     * Whether the task is a plain READ or WRITE (SBC-4; SIMPLE, without FUA) that {@link #execute}
     * finishes in about the time its bytes take to move, so a transport may run several such tasks
     * one after another on one thread. Any other command may take long (a flush, SANITIZE, a copy,
     * an ORDERED task) and gets a thread of its own, so commands behind it run meanwhile and see it
     * in progress. Cheap enough for a network event loop.
     */
    default boolean quick(ScsiTask task) {
        return false;
    }

    /**
     * Whether the task is a {@linkplain #quick quick} WRITE that {@link #execute} would finish
     * without waiting for storage: the unit's device would only copy its bytes into memory
     * (the page cache, say), and no ORDERED task holds or waits for the unit. A transport may then
     * run it on its network event loop instead of handing it to a storage thread — the hand-off
     * and the wake-ups back cost more than such a write. A hint, not a promise (see {@code
     * BlockDevice.writeStaysInMemory}): such a transport watches how long the tasks took.
     * Cheap enough for a network event loop.
     */
    default boolean staysInMemory(ScsiTask task) {
        return false;
    }

    /**
     * The target's ALUA target port groups, where the node makes implicit transitions. The core's
     * target always has them; a transport-only stand-in may not.
     *
     * @throws UnsupportedOperationException when this target does not implement ALUA
     */
    default TargetPortGroups targetPortGroups() {
        throw new UnsupportedOperationException("no asymmetric logical unit access");
    }
}
