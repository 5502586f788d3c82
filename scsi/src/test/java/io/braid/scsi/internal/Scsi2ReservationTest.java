package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SCSI-2 RESERVE/RELEASE (SPC-2 "Reservations") and how they meet persistent reservations
 * (SPC-5 "Exceptions to SPC-2 RESERVE and RELEASE behavior"), after libiscsi's Reserve6 tests.
 */
class Scsi2ReservationTest {

    private static final String RESERVE6 = "16 00 00 00 00 00";
    private static final String RELEASE6 = "17 00 00 00 00 00";
    private static final String RESERVE10 = "56 00 00 00 00 00 00 00 00 00";
    private static final String RELEASE10 = "57 00 00 00 00 00 00 00 00 00";

    private final Harness h = Harness.of(new MemoryBlockDevice(512, 100));
    private final Pr pr = new Pr(h);

    @BeforeEach
    void login() {
        h.login(NEXUS_A, 0);
        h.login(NEXUS_B, 0);
    }

    private Harness.Reply run(Nexus n, String cdb) {
        return h.run(n, 0, Harness.cdb(cdb), null, TaskAttribute.SIMPLE);
    }

    @Test
    void twoInitiators() {
        pr.good(run(NEXUS_A, RESERVE6));
        pr.good(run(NEXUS_A, RESERVE6)); // the holder may reserve again
        pr.conflict(run(NEXUS_B, RESERVE6));
        pr.good(run(NEXUS_B, RELEASE6)); // not B's: GOOD, nothing released
        pr.good(run(NEXUS_A, "1a 00 3f 00 ff 00"));
        pr.conflict(run(NEXUS_B, "1a 00 3f 00 ff 00"));
        pr.conflict(run(NEXUS_B, RESERVE10));
        pr.good(run(NEXUS_A, RELEASE10));
        pr.good(run(NEXUS_B, RESERVE6));
        pr.good(run(NEXUS_B, RELEASE6));
    }

    @Test
    void whatOthersMayStillDo() {
        pr.good(run(NEXUS_A, RESERVE10));
        for (String cdb : List.of("12 00 00 00 24 00", "a0 00 00 00 00 00 00 00 01 00 00 00", "03 00 00 00 12 00")) {
            assertThat(run(NEXUS_B, cdb).status()).as(cdb).isNotEqualTo(ScsiResult.RESERVATION_CONFLICT);
        }
        for (String cdb : List.of("00 00 00 00 00 00", "28 00 00 00 00 00 00 00 01 00", "25 00 00 00 00 00 00 00 00 00")) {
            pr.conflict(run(NEXUS_B, cdb));
        }
        pr.good(pr.read(NEXUS_A));
        pr.good(pr.write(NEXUS_A));
    }

    @Test
    void persistentReserveCommandsConflictWhileReservedEvenForTheHolder() {
        pr.good(run(NEXUS_A, RESERVE6));
        pr.conflict(pr.in(NEXUS_A, 0));
        pr.conflict(pr.out(NEXUS_A, 0x06, 0, 0, 0xA));
        pr.conflict(pr.in(NEXUS_B, 0));
        pr.good(run(NEXUS_A, RELEASE6));
        pr.register(NEXUS_A, 0xA);
    }

    @Test
    void registrationsMakeReserveAndReleaseConflict() {
        pr.register(NEXUS_A, 0xA);
        pr.conflict(run(NEXUS_A, RESERVE6));
        pr.conflict(run(NEXUS_B, RESERVE6));
        pr.conflict(run(NEXUS_B, RELEASE10));
        // CRH: the holder of a persistent reservation gets GOOD and nothing changes.
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        pr.good(run(NEXUS_A, RESERVE6));
        pr.good(run(NEXUS_A, RELEASE6));
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xA, Pr.WE);
        pr.conflict(run(NEXUS_B, RESERVE6));
        // So does any registrant under a registrants only type.
        pr.register(NEXUS_B, 0xB);
        pr.good(pr.out(NEXUS_A, 0x02, Pr.WE, 0xA, 0));
        pr.reserve(NEXUS_A, 0xA, Pr.WERO);
        pr.good(run(NEXUS_B, RESERVE10));
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xA, Pr.WERO);
        // Under write exclusive a registrant that does not hold it conflicts.
        pr.good(pr.out(NEXUS_A, 0x02, Pr.WERO, 0xA, 0));
        assertThat(pr.pendingUa(NEXUS_B)).isEqualTo(0x2A04); // RESERVATIONS RELEASED
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        pr.conflict(run(NEXUS_B, RESERVE10));
    }

    @Test
    void nexusLossReleases() {
        pr.good(run(NEXUS_A, RESERVE6));
        pr.conflict(run(NEXUS_B, RESERVE6));
        h.target.nexusRemoved(NEXUS_A);
        pr.good(run(NEXUS_B, RESERVE6));
        pr.good(run(NEXUS_B, RELEASE6));
    }

    @ParameterizedTest
    @EnumSource(value = TaskManagementFunction.class,
            names = {"LOGICAL_UNIT_RESET", "TARGET_WARM_RESET", "TARGET_COLD_RESET"})
    void resetsRelease(TaskManagementFunction reset) {
        pr.register(NEXUS_B, 0xB);
        pr.good(pr.out(NEXUS_B, 0x00, 0, 0xB, 0));
        pr.good(run(NEXUS_A, RESERVE6));
        h.target.manageTask(NEXUS_A, reset, 0, 0);
        assertThat(pr.pendingUa(NEXUS_B) >> 8).isEqualTo(0x29);
        pr.good(run(NEXUS_B, RESERVE6));
        pr.good(run(NEXUS_B, RELEASE6));
    }

    @Test
    void resetsKeepPersistentReservations() {
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.EA);
        h.target.manageTask(NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0);
        h.target.nexusRemoved(NEXUS_A);
        assertThat(pr.pendingUa(NEXUS_B) >> 8).isEqualTo(0x29);
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xA, Pr.EA);
        pr.conflict(pr.read(NEXUS_B));
    }

    @Test
    void thirdPartyAndExtentReservationsAreRefused() {
        assertInvalidFieldInCdb(run(NEXUS_A, "16 10 00 00 00 00"), 1, 4);
        assertInvalidFieldInCdb(run(NEXUS_A, "16 01 00 00 00 00"), 1, 0);
        assertInvalidFieldInCdb(run(NEXUS_A, "56 10 00 07 00 00 00 00 18 00"), 1, 4);
        // Obsolete LUN bits, LONGID and the ignored fields are accepted.
        pr.good(run(NEXUS_A, "56 e2 ff 07 00 00 00 00 18 00"));
        pr.good(run(NEXUS_A, "17 e0 ff ff ff 00"));
    }
}
