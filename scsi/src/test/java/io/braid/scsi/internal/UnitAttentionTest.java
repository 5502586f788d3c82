package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static org.assertj.core.api.Assertions.assertThat;

class UnitAttentionTest {

    private static final String TUR = "00 00 00 00 00 00";

    private final Harness h = new Harness(List.of(
            Harness.unit(0, new MemoryBlockDevice(512, 100)),
            Harness.unit(1, new MemoryBlockDevice(512, 100))));

    private Harness.Reply run(io.braid.scsi.Nexus nexus, int lun, String cdb) {
        return h.run(nexus, lun, Harness.cdb(cdb), null, TaskAttribute.SIMPLE);
    }

    @Test
    void powerOnResetIsReportedOnceAfterLogin() {
        h.target.nexusAdded(NEXUS_A);
        Harness.Reply first = run(NEXUS_A, 0, TUR);
        assertThat(HexFormat.of().formatHex(first.sense())).isEqualTo("700006000000000a" + "00000000" + "2900" + "00000000");
        assertThat(run(NEXUS_A, 0, TUR).status()).isEqualTo(ScsiResult.GOOD);
    }

    @Test
    void noUnitAttentionWithoutLogin() {
        assertThat(run(NEXUS_A, 0, TUR).status()).isZero();
    }

    @Test
    void inquiryReportLunsAndRequestSenseAreNotBlocked() {
        h.target.nexusAdded(NEXUS_A);
        assertThat(run(NEXUS_A, 0, "12 00 00 00 24 00").status()).isZero();
        assertThat(run(NEXUS_A, 0, "a0 00 00 00 00 00 00 00 01 00 00 00").status()).isZero();
        assertThat(run(NEXUS_A, 0, "12 01 83 00 ff 00").status()).isZero();
        // Still pending: INQUIRY and REPORT LUNS did not clear it.
        assertCheckCondition(run(NEXUS_A, 0, TUR), 0x6, 0x29, 0x00);
    }

    @Test
    void requestSenseReportsAndClearsTheUnitAttention() {
        h.target.nexusAdded(NEXUS_A);
        Harness.Reply rs = run(NEXUS_A, 0, "03 00 00 00 12 00");
        assertThat(rs.status()).isZero();
        assertThat(HexFormat.of().formatHex(rs.data())).isEqualTo("700006000000000a" + "00000000" + "2900" + "00000000");
        assertThat(run(NEXUS_A, 0, TUR).status()).isZero();
    }

    @Test
    void unitAttentionsArePerNexusAndPerUnit() {
        h.target.nexusAdded(NEXUS_A);
        h.target.nexusAdded(NEXUS_B);
        assertCheckCondition(run(NEXUS_A, 0, TUR), 0x6, 0x29, 0x00);
        assertCheckCondition(run(NEXUS_A, 1, TUR), 0x6, 0x29, 0x00);
        assertCheckCondition(run(NEXUS_B, 0, TUR), 0x6, 0x29, 0x00);
        assertThat(run(NEXUS_A, 0, TUR).status()).isZero();
        assertThat(run(NEXUS_B, 0, TUR).status()).isZero();
        assertCheckCondition(run(NEXUS_B, 1, TUR), 0x6, 0x29, 0x00);
    }

    @Test
    void anyOtherCommandReportsItFirstEvenAnUnsupportedOne() {
        h.target.nexusAdded(NEXUS_A);
        assertCheckCondition(run(NEXUS_A, 0, "ff 00 00 00 00 00"), 0x6, 0x29, 0x00);
        assertCheckCondition(run(NEXUS_A, 0, "ff 00 00 00 00 00"), 0x5, 0x20, 0x00);
        h.target.nexusAdded(NEXUS_A);
        Harness.Reply read = h.run(NEXUS_A, 0, Cdbs.ten(Cdbs.READ10, 0, 0, 1), null, TaskAttribute.SIMPLE);
        assertCheckCondition(read, 0x6, 0x29, 0x00);
        assertThat(read.transferLength()).as("the CDB's length is still reported").isEqualTo(512);
    }

    @Test
    void logicalUnitResetReachesEveryNexusOfThatUnitOnly() {
        h.login(NEXUS_A, 0, 1);
        h.login(NEXUS_B, 0, 1);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, Lun.encode(1), 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertCheckCondition(run(NEXUS_A, 1, TUR), 0x6, 0x29, 0x03);
        assertCheckCondition(run(NEXUS_B, 1, TUR), 0x6, 0x29, 0x03);
        assertThat(run(NEXUS_A, 0, TUR).status()).isZero();
        assertThat(run(NEXUS_B, 0, TUR).status()).isZero();
    }

    @Test
    void targetResetReachesEveryUnit() {
        h.login(NEXUS_A, 0, 1);
        for (TaskManagementFunction f : List.of(TaskManagementFunction.TARGET_WARM_RESET, TaskManagementFunction.TARGET_COLD_RESET)) {
            assertThat(h.target.manageTask(NEXUS_A, f, 0, 0)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
            assertCheckCondition(run(NEXUS_A, 0, TUR), 0x6, 0x29, 0x00);
            assertCheckCondition(run(NEXUS_A, 1, TUR), 0x6, 0x29, 0x00);
            assertThat(run(NEXUS_A, 1, TUR).status()).isZero();
        }
    }

    @Test
    void logicalUnitResetRestoresDefaultModeParameters() {
        h.target.unit(0).descriptorSense(true);
        h.target.manageTask(NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0);
        assertThat(h.target.unit(0).senseFormat()).isEqualTo(SenseFormat.FIXED);
    }

    @Test
    void removedNexusLosesItsUnitAttentions() {
        h.target.nexusAdded(NEXUS_A);
        h.target.nexusRemoved(NEXUS_A);
        assertThat(run(NEXUS_A, 0, TUR).status()).isZero();
    }

    @Test
    void queryAsynchronousEventSeesAPendingUnitAttention() {
        h.target.nexusAdded(NEXUS_A);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.QUERY_ASYNCHRONOUS_EVENT, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_SUCCEEDED);
        run(NEXUS_A, 0, TUR);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.QUERY_ASYNCHRONOUS_EVENT, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Test
    void descriptorFormatWhenTheUnitAsksForIt() {
        h.target.unit(0).descriptorSense(true);
        h.target.nexusAdded(NEXUS_A);
        assertThat(HexFormat.of().formatHex(run(NEXUS_A, 0, TUR).sense())).isEqualTo("7206290000000000");
    }

    @Test
    void aResetReplacesTheConditionsEstablishedBeforeIt() {
        h.login(NEXUS_A, 0);
        h.login(NEXUS_B, 0);
        h.target.unit(0).unitAttentions().establish(NEXUS_B, SenseCode.CAPACITY_DATA_HAS_CHANGED);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.CLEAR_TASK_SET, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertCheckCondition(run(NEXUS_B, 0, TUR), 0x6, 0x29, 0x03);
        assertThat(run(NEXUS_B, 0, TUR).status()).as("the capacity change went with the reset").isZero();
    }

    @Test
    void capacityChangedIsReportedToEveryNexusOnThatUnitOnly() {
        h.target.nexusAdded(NEXUS_A);
        h.target.nexusAdded(NEXUS_B);
        run(NEXUS_A, 0, TUR);
        run(NEXUS_B, 0, TUR);
        run(NEXUS_A, 1, TUR);
        h.target.capacityChanged(0);
        assertCheckCondition(run(NEXUS_A, 0, TUR), 0x6, 0x2A, 0x09);
        assertCheckCondition(run(NEXUS_B, 0, TUR), 0x6, 0x2A, 0x09);
        assertThat(run(NEXUS_A, 0, TUR).status()).isZero();
        assertThat(run(NEXUS_A, 1, TUR).status()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.target.capacityChanged(7))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
