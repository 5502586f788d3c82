package io.braid.scsi.internal;

import io.braid.scsi.AccessControl;
import io.braid.scsi.LunAccess;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LUN masking through {@link AccessControl}: what a hidden and a read-only unit look like to one initiator. */
class LunMaskingTest {

    private static final String TUR = "00 00 00 00 00 00";
    private static final Nexus NEXUS_C = new Nexus("iqn.2024-01.test:host-c,i,0x1", "iqn.2024-01.test:host-c",
            "iqn.2024-01.io.braid:t0,t,0x0001", 1, 0);

    private final MemoryBlockDevice d0 = new MemoryBlockDevice(512, 100);
    private final MemoryBlockDevice d1 = new MemoryBlockDevice(512, 100);
    private final MemoryBlockDevice d2 = new MemoryBlockDevice(512, 100);
    /** host-a: LUN 0 read-write, LUN 2 read-only; host-b (named in upper case): LUN 1 only; host-c: nothing. */
    private final Harness h = new Harness(
            List.of(Harness.unit(0, d0), Harness.unit(1, d1), Harness.unit(2, d2)),
            AccessControl.of(Map.of(
                    NEXUS_A.initiatorName(), Map.of(0, LunAccess.READ_WRITE, 2, LunAccess.READ_ONLY),
                    NEXUS_B.initiatorName().toUpperCase(), Map.of(1, LunAccess.READ_WRITE))));

    private Harness.Reply run(Nexus nexus, int lun, byte[] cdb, byte[] data) {
        return h.run(nexus, lun, cdb, data == null ? null : io.netty.buffer.Unpooled.wrappedBuffer(data), TaskAttribute.SIMPLE);
    }

    private Harness.Reply run(Nexus nexus, int lun, String cdb) {
        return run(nexus, lun, Harness.cdb(cdb), null);
    }

    @Test
    void reportLunsListsOnlyTheUnitsTheInitiatorMaySee() {
        assertThat(h.target.luns(NEXUS_A)).containsExactly(Lun.encode(0), Lun.encode(2));
        assertThat(h.target.luns(NEXUS_B)).as("names compare case-insensitively").containsExactly(Lun.encode(1));
        assertThat(h.target.luns(NEXUS_C)).as("an initiator without a grant sees nothing").isEmpty();
        Harness.Reply r = run(NEXUS_A, 1, "a0 00 00 00 00 00 00 00 01 00 00 00");
        assertThat(r.status()).isZero();
        assertThat(r.data()).hasSize(24);
        assertThat(r.data()[3]).as("LUN LIST LENGTH").isEqualTo((byte) 16);
        assertThat(r.data()[9]).isEqualTo((byte) 0);
        assertThat(r.data()[17]).isEqualTo((byte) 2);
    }

    @Test
    void aHiddenUnitAnswersExactlyLikeAMissingOne() {
        Harness.Reply inquiry = run(NEXUS_A, 1, "12 00 00 00 24 00");
        assertThat(inquiry.status()).isZero();
        assertThat(inquiry.data()[0] & 0xFF).as("peripheral qualifier 011b, device type 1Fh").isEqualTo(0x7F);
        assertThat(inquiry.data()).isEqualTo(run(NEXUS_A, 7, "12 00 00 00 24 00").data());
        assertCheckCondition(run(NEXUS_A, 1, TUR), 0x5, 0x25, 0x00);
        assertCheckCondition(run(NEXUS_A, 1, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), new byte[512]), 0x5, 0x25, 0x00);
        Harness.Reply sense = run(NEXUS_A, 1, "03 00 00 00 12 00");
        assertThat(sense.data()[12]).as("REQUEST SENSE: LOGICAL UNIT NOT SUPPORTED").isEqualTo((byte) 0x25);
        assertThat(d1.ops()).as("nothing reached the hidden unit's device").isEmpty();
        assertThat(run(NEXUS_B, 1, TUR).status()).as("the initiator it is mapped to uses it").isZero();
    }

    @Test
    void aReadOnlyGrantWriteProtectsTheUnitForThatInitiatorOnly() {
        Harness.Reply write = run(NEXUS_A, 2, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), new byte[512]);
        assertCheckCondition(write, 0x7, 0x27, 0x00);
        assertThat(d2.ops()).isEmpty();
        Harness.Reply read = run(NEXUS_A, 2, Cdbs.ten(Cdbs.READ10, 0, 0, 1), null);
        assertThat(read.status()).isZero();
        assertThat(run(NEXUS_A, 2, "1a 00 3f 00 ff 00").data()[2] & 0x80).as("MODE SENSE(6) WP").isEqualTo(0x80);
        assertThat(run(NEXUS_A, 2, "5a 00 3f 00 00 00 00 00 ff 00").data()[3] & 0x80).as("MODE SENSE(10) WP").isEqualTo(0x80);
        assertThat(run(NEXUS_A, 0, "1a 00 3f 00 ff 00").data()[2] & 0x80).as("its read-write unit").isZero();
        assertThat(run(NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), new byte[512]).status()).isZero();
    }

    @Test
    void taskManagementDoesNotReachHiddenUnits() {
        h.login(NEXUS_A, 0);
        h.login(NEXUS_B, 1);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, Lun.encode(1), 0))
                .isEqualTo(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK_SET, Lun.encode(1), 0))
                .isEqualTo(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.TARGET_WARM_RESET, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(run(NEXUS_B, 1, TUR).status()).as("a target reset reaches only the units its initiator sees").isZero();
        assertCheckCondition(run(NEXUS_A, 0, TUR), 0x6, 0x29, 0x00);
    }

    @Test
    void withoutMaskingEveryoneSeesEverything() {
        Harness open = new Harness(List.of(Harness.unit(0, d0), Harness.unit(1, d1)));
        assertThat(open.target.luns(NEXUS_C)).containsExactly(Lun.encode(0), Lun.encode(1));
        assertThat(open.run(NEXUS_C, 1, Harness.cdb(TUR), null, TaskAttribute.SIMPLE).status()).isZero();
    }

    @Test
    void aReadOnlyUnitStaysReadOnlyWhateverTheGrant() {
        Harness ro = new Harness(List.of(Harness.readOnlyUnit(0, d0)),
                AccessControl.of(Map.of(NEXUS_A.initiatorName(), Map.of(0, LunAccess.READ_WRITE))));
        ScsiResult r = ro.execute(NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1),
                io.netty.buffer.Unpooled.wrappedBuffer(new byte[512]), TaskAttribute.SIMPLE, 1);
        assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
    }

    @Test
    void theTableRefusesNamesThatDifferOnlyInCase() {
        assertThatThrownBy(() -> AccessControl.of(Map.of("iqn.2024-01.test:x", Map.of(), "IQN.2024-01.TEST:X", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listed twice");
        assertThat(AccessControl.of(Map.of()).access("iqn.2024-01.test:x", 0)).isEqualTo(LunAccess.NONE);
        assertThat(LunAccess.READ_WRITE.min(LunAccess.READ_ONLY)).isEqualTo(LunAccess.READ_ONLY);
    }
}
