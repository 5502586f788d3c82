package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskManagementFunction;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static io.braid.scsi.internal.DataDirection.IN;

/**
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-5, MAINTENANCE IN A3h/0Dh): which task management
 * functions {@link CoreTarget#manageTask} carries out. {@link #SUPPORTED} must match it; a test
 * sends every function to the core and compares.
 */
final class TaskManagementReport {

    /**
     * What manageTask performs. CLEAR ACA is not supported (NormACA 0) and task reassignment needs
     * ErrorRecoveryLevel 2, so neither is here; I_T NEXUS RESET has no iSCSI function code.
     */
    static final Set<TaskManagementFunction> SUPPORTED = EnumSet.of(
            TaskManagementFunction.ABORT_TASK, TaskManagementFunction.ABORT_TASK_SET,
            TaskManagementFunction.CLEAR_TASK_SET, TaskManagementFunction.LOGICAL_UNIT_RESET,
            TaskManagementFunction.TARGET_WARM_RESET, TaskManagementFunction.TARGET_COLD_RESET,
            TaskManagementFunction.QUERY_TASK, TaskManagementFunction.QUERY_TASK_SET,
            TaskManagementFunction.QUERY_ASYNCHRONOUS_EVENT);

    private TaskManagementReport() {
    }

    static List<CommandDescriptor> descriptors() {
        // 1 SERVICE ACTION, 2 REPD (bit 7), 6-9 ALLOCATION LENGTH.
        return List.of(CommandDescriptor.of("REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", 0xA3, 0x0D, IN,
                (cdb, bs) -> BigEndian.u32(cdb, 6),
                TaskManagementReport::report,
                "a3 1f 80 00 00 00 ff ff ff ff 00 00",
                "00 00 00 00 00 00 00 00 00 00 00 c2"));
    }

    /*
     * Basic parameter data (REPD 0), 4 bytes:
     *  0 ATS ATSS CACAS CTSS LURS QTS TRS(obsolete) WAKES(obsolete)   2 reserved
     *  1 reserved | QAES QTSS ITNRS                                  3 ADDITIONAL DATA LENGTH (00h)
     * Extended parameter data (REPD 1), 16 bytes: ADDITIONAL DATA LENGTH 0Ch, 4 TMFTMOV (bit 0),
     * 6-7 timeout selectors, 8-11 LONG TIMEOUT, 12-15 SHORT TIMEOUT. TMFTMOV 0: no timeouts are
     * recommended. TRS is obsolete in SPC-5 but names the target reset Braid performs (WARM and COLD).
     */
    private static ScsiResult report(Command cmd) {
        boolean extended = (cmd.cdb()[2] & 0x80) != 0;
        byte[] b = new byte[extended ? 16 : 4];
        b[0] = (byte) (bit(TaskManagementFunction.ABORT_TASK, 0x80)
                | bit(TaskManagementFunction.ABORT_TASK_SET, 0x40)
                | bit(TaskManagementFunction.CLEAR_ACA, 0x20)
                | bit(TaskManagementFunction.CLEAR_TASK_SET, 0x10)
                | bit(TaskManagementFunction.LOGICAL_UNIT_RESET, 0x08)
                | bit(TaskManagementFunction.QUERY_TASK, 0x04)
                | bit(TaskManagementFunction.TARGET_WARM_RESET, 0x02));
        b[1] = (byte) (bit(TaskManagementFunction.QUERY_ASYNCHRONOUS_EVENT, 0x04)
                | bit(TaskManagementFunction.QUERY_TASK_SET, 0x02));
        if (extended) {
            b[3] = 0x0C;
        }
        return cmd.dataIn(b);
    }

    private static int bit(TaskManagementFunction f, int mask) {
        return SUPPORTED.contains(f) ? mask : 0;
    }
}
