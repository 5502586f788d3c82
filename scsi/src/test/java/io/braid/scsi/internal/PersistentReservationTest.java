package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.UnitFeature;
import io.braid.scsi.UnitStateStore;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.Pr.NEXUS_A2;
import static io.braid.scsi.internal.Pr.NEXUS_C;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidField;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** PERSISTENT RESERVE IN/OUT through the dispatcher (SPC-5 "Persistent reservations"). */
class PersistentReservationTest {

    private static final int REGISTER = 0, RESERVE = 1, RELEASE = 2, CLEAR = 3, PREEMPT = 4,
            PREEMPT_AND_ABORT = 5, REGISTER_AND_IGNORE = 6, REGISTER_AND_MOVE = 7;
    private static final int RESERVATIONS_PREEMPTED = 0x2A03, RESERVATIONS_RELEASED = 0x2A04,
            REGISTRATIONS_PREEMPTED = 0x2A05;

    private final MemoryBlockDevice device = new MemoryBlockDevice(512, 100);
    private final Harness h = Harness.of(device);
    private final Pr pr = new Pr(h);

    @BeforeEach
    void login() {
        for (Nexus n : List.of(NEXUS_A, NEXUS_A2, NEXUS_B, NEXUS_C)) {
            h.login(n, 0);
        }
    }

    @Test
    void registerReadKeysAndUnregister() {
        assertThat(pr.keys(NEXUS_A)).isEmpty();
        int g0 = pr.generation(NEXUS_A);
        pr.good(pr.out(NEXUS_A, REGISTER, 0, 0, 0xAAAA));
        assertThat(pr.keys(NEXUS_B)).containsExactly(0xAAAAL);
        assertThat(pr.generation(NEXUS_B)).isEqualTo(g0 + 1);
        // Registered: REGISTER must carry the current key.
        pr.conflict(pr.out(NEXUS_A, REGISTER, 0, 0x1234, 0xBBBB));
        pr.good(pr.out(NEXUS_A, REGISTER, 0, 0xAAAA, 0xBBBB));
        assertThat(pr.keys(NEXUS_A)).containsExactly(0xBBBBL);
        // An unregistered nexus with a non-zero RESERVATION KEY conflicts.
        pr.conflict(pr.out(NEXUS_B, REGISTER, 0, 0xBBBB, 0xCCCC));
        // REGISTER AND IGNORE EXISTING KEY ignores it.
        pr.good(pr.out(NEXUS_A, REGISTER_AND_IGNORE, 0, 0x9999, 0xDDDD));
        assertThat(pr.keys(NEXUS_A)).containsExactly(0xDDDDL);
        pr.good(pr.out(NEXUS_A, REGISTER, 0, 0xDDDD, 0));
        assertThat(pr.keys(NEXUS_A)).isEmpty();
        assertThat(pr.generation(NEXUS_A)).isEqualTo(g0 + 4);
        // Unregistering an unregistered nexus: GOOD, nothing changes, no generation.
        pr.good(pr.out(NEXUS_A, REGISTER, 0, 0, 0));
        assertThat(pr.generation(NEXUS_A)).isEqualTo(g0 + 4);
    }

    @Test
    void registrationIsPerNexus() {
        pr.register(NEXUS_A, 0xA1);
        // The same initiator port through another target port is another I_T nexus.
        pr.conflict(pr.out(NEXUS_A2, RESERVE, Pr.WE, 0xA1, 0));
        pr.register(NEXUS_A2, 0xA2);
        assertThat(pr.keys(NEXUS_B)).containsExactly(0xA1L, 0xA2L);
    }

    @Test
    void readKeysIsTruncatedButReportsTheFullLength() {
        pr.register(NEXUS_A, 0x11);
        pr.register(NEXUS_B, 0x22);
        Harness.Reply r = h.run(NEXUS_A, 0, Harness.cdb("5e 00 00 00 00 00 00 00 08 00"), null, TaskAttribute.SIMPLE);
        pr.good(r);
        assertThat(r.data()).hasSize(8);
        assertThat(BigEndian.u32(r.data(), 4)).isEqualTo(16);
        assertThat(h.run(NEXUS_A, 0, Harness.cdb("5e 00 00 00 00 00 00 00 00 00"), null, TaskAttribute.SIMPLE)
                .transferLength()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {Pr.WE, Pr.EA, Pr.WERO, Pr.EARO, Pr.WEAR, Pr.EAAR})
    void reserveReadReservationRelease(int type) {
        pr.register(NEXUS_A, 0xA);
        int g = pr.generation(NEXUS_A);
        pr.conflict(pr.out(NEXUS_A, RESERVE, type, 0xB, 0)); // wrong key
        pr.reserve(NEXUS_A, 0xA, type);
        boolean allRegistrants = type == Pr.WEAR || type == Pr.EAAR;
        assertThat(pr.reservation(NEXUS_B)).containsExactly(allRegistrants ? 0 : 0xA, type);
        // Reserving again with the same type: GOOD, no change; another type: conflict.
        pr.reserve(NEXUS_A, 0xA, type);
        pr.conflict(pr.out(NEXUS_A, RESERVE, type == Pr.WE ? Pr.EA : Pr.WE, 0xA, 0));
        // RELEASE with another type by the holder: INVALID RELEASE OF PERSISTENT RESERVATION.
        assertCheckCondition(pr.out(NEXUS_A, RELEASE, type == Pr.WE ? Pr.EA : Pr.WE, 0xA, 0), 0x5, 0x26, 0x04);
        pr.good(pr.out(NEXUS_A, RELEASE, type, 0xA, 0));
        assertThat(pr.reservation(NEXUS_A)).isNull();
        assertThat(pr.generation(NEXUS_A)).as("RESERVE and RELEASE leave PRGENERATION").isEqualTo(g);
    }

    @Test
    void reserveFieldChecks() {
        pr.register(NEXUS_A, 0xA);
        assertInvalidFieldInCdb(pr.out(NEXUS_A, RESERVE, 0x02, 0xA, 0), 2, 3);  // reserved type
        assertInvalidFieldInCdb(pr.out(NEXUS_A, RESERVE, 0x11, 0xA, 0), 2, 7);  // element scope
        pr.conflict(pr.out(NEXUS_B, RESERVE, Pr.WE, 0, 0));                    // not registered
    }

    @Test
    void anotherNexusCannotReserveOrReleaseTheReservation() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        pr.conflict(pr.out(NEXUS_B, RESERVE, Pr.WE, 0xB, 0));
        pr.good(pr.out(NEXUS_B, RELEASE, Pr.WE, 0xB, 0)); // not the holder: GOOD, nothing released
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xA, Pr.WE);
        pr.conflict(pr.out(NEXUS_C, RELEASE, Pr.WE, 0, 0)); // not registered
    }

    /**
     * libiscsi's prout_reserve_access matrix: what a registered and then unregistered second
     * initiator may do under each type, while the holder may do everything.
     */
    @ParameterizedTest
    @ValueSource(ints = {Pr.WE, Pr.EA, Pr.WERO, Pr.EARO, Pr.WEAR, Pr.EAAR})
    void accessPerType(int type) {
        boolean exclusiveAccess = type == Pr.EA || type == Pr.EARO || type == Pr.EAAR;
        boolean registrantsHaveAccess = type >= Pr.WERO;
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, type);
        pr.good(pr.read(NEXUS_A));
        pr.good(pr.write(NEXUS_A));
        expect(pr.read(NEXUS_B), registrantsHaveAccess || !exclusiveAccess);
        expect(pr.write(NEXUS_B), registrantsHaveAccess);
        pr.good(pr.out(NEXUS_B, REGISTER, 0, 0xB, 0));
        expect(pr.read(NEXUS_B), !exclusiveAccess);
        expect(pr.write(NEXUS_B), false);
        // Always allowed: INQUIRY, REPORT LUNS, TEST UNIT READY, READ CAPACITY, PERSISTENT RESERVE IN.
        for (String cdb : List.of("12 00 00 00 24 00", "a0 00 00 00 00 00 00 00 01 00 00 00", "00 00 00 00 00 00",
                "25 00 00 00 00 00 00 00 00 00", "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00",
                "5e 00 00 00 00 00 00 00 40 00", "03 00 00 00 12 00")) {
            assertThat(h.run(NEXUS_B, 0, Harness.cdb(cdb), null, TaskAttribute.SIMPLE).status()).as(cdb).isZero();
        }
        // MODE SENSE: allowed under write exclusive, conflicts under exclusive access.
        expect(h.run(NEXUS_B, 0, Harness.cdb("1a 08 3f 00 ff 00"), null, TaskAttribute.SIMPLE), !exclusiveAccess);
    }

    /** ILLEGAL REQUEST / INVALID FIELD IN PARAMETER LIST pointing at byte/bit of the parameter list. */
    private static void assertInvalidParameter(Harness.Reply r, int byteIndex, int bit) {
        assertThat(r.status()).as("status").isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(new int[] {r.senseKey(), r.asc(), r.ascq()}).containsExactly(0x5, 0x26, 0x00);
        assertThat(r.sense()[15] & 0xFF).as("SKSV|C/D|BPV|bit").isEqualTo(0x80 | (bit >= 0 ? 0x08 | bit : 0));
        assertThat(BigEndian.u16(r.sense(), 16)).as("field pointer").isEqualTo(byteIndex);
    }

    private void expect(Harness.Reply r, boolean allowed) {
        if (allowed) {
            pr.good(r);
        } else {
            pr.conflict(r);
        }
    }

    @Test
    void conflictReportsTheTransferLengthAndReleasesDataOut() {
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.EA);
        io.netty.buffer.ByteBuf out = Unpooled.wrappedBuffer(new byte[1024]);
        Harness.Reply r = h.run(NEXUS_B, 0, Harness.cdb("2a 00 00 00 00 01 00 00 02 00"), out, TaskAttribute.SIMPLE);
        pr.conflict(r);
        assertThat(r.transferLength()).isEqualTo(1024);
        assertThat(out.refCnt()).isZero();
    }

    @Test
    void unitAttentionsComeBeforeConflicts() {
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.EA);
        h.target.nexusAdded(NEXUS_B);
        assertCheckCondition(pr.read(NEXUS_B), 0x6, 0x29, 0x00);
        pr.conflict(pr.read(NEXUS_B));
    }

    @ParameterizedTest
    @ValueSource(ints = {Pr.WE, Pr.EA, Pr.WERO, Pr.EARO})
    void holderUnregisteringReleases(int type) {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, type);
        pr.good(pr.out(NEXUS_A, REGISTER, 0, 0xA, 0));
        // Registrants only: the other registrants hear RESERVATIONS RELEASED; otherwise nothing.
        assertThat(pr.pendingUa(NEXUS_B)).isEqualTo(type >= Pr.WERO ? RESERVATIONS_RELEASED : -1);
        assertThat(pr.reservation(NEXUS_B)).isNull();
        assertThat(pr.pendingUa(NEXUS_C)).isEqualTo(-1);
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {Pr.WEAR, Pr.EAAR})
    void allRegistrantsReservationLastsWhileAnyoneIsRegistered(int type) {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, type);
        pr.good(pr.out(NEXUS_A, REGISTER, 0, 0xA, 0));
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0, type);
        pr.good(pr.write(NEXUS_B)); // a registrant is a holder
        pr.good(pr.out(NEXUS_B, RELEASE, type, 0xB, 0));
        assertThat(pr.reservation(NEXUS_B)).isNull();
        pr.reserve(NEXUS_B, 0xB, type);
        pr.good(pr.out(NEXUS_B, REGISTER, 0, 0xB, 0));
        assertThat(pr.reservation(NEXUS_A)).as("last registrant gone").isNull();
    }

    @Test
    void releaseOfRegistrantsOnlyTellsTheOtherRegistrants() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, Pr.EARO);
        pr.good(pr.out(NEXUS_A, RELEASE, Pr.EARO, 0xA, 0));
        assertThat(pr.pendingUa(NEXUS_B)).isEqualTo(RESERVATIONS_RELEASED);
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(-1);
        assertThat(pr.pendingUa(NEXUS_C)).as("not registered").isEqualTo(-1);
    }

    @Test
    void clearRemovesEverythingAndTellsTheOthers() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, Pr.EA);
        int g = pr.generation(NEXUS_A);
        pr.conflict(pr.out(NEXUS_C, CLEAR, 0, 0, 0));
        pr.conflict(pr.out(NEXUS_B, CLEAR, 0, 0xA, 0)); // B's key is 0xB
        pr.good(pr.out(NEXUS_B, CLEAR, 0, 0xB, 0));
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(RESERVATIONS_PREEMPTED);
        assertThat(pr.pendingUa(NEXUS_B)).isEqualTo(-1);
        assertThat(pr.keys(NEXUS_A)).isEmpty();
        assertThat(pr.reservation(NEXUS_A)).isNull();
        assertThat(pr.generation(NEXUS_A)).isEqualTo(g + 1);
    }

    /** libiscsi's prout_preempt_rm_reg: preempting a key without a reservation removes its registrations. */
    @Test
    void preemptRemovesRegistrationsWithoutReservation() {
        pr.register(NEXUS_A, 0x1);
        pr.register(NEXUS_B, 0x2);
        int g = pr.generation(NEXUS_A);
        pr.good(pr.out(NEXUS_B, PREEMPT, Pr.EA, 0x2, 0x1));
        assertThat(pr.keys(NEXUS_B)).containsExactly(0x2L);
        assertThat(pr.generation(NEXUS_B)).isEqualTo(g + 1);
        assertThat(pr.reservation(NEXUS_B)).as("scope and type ignored").isNull();
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(REGISTRATIONS_PREEMPTED);
        assertThat(pr.pendingUa(NEXUS_B)).isEqualTo(-1);
        pr.conflict(pr.out(NEXUS_B, PREEMPT, Pr.EA, 0x2, 0x77)); // nobody holds key 77h
        assertInvalidParameter(pr.out(NEXUS_B, PREEMPT, Pr.EA, 0x2, 0), 8, -1);
    }

    @Test
    void preemptTakesTheReservationOfTheHolder() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_A2, 0xA); // the same key through a second path
        pr.register(NEXUS_B, 0xB);
        pr.register(NEXUS_C, 0xC);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        pr.good(pr.out(NEXUS_B, PREEMPT, Pr.EA, 0xB, 0xA));
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(REGISTRATIONS_PREEMPTED);
        assertThat(pr.pendingUa(NEXUS_A2)).isEqualTo(REGISTRATIONS_PREEMPTED);
        // C kept its registration but the type changed under it.
        assertThat(pr.pendingUa(NEXUS_C)).isEqualTo(RESERVATIONS_RELEASED);
        assertThat(pr.reservation(NEXUS_C)).containsExactly(0xB, Pr.EA);
        assertThat(pr.keys(NEXUS_C)).containsExactly(0xBL, 0xCL);
        pr.conflict(pr.write(NEXUS_A));
    }

    @Test
    void holderPreemptsItselfToChangeType() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        pr.good(pr.out(NEXUS_A, PREEMPT, Pr.EA, 0xA, 0xA));
        assertThat(pr.pendingUa(NEXUS_B)).isEqualTo(RESERVATIONS_RELEASED);
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xA, Pr.EA);
        assertThat(pr.keys(NEXUS_B)).containsExactly(0xAL, 0xBL);
    }

    @Test
    void preemptWithKeyZeroTakesAnAllRegistrantsReservation() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.register(NEXUS_C, 0xC);
        pr.reserve(NEXUS_A, 0xA, Pr.EAAR);
        pr.good(pr.out(NEXUS_B, PREEMPT, Pr.WE, 0xB, 0));
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(REGISTRATIONS_PREEMPTED);
        assertThat(pr.pendingUa(NEXUS_C)).isEqualTo(REGISTRATIONS_PREEMPTED);
        assertThat(pr.keys(NEXUS_B)).containsExactly(0xBL);
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xB, Pr.WE);
    }

    @Test
    void preemptAndAbortEndsThePreemptedTasksFirst() throws Exception {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        java.util.concurrent.CountDownLatch gate = device.holdReads();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        CompletableFuture<ScsiResult> held = CompletableFuture.supplyAsync(() -> h.execute(NEXUS_A, 0,
                Harness.cdb("28 00 00 00 00 01 00 00 01 00"), null, TaskAttribute.SIMPLE, 999), pool);
        device.awaitReadEntered();
        CompletableFuture<Harness.Reply> preempt = CompletableFuture.supplyAsync(
                () -> pr.out(NEXUS_B, PREEMPT_AND_ABORT, Pr.EA, 0xB, 0xA), pool);
        // QUERY TASK stops finding the read once PREEMPT AND ABORT has marked it aborted (a fixed
        // sleep is too short on a loaded machine).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.target.manageTask(NEXUS_A, io.braid.scsi.TaskManagementFunction.QUERY_TASK, 0, 999)
                == io.braid.scsi.TaskManagementResponse.FUNCTION_SUCCEEDED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(preempt).as("waits for the aborted task").isNotDone();
        gate.countDown();
        pr.good(preempt.get(5, TimeUnit.SECONDS));
        assertThat(held.get(5, TimeUnit.SECONDS).status()).isEqualTo(ScsiResult.TASK_ABORTED);
        pool.shutdown();
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xB, Pr.EA);
        assertThat(pr.pendingUa(NEXUS_A)).isEqualTo(REGISTRATIONS_PREEMPTED);
    }

    @Test
    void preemptAndAbortAlsoEndsTheTransportsHeldTasksOfThePreemptedNexusesOnly() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.register(NEXUS_C, 0xC);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        List<Nexus> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> luns = new java.util.concurrent.CopyOnWriteArrayList<>();
        h.target.heldTasks((lun, which) -> {
            luns.add(lun);
            for (Nexus n : List.of(NEXUS_A, NEXUS_A2, NEXUS_B, NEXUS_C)) {
                if (which.test(n)) {
                    asked.add(n);
                }
            }
            return java.util.Set.of();
        });
        pr.good(pr.out(NEXUS_B, PREEMPT_AND_ABORT, Pr.EA, 0xB, 0xA));
        assertThat(luns).containsExactly(Lun.encode(0));
        assertThat(asked).as("only the preempted key's nexus, never the one preempting").containsExactly(NEXUS_A);
        // PREEMPT without ABORT leaves held tasks alone.
        asked.clear();
        luns.clear();
        pr.good(pr.out(NEXUS_B, PREEMPT, Pr.EA, 0xB, 0xC));
        assertThat(luns).isEmpty();
    }

    @Test
    void specIPtRegistersTheNamedInitiatorPorts() {
        byte[] b = new TransportId("iqn.2024-01.test:host-b", 0x400001370001L).encode();
        byte[] c = new TransportId("iqn.2024-01.test:host-c", TransportId.ANY_ISID).encode();
        assertThat(b[0] & 0xC0).as("format 01b").isEqualTo(0x40);
        assertThat(c[0] & 0xC0).as("format 00b").isZero();
        pr.good(pr.out(NEXUS_A, REGISTER, 0, Pr.specIPt(0, 0x77, 0, b, c)));
        assertThat(pr.keys(NEXUS_A)).containsExactly(0x77L, 0x77L, 0x77L);
        // B and C are registered on the target port the command came through (port 1); B's own nexus is on port 2.
        pr.reserve(NEXUS_C, 0x77, Pr.WE);
        pr.conflict(pr.out(NEXUS_B, RESERVE, Pr.WE, 0x77, 0));
        Nexus bOnPort1 = new Nexus(NEXUS_B.initiatorPort(), NEXUS_B.initiatorName(), NEXUS_A.targetPort(), 1, 0);
        h.login(bOnPort1, 0);
        pr.good(pr.out(bOnPort1, RELEASE, Pr.WE, 0x77, 0)); // registered, not the holder
        // A registered nexus may not use SPEC_I_PT.
        assertInvalidParameter(pr.out(NEXUS_A, REGISTER, 0, Pr.specIPt(0x77, 0x78, 0, b)), 20, 3);
        // Nor may any other service action.
        assertInvalidParameter(pr.out(NEXUS_B, REGISTER_AND_IGNORE, 0, Pr.specIPt(0, 0x78, 0, b)), 20, 3);
    }

    @Test
    void specIPtWithAllTargetPorts() {
        byte[] b = new TransportId("iqn.2024-01.test:host-b", 0x400001370001L).encode();
        pr.good(pr.out(NEXUS_A, REGISTER, 0, Pr.specIPt(0, 0x77, 0x04, b)));
        pr.reserve(NEXUS_A2, 0x77, Pr.WERO); // A registered through every port
        pr.good(pr.write(NEXUS_B));           // B too, on its own port 2
        pr.conflict(pr.write(NEXUS_C));
        Harness.Reply full = pr.in(NEXUS_A, 3);
        pr.good(full);
        assertThat(full.data()[8 + 12] & 0x02).as("ALL_TG_PT").isEqualTo(0x02);
    }

    @Test
    void malformedTransportIds() {
        byte[] fc = new TransportId("iqn.x", 1).encode();
        fc[0] = 0x40; // protocol 0: Fibre Channel
        assertInvalidParameter(pr.out(NEXUS_A, REGISTER, 0, Pr.specIPt(0, 0x77, 0, fc)), 28, 3);
        byte[] noTerminator = new TransportId("iqn.x", 1).encode();
        java.util.Arrays.fill(noTerminator, 4, noTerminator.length, (byte) 'a');
        assertInvalidParameter(pr.out(NEXUS_A, REGISTER, 0, Pr.specIPt(0, 0x77, 0, noTerminator)), 32, -1);
        byte[] list = Pr.specIPt(0, 0x77, 0, new TransportId("iqn.x", 1).encode());
        BigEndian.put32(list, 24, 1000); // TRANSPORTID PARAMETER DATA LENGTH beyond the list
        assertCheckCondition(pr.out(NEXUS_A, REGISTER, 0, list), 0x5, 0x1A, 0x00);
        assertThat(pr.keys(NEXUS_A)).isEmpty();
    }

    @Test
    void parameterListLengthMustBe24() {
        assertCheckCondition(pr.out(NEXUS_A, REGISTER, 0, new byte[20]), 0x5, 0x1A, 0x00);
        assertCheckCondition(pr.out(NEXUS_A, REGISTER, 0, new byte[28]), 0x5, 0x1A, 0x00);
        // The CDB announces more than the initiator sent.
        byte[] cdb = Harness.cdb("5f 06 00 00 00 00 00 00 18 00");
        Harness.Reply r = h.run(NEXUS_A, 0, cdb, Unpooled.wrappedBuffer(new byte[16]), TaskAttribute.SIMPLE);
        assertCheckCondition(r, 0x5, 0x1A, 0x00);
    }

    @Test
    void registerAndMove() {
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        byte[] toB = new TransportId("iqn.2024-01.test:host-b", 0x400001370001L).encode();
        // Only the holder may move; the destination needs a known relative target port.
        pr.conflict(pr.out(NEXUS_C, REGISTER_AND_MOVE, Pr.WE, Pr.move(0, 0xB, false, 2, toB)));
        assertInvalidParameter(pr.out(NEXUS_A, REGISTER_AND_MOVE, Pr.WE, Pr.move(0xA, 0xB, false, 9, toB)),
                18, -1);
        assertInvalidParameter(pr.out(NEXUS_A, REGISTER_AND_MOVE, Pr.WE, Pr.move(0xA, 0, false, 2, toB)),
                8, -1);
        byte[] toSelf = new TransportId("iqn.2024-01.test:host-a", 0x400001370000L).encode();
        assertInvalidParameter(pr.out(NEXUS_A, REGISTER_AND_MOVE, Pr.WE, Pr.move(0xA, 0xB, false, 1, toSelf)),
                24, -1);
        int g = pr.generation(NEXUS_A);
        pr.good(pr.out(NEXUS_A, REGISTER_AND_MOVE, Pr.EA, Pr.move(0xA, 0xB, true, 2, toB)));
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xB, Pr.EA);
        assertThat(pr.keys(NEXUS_B)).as("UNREG removed the source").containsExactly(0xBL);
        assertThat(pr.generation(NEXUS_B)).isEqualTo(g + 1);
        pr.good(pr.write(NEXUS_B));
        pr.conflict(pr.read(NEXUS_A));
    }

    @Test
    void registerAndMoveRefusesAllRegistrantsReservations() {
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.WEAR);
        byte[] toB = new TransportId("iqn.2024-01.test:host-b", 0x400001370001L).encode();
        pr.conflict(pr.out(NEXUS_A, REGISTER_AND_MOVE, Pr.WE, Pr.move(0xA, 0xB, false, 2, toB)));
    }

    @Test
    void registerAndMoveCannotCreateAnAllRegistrantsReservation() {
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        byte[] toB = new TransportId("iqn.2024-01.test:host-b", 0x400001370001L).encode();
        for (int type : new int[]{Pr.WEAR, Pr.EAAR}) {
            assertInvalidFieldInCdb(pr.out(NEXUS_A, REGISTER_AND_MOVE, type, Pr.move(0xA, 0xB, false, 2, toB)), 2, 3);
        }
        assertThat(pr.reservation(NEXUS_A)).as("nothing moved").containsExactly(0xA, Pr.WE);
    }

    @Test
    void reportCapabilities() {
        Harness.Reply r = pr.in(NEXUS_A, 2);
        pr.good(r);
        assertThat(HexFormat.of().formatHex(r.data())).as("RLR_C CRH SIP_C ATP_C PTPL_C").isEqualTo("0008" + "9d" + "90" + "ea01" + "0000");
        pr.good(pr.out(NEXUS_A, REGISTER, 0, Pr.basic(0, 0xA, 0x01)));
        assertThat(pr.in(NEXUS_A, 2).data()[3] & 0x01).as("PTPL_A").isEqualTo(1);
    }

    @Test
    void readFullStatus() {
        pr.register(NEXUS_A, 0xA);
        pr.register(NEXUS_B, 0xB);
        pr.reserve(NEXUS_B, 0xB, Pr.EARO);
        Harness.Reply r = pr.in(NEXUS_C, 3);
        pr.good(r);
        byte[] d = r.data();
        String tidA = "iqn.2024-01.test:host-a,i,0x400001370000";
        int descA = 24 + 4 + ((tidA.length() + 1 + 3) & ~3);
        assertThat(BigEndian.u32(d, 4)).isEqualTo(d.length - 8);
        assertThat(BigEndian.u64(d, 8)).isEqualTo(0xA);
        assertThat(d[8 + 12]).as("not the holder").isZero();
        assertThat(BigEndian.u16(d, 8 + 18)).isEqualTo(1);
        assertThat(BigEndian.u32(d, 8 + 20)).isEqualTo(descA - 24);
        assertThat(d[8 + 24] & 0xFF).as("iSCSI, format 01b").isEqualTo(0x45);
        assertThat(new String(d, 8 + 28, tidA.length(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(tidA);
        int b = 8 + descA;
        assertThat(BigEndian.u64(d, b)).isEqualTo(0xB);
        assertThat(d[b + 12]).as("R_HOLDER").isEqualTo((byte) 0x01);
        assertThat(d[b + 13]).as("scope/type").isEqualTo((byte) Pr.EARO);
        assertThat(BigEndian.u16(d, b + 18)).isEqualTo(2);
    }

    @Test
    void serviceActionRange() {
        for (int sa = 0; sa < 4; sa++) {
            pr.good(pr.in(NEXUS_A, sa));
        }
        for (int sa = 4; sa < 0x20; sa++) {
            assertInvalidFieldInCdb(pr.in(NEXUS_A, sa), 1, 4);
        }
        // REPLACE LOST RESERVATION with nothing lost: an invalid release (SPC-5 "Replacing lost reservations").
        assertCheckCondition(pr.out(NEXUS_A, 0x08, Pr.WE, 0, 0xA), 0x5, 0x26, 0x04);
        assertInvalidFieldInCdb(pr.out(NEXUS_A, 0x09, 0, 0, 0), 1, 4);
    }

    @Test
    void persistentReserveCommandsAreReportedWithTheirUsage() {
        Harness.Reply r = h.run(NEXUS_A, 0, Harness.cdb("a3 0c 02 5f 00 07 00 00 ff ff 00 00"), null, TaskAttribute.SIMPLE);
        pr.good(r);
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("0003" + "000a" + "5f07ff0000ffffffff00");
        r = h.run(NEXUS_A, 0, Harness.cdb("a3 0c 01 16 00 00 00 00 ff ff 00 00"), null, TaskAttribute.SIMPLE);
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("0003" + "0006" + "160000000000");
    }

    @Test
    void switchedOffUnitHasNoReservations() {
        Harness off = new Harness(List.of(new LogicalUnitSpec(0, "v0", Harness.uuid(0), new MemoryBlockDevice(512, 100),
                false, UnitStateStore.inMemory(), EnumSet.complementOf(EnumSet.of(UnitFeature.PERSISTENT_RESERVATIONS)))));
        for (String cdb : List.of("5e 00 00 00 00 00 00 00 40 00", "5f 00 00 00 00 00 00 00 18 00", "16 00 00 00 00 00",
                "17 00 00 00 00 00", "56 00 00 00 00 00 00 00 00 00", "57 00 00 00 00 00 00 00 00 00")) {
            assertCheckCondition(off.run(0, cdb), 0x5, 0x20, 0x00);
        }
        Harness.Reply one = off.run(0, "a3 0c 02 5e 00 00 00 00 ff ff 00 00");
        assertThat(HexFormat.of().formatHex(one.data())).isEqualTo("00010000");
        Harness.Reply all = off.run(0, "a3 0c 00 00 00 00 00 00 ff ff 00 00");
        for (int i = 4; i < all.data().length; i += 8) {
            assertThat(all.data()[i] & 0xFF).isNotIn(0x16, 0x17, 0x56, 0x57, 0x5E, 0x5F);
        }
        Harness.Reply on = h.run(0, "a3 0c 00 00 00 00 00 00 ff ff 00 00");
        assertThat(on.data().length - 4).isEqualTo(all.data().length - 4 + 8 * 17);
    }
}
