package io.braid.scsi.internal;

import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, PRE-FETCH and READ DEFECT DATA. */
class MediumCommandsTest {

    private final Harness h = Harness.of(new io.braid.store.MemoryBlockDevice(512, 1000));

    private static String ssu(int immed, int modifier, int condition, int noFlush, int loej, int start) {
        return String.format("1b %02x 00 %02x %02x 00", immed, modifier,
                condition << 4 | noFlush << 2 | loej << 1 | start);
    }

    private Harness.Reply on(io.braid.scsi.Nexus nexus, String cdb) {
        return h.run(nexus, 0, Harness.cdb(cdb), null, TaskAttribute.SIMPLE);
    }

    @Test
    void startStopUnit() {
        assertThat(h.run(0, ssu(0, 0, 0, 0, 0, 1)).status()).as("START: already running").isZero();
        assertThat(h.run(0, ssu(1, 0, 0, 1, 0, 1)).status()).as("IMMED, NO_FLUSH").isZero();
        assertInvalidFieldInCdb(h.run(0, ssu(0, 0, 0, 0, 0, 0)), 4, 0); // a shared unit is never stopped
        assertInvalidFieldInCdb(h.run(0, ssu(0, 0, 0, 0, 1, 0)), 4, 1); // nothing to eject
        assertInvalidFieldInCdb(h.run(0, ssu(0, 0, 0, 0, 1, 1)), 4, 1); // nothing to load
        for (int pc : new int[] {1, 2, 3, 7, 0xA, 0xB}) {
            assertThat(h.run(0, ssu(1, 0, pc, 0, 1, 0)).status()).as("power condition %x changes nothing", pc).isZero();
        }
        assertThat(h.run(0, ssu(0, 2, 2, 0, 0, 0)).status()).as("IDLE_C").isZero();
        assertInvalidFieldInCdb(h.run(0, ssu(0, 3, 2, 0, 0, 0)), 3, 3);
        assertInvalidFieldInCdb(h.run(0, ssu(0, 1, 0, 0, 0, 1)), 3, 3);
        assertInvalidFieldInCdb(h.run(0, ssu(0, 0, 5, 0, 0, 0)), 4, 7);
        assertThat(h.run(0, "00 00 00 00 00 00").status()).as("still ready").isZero();
    }

    @Test
    void preventionIsPerNexusAndEndsWithAllowNexusLossAndResets() {
        h.target.nexusAdded(NEXUS_A);
        h.target.nexusAdded(NEXUS_B);
        on(NEXUS_A, "00 00 00 00 00 00");
        on(NEXUS_B, "00 00 00 00 00 00");
        String eject = ssu(0, 0, 0, 0, 1, 0);
        assertThat(on(NEXUS_A, "1e 00 00 00 01 00").status()).isZero();
        assertCheckCondition(on(NEXUS_A, eject), 0x5, 0x53, 0x02);
        assertCheckCondition(on(NEXUS_B, eject), 0x5, 0x53, 0x02); // seen on every nexus
        assertThat(on(NEXUS_B, "1e 00 00 00 00 00").status()).as("B's ALLOW does not end A's prevention").isZero();
        assertCheckCondition(on(NEXUS_B, eject), 0x5, 0x53, 0x02);
        assertThat(on(NEXUS_A, "1e 00 00 00 00 00").status()).isZero();
        assertInvalidFieldInCdb(on(NEXUS_A, eject), 4, 1);

        on(NEXUS_A, "1e 00 00 00 01 00");
        h.target.nexusRemoved(NEXUS_A);
        assertInvalidFieldInCdb(on(NEXUS_B, eject), 4, 1);

        on(NEXUS_B, "1e 00 00 00 01 00");
        h.target.manageTask(NEXUS_B, TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0);
        on(NEXUS_B, "00 00 00 00 00 00"); // the reset's unit attention
        assertInvalidFieldInCdb(on(NEXUS_B, eject), 4, 1);

        on(NEXUS_B, "1e 00 00 00 01 00");
        h.target.manageTask(NEXUS_B, TaskManagementFunction.TARGET_WARM_RESET, 0, 0);
        on(NEXUS_B, "00 00 00 00 00 00");
        assertInvalidFieldInCdb(on(NEXUS_B, eject), 4, 1);

        assertInvalidFieldInCdb(h.run(0, "1e 00 00 00 02 00"), 4, 1); // medium changer values
        assertInvalidFieldInCdb(h.run(0, "1e 00 00 00 03 00"), 4, 1);
    }

    @Test
    void preFetchChecksTheRangeAndAnswersGood() {
        assertThat(h.run(0, Cdbs.ten(0x34, 0, 0, 0)).status()).as("zero blocks: to the end").isZero();
        assertThat(h.run(0, Cdbs.ten(0x34, 0x02, 990, 10)).status()).as("IMMED").isZero();
        assertThat(h.run(0, Cdbs.sixteen(0x90, 0, 999, 1)).status()).isZero();
        assertCheckCondition(h.run(0, Cdbs.ten(0x34, 0, 1000, 0)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.ten(0x34, 0, 999, 2)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.sixteen(0x90, 0, -1, 1)), 0x5, 0x21, 0x00);
        byte[] group = Cdbs.ten(0x34, 0, 0, 1);
        group[6] = 3;
        assertThat(h.run(0, group).status()).as("GROUP NUMBER").isZero();
    }

    @Test
    void readDefectDataReturnsEmptyLists() {
        assertThat(HexFormat.of().formatHex(h.run(0, "37 00 00 00 00 00 00 00 20 00").data())).isEqualTo("00000000");
        assertThat(HexFormat.of().formatHex(h.run(0, "37 00 1b 00 00 00 00 00 20 00").data()))
                .as("PLISTV GLISTV, long block format").isEqualTo("001b0000");
        assertInvalidFieldInCdb(h.run(0, "37 00 07 00 00 00 00 00 20 00"), 2, 2);
        assertThat(HexFormat.of().formatHex(h.run(0, "b7 00 00 00 00 00 00 00 00 20 00 00").data()))
                .isEqualTo("0000000000000000");
        assertThat(HexFormat.of().formatHex(h.run(0, "b7 1d 00 00 00 05 00 00 00 20 00 00").data()))
                .isEqualTo("001d000000000000");
        assertThat(h.run(0, "37 00 00 00 00 00 00 00 02 00").data()).hasSize(2);
    }
}
