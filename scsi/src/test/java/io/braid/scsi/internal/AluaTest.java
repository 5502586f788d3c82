package io.braid.scsi.internal;

import io.braid.scsi.AsymmetricAccessState;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TargetPortGroups;
import io.braid.scsi.TaskAttribute;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Asymmetric logical unit access: REPORT/SET TARGET PORT GROUPS, what each state lets through,
 * the unit attentions a change causes and the implicit-transition API. NEXUS_A comes through
 * relative port 1 in group 0, NEXUS_B through port 2 in group 1.
 */
class AluaTest {

    private static final String TUR = "00 00 00 00 00 00";
    private static final String READ10 = "28 00 00 00 00 00 00 00 01 00";
    private static final String RTPG = "a3 0a 00 00 00 00 00 00 04 00 00 00";
    /** A third nexus, another initiator through port 1 like NEXUS_A. */
    private static final Nexus NEXUS_C = new Nexus("iqn.2024-01.test:host-c,i,0x400001370002",
            "iqn.2024-01.test:host-c", "iqn.2024-01.io.braid:t0,t,0x0001", 1, 0);

    private final Harness h = new Harness(List.of(
            Harness.unit(0, new MemoryBlockDevice(512, 100)),
            Harness.unit(1, new MemoryBlockDevice(512, 100))));
    private final TargetPortGroups groups = h.target.targetPortGroups();

    private Harness.Reply run(Nexus nexus, int lun, String cdb) {
        return h.run(nexus, lun, Harness.cdb(cdb), null, TaskAttribute.SIMPLE);
    }

    private Harness.Reply stpg(Nexus nexus, byte[] list) {
        byte[] cdb = new byte[12];
        cdb[0] = (byte) 0xA4;
        cdb[1] = 0x0A;
        BigEndian.put32(cdb, 6, list.length);
        return h.run(nexus, 0, cdb, Unpooled.wrappedBuffer(list), TaskAttribute.SIMPLE);
    }

    private static byte[] setGroup(int group, int state) {
        byte[] b = new byte[8];
        b[4] = (byte) state;
        BigEndian.put16(b, 6, group);
        return b;
    }

    private static void assertAttention(Harness.Reply r, int asc, int ascq) {
        assertCheckCondition(r, 0x6, asc, ascq);
    }

    private void loginAll() {
        h.login(NEXUS_A, 0, 1);
        h.login(NEXUS_B, 0, 1);
        h.login(NEXUS_C, 0, 1);
    }

    @Test
    void standardInquiryReportsImplicitAndExplicitAlua() {
        assertThat(run(NEXUS_A, 0, "12 00 00 00 60 00").data()[5] & 0x30).isEqualTo(0x30);
    }

    @Test
    void reportTargetPortGroupsListsEveryGroupWithItsPorts() {
        loginAll();
        groups.addTargetPort(1, 3);
        String expected = "0000001c"
                + "00" + "cf" + "0000" + "00" + "00" + "00" + "01" + "00000001"
                + "00" + "cf" + "0001" + "00" + "00" + "00" + "02" + "00000002" + "00000003";
        Harness.Reply viaA = run(NEXUS_A, 0, RTPG);
        assertThat(HexFormat.of().formatHex(viaA.data())).isEqualTo(expected);
        assertThat(run(NEXUS_B, 1, RTPG).data()).as("every path and unit answers the same").isEqualTo(viaA.data());
        // Extended header: FORMAT TYPE 001b, implicit transition time 0; the length counts the header.
        Harness.Reply extended = run(NEXUS_A, 0, "a3 2a 00 00 00 00 00 00 04 00 00 00");
        assertThat(HexFormat.of().formatHex(extended.data()))
                .isEqualTo("00000020" + "10" + "00" + "0000" + expected.substring(8));
        assertInvalidFieldInCdb(run(NEXUS_A, 0, "a3 4a 00 00 00 00 00 00 04 00 00 00"), 1, 7);
        assertThat(groups.groups()).isEqualTo(Map.of(0, Set.of(1), 1, Set.of(2, 3)));
    }

    @Test
    void allocationLengthTruncatesButKeepsTheLength() {
        loginAll();
        Harness.Reply r = run(NEXUS_A, 0, "a3 0a 00 00 00 00 00 00 00 06 00 00");
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("00000018" + "00cf");
    }

    @Test
    void explicitStandbyRefusesMediumAccessButNotManagement() {
        loginAll();
        assertThat(stpg(NEXUS_A, setGroup(1, 0x2)).status()).isZero();
        // B is told on every unit, then refused; A and C, through the other group, are neither.
        assertAttention(run(NEXUS_B, 0, TUR), 0x2A, 0x06);
        assertAttention(run(NEXUS_B, 1, TUR), 0x2A, 0x06);
        assertCheckCondition(run(NEXUS_B, 0, READ10), 0x2, 0x04, 0x0B);
        assertCheckCondition(run(NEXUS_B, 0, TUR), 0x2, 0x04, 0x0B);
        assertThat(run(NEXUS_A, 0, READ10).status()).isZero();
        assertAttention(run(NEXUS_C, 0, TUR), 0x2A, 0x06);
        for (String allowed : List.of("12 00 00 00 60 00", "12 01 83 00 ff 00", "a0 00 00 00 00 00 00 00 01 00 00 00",
                "03 00 00 00 12 00", "1a 00 3f 00 ff 00", "5a 00 3f 00 00 00 00 00 ff 00", RTPG,
                "a3 0c 00 00 00 00 00 00 ff ff 00 00", "a3 0d 00 00 00 00 00 00 00 04 00 00")) {
            assertThat(run(NEXUS_B, 0, allowed).status()).as(allowed).isZero();
        }
        Harness.Reply report = run(NEXUS_B, 0, RTPG);
        assertThat(report.data()[16] & 0x0F).as("group 1 standby").isEqualTo(0x2);
        assertThat(report.data()[21]).as("altered by SET TARGET PORT GROUPS").isEqualTo((byte) 0x01);
        // SET TARGET PORT GROUPS works from standby too.
        assertThat(stpg(NEXUS_B, setGroup(1, 0x0)).status()).isZero();
        assertThat(run(NEXUS_B, 0, READ10).status()).as("the requester is not told").isZero();
        assertAttention(run(NEXUS_A, 0, TUR), 0x2A, 0x06);
    }

    @Test
    void unavailableLetsEvenLessThrough() {
        loginAll();
        assertThat(stpg(NEXUS_A, setGroup(1, 0x3)).status()).isZero();
        assertAttention(run(NEXUS_B, 0, TUR), 0x2A, 0x06);
        assertCheckCondition(run(NEXUS_B, 0, "1a 00 3f 00 ff 00"), 0x2, 0x04, 0x0C);
        assertCheckCondition(run(NEXUS_B, 0, READ10), 0x2, 0x04, 0x0C);
        assertThat(run(NEXUS_B, 0, "12 00 00 00 60 00").status()).isZero();
        assertThat(stpg(NEXUS_B, setGroup(1, 0x1)).status()).isZero();
        assertThat(run(NEXUS_B, 0, READ10).status()).as("active/non-optimized processes everything").isZero();
    }

    @Test
    void implicitTransitionsTellEveryNexus() {
        loginAll();
        groups.transition(1, AsymmetricAccessState.TRANSITIONING);
        assertThat(groups.state(1)).isEqualTo(AsymmetricAccessState.TRANSITIONING);
        assertAttention(run(NEXUS_A, 0, TUR), 0x2A, 0x06);
        assertAttention(run(NEXUS_B, 1, TUR), 0x2A, 0x06);
        assertCheckCondition(run(NEXUS_B, 1, TUR), 0x2, 0x04, 0x0A);
        assertAttention(run(NEXUS_B, 0, TUR), 0x2A, 0x06);
        assertCheckCondition(stpg(NEXUS_B, setGroup(1, 0x0)), 0x2, 0x04, 0x0A);
        Harness.Reply report = run(NEXUS_B, 0, RTPG);
        assertThat(report.data()[16] & 0x0F).isEqualTo(0xF);
        assertThat(report.data()[21]).as("implicit").isEqualTo((byte) 0x02);
        groups.transition(1, AsymmetricAccessState.ACTIVE_OPTIMIZED);
        assertAttention(run(NEXUS_B, 1, TUR), 0x2A, 0x06);
        assertThat(run(NEXUS_B, 1, READ10).status()).isZero();
        // No change, no unit attention.
        groups.transition(1, AsymmetricAccessState.ACTIVE_OPTIMIZED);
        assertThat(run(NEXUS_B, 1, TUR).status()).isZero();
    }

    @Test
    void setTargetPortGroupsParameterChecks() {
        loginAll();
        for (int state : new int[] {0x4, 0x5, 0xF}) {
            Harness.Reply r = stpg(NEXUS_A, setGroup(1, state));
            assertThat(r.asc()).as("state %x", state).isEqualTo(0x26);
            assertThat(BigEndian.u16(r.sense(), 16)).isEqualTo(4);
        }
        Harness.Reply unknownPort = stpg(NEXUS_A, setGroup(9, 0xE));
        assertThat(unknownPort.asc()).as("offline names a relative target port").isEqualTo(0x26);
        assertThat(BigEndian.u16(unknownPort.sense(), 16)).isEqualTo(6);
        Harness.Reply unknownGroup = stpg(NEXUS_A, setGroup(7, 0x2));
        assertThat(unknownGroup.asc()).isEqualTo(0x26);
        assertThat(BigEndian.u16(unknownGroup.sense(), 16)).isEqualTo(6);
        assertInvalidFieldInCdb(stpg(NEXUS_A, new byte[6]), 6, 7);
        // One bad descriptor: nothing changes.
        byte[] two = new byte[12];
        System.arraycopy(setGroup(0, 0x2), 4, two, 4, 4);
        System.arraycopy(setGroup(1, 0xF), 4, two, 8, 4);
        assertThat(stpg(NEXUS_A, two).asc()).isEqualTo(0x26);
        assertThat(groups.state(0)).isEqualTo(AsymmetricAccessState.ACTIVE_OPTIMIZED);
        assertThat(stpg(NEXUS_A, new byte[0]).status()).as("empty list: no change").isZero();
    }

    @Test
    void targetPortGroupsApi() {
        groups.addTargetPort(5, 10);
        groups.addTargetPort(5, 10);
        assertThatThrownBy(() -> groups.addTargetPort(6, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already in target port group 5");
        assertThatThrownBy(() -> groups.addTargetPort(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> groups.addTargetPort(0x10000, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> groups.transition(9, AsymmetricAccessState.STANDBY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not known");
        assertThat(groups.state(9)).isEqualTo(AsymmetricAccessState.ACTIVE_OPTIMIZED);
        assertThat(AsymmetricAccessState.ofCode(0xE)).isEqualTo(AsymmetricAccessState.OFFLINE);
        assertThat(AsymmetricAccessState.ofCode(0x4)).as("logical block dependent").isNull();
        assertThatThrownBy(() -> groups.transition(5, AsymmetricAccessState.OFFLINE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state of a target port");
        assertThatThrownBy(() -> groups.setOffline(77, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not known");
    }

    @Test
    void anOfflinePortProcessesNothingAndOnlyTheNodeBringsItBack() {
        loginAll();
        // SET TARGET PORT GROUPS through port 2 puts port 1 (A's and C's) offline.
        assertThat(stpg(NEXUS_B, setGroup(1, 0xE)).status()).isZero();
        assertThat(groups.isOffline(1)).isTrue();
        assertThat(groups.state(0)).as("the group's own state is untouched").isEqualTo(AsymmetricAccessState.ACTIVE_OPTIMIZED);
        assertAttention(run(NEXUS_A, 0, TUR), 0x2A, 0x06);
        for (String refused : List.of(TUR, READ10, "12 00 00 00 60 00", RTPG, "a0 00 00 00 00 00 00 00 01 00 00 00")) {
            assertCheckCondition(run(NEXUS_A, 0, refused), 0x2, 0x04, 0x12);
        }
        assertAttention(run(NEXUS_C, 1, TUR), 0x2A, 0x06);
        assertCheckCondition(run(NEXUS_C, 1, READ10), 0x2, 0x04, 0x12);
        assertThat(run(NEXUS_B, 0, READ10).status()).as("port 2 carries on; the requester is not told").isZero();
        groups.setOffline(1, false);
        assertAttention(run(NEXUS_A, 0, TUR), 0x2A, 0x06);
        assertThat(run(NEXUS_A, 0, READ10).status()).isZero();
        assertAttention(run(NEXUS_B, 0, TUR), 0x2A, 0x06);
        groups.setOffline(1, false);
        assertThat(run(NEXUS_B, 0, TUR).status()).as("no change, no unit attention").isZero();
        // Implicitly offline, then a group transition: the port stays offline until the node says.
        groups.setOffline(2, true);
        groups.transition(1, AsymmetricAccessState.ACTIVE_NON_OPTIMIZED);
        assertAttention(run(NEXUS_B, 0, TUR), 0x2A, 0x06);
        assertCheckCondition(run(NEXUS_B, 0, TUR), 0x2, 0x04, 0x12);
    }

    @Test
    void multipIsSetOnceTheTargetHasASecondPort() {
        h.login(NEXUS_A, 0);
        assertThat(run(NEXUS_A, 0, "12 00 00 00 60 00").data()[6] & 0x10).as("one port").isZero();
        groups.addTargetPort(1, 2);
        assertThat(run(NEXUS_A, 0, "12 00 00 00 60 00").data()[6] & 0x10).as("MULTIP").isEqualTo(0x10);
    }

    @Test
    void requesterIsListedEvenBeforeItsNexusIsAnnounced() {
        Harness.Reply r = run(NEXUS_B, 0, RTPG);
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("0000000c" + "00cf0001000000" + "01" + "00000002");
    }
}
