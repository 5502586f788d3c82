package io.braid.scsi.internal;

import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static org.assertj.core.api.Assertions.assertThat;

/** REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS against what the core's task management does. */
class TaskManagementReportTest {

    private final Harness h = new Harness(List.of(Harness.unit(0, new MemoryBlockDevice(512, 100))));

    @Test
    void basicFormat() {
        // ATS ATSS CTSS LURS QTS TRS | QAES QTSS.
        assertThat(HexFormat.of().formatHex(h.run(0, "a3 0d 00 00 00 00 00 00 00 10 00 00").data()))
                .isEqualTo("de060000");
    }

    @Test
    void extendedFormatWithoutTimeouts() {
        assertThat(HexFormat.of().formatHex(h.run(0, "a3 0d 80 00 00 00 00 00 00 10 00 00").data()))
                .isEqualTo("de06000c" + "00".repeat(12));
    }

    @Test
    void truncatedByTheAllocationLength() {
        assertThat(HexFormat.of().formatHex(h.run(0, "a3 0d 80 00 00 00 00 00 00 02 00 00").data()))
                .isEqualTo("de06");
    }

    /** Every function the core carries out is reported, and none it refuses. */
    @Test
    void matchesWhatManageTaskDoes() {
        Set<TaskManagementResponse> refusals = EnumSet.of(TaskManagementResponse.FUNCTION_REJECTED,
                TaskManagementResponse.FUNCTION_NOT_SUPPORTED,
                TaskManagementResponse.TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED);
        for (TaskManagementFunction f : TaskManagementFunction.values()) {
            TaskManagementResponse r = h.target.manageTask(NEXUS_A, f, Lun.encode(0), 1);
            assertThat(TaskManagementReport.SUPPORTED.contains(f)).as(f + " answered " + r)
                    .isEqualTo(!refusals.contains(r));
        }
    }
}
