package io.braid.scsi;

import java.util.List;

/**
 * What a transport sees of the SCSI core: one SCSI target device with its logical units
 * (SAM-5 4.6). The transport never parses a CDB; it moves data and status (LIO
 * {@code target_core_fabric.h}).
 *
 * <p>Threading: {@link #execute} may block on storage I/O, so transports call it from a worker
 * thread, never from a network event loop. All methods are safe for concurrent calls.
 */
public interface ScsiTarget {

    /** Executes one command to completion. Never throws for a SCSI-level error: that is a status. */
    ScsiResult execute(ScsiTask task);

    /** Task management (SAM-5 7): the function applied on behalf of {@code nexus}. */
    TaskManagementResponse manageTask(Nexus nexus, TaskManagementFunction function, long lun,
                                      long referencedTag);

    /** Called when an I_T nexus appears (login) so unit attentions start with POWER ON/RESET. */
    void nexusAdded(Nexus nexus);

    /** Called when an I_T nexus goes away (logout, connection loss, session reinstatement). */
    void nexusRemoved(Nexus nexus);

    /** LUNs visible to the nexus, for REPORT LUNS and for the transport's sanity checks. */
    List<Long> luns(Nexus nexus);
}
