package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.UnitFeature;
import io.braid.scsi.UnitStateStore;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** MODE SELECT(6)/(10) of the changeable control and caching page fields, their saved values and unit attentions. */
class ModeSelectTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 1000);
    private final UnitStateStore store = UnitStateStore.inMemory();
    private Harness h = harness();

    private Harness harness() {
        return new Harness(List.of(new LogicalUnitSpec(0, "v0", Harness.uuid(0), dev, false, store,
                EnumSet.allOf(UnitFeature.class))));
    }

    /** The current control page as MODE SENSE(6) returns it with DBD, PS cleared as MODE SELECT wants it. */
    private byte[] currentPage(int code) {
        byte[] d = h.run(0, String.format("1a 08 %02x 00 ff 00", code)).data();
        byte[] page = java.util.Arrays.copyOfRange(d, 4, d.length);
        page[0] &= 0x7F;
        return page;
    }

    /** MODE SELECT(6), PF 1, with an empty 4-byte header and the page. */
    private Harness.Reply select6(io.braid.scsi.Nexus nexus, boolean save, byte[] page) {
        byte[] list = new byte[4 + page.length];
        System.arraycopy(page, 0, list, 4, page.length);
        byte[] cdb = {0x15, (byte) (0x10 | (save ? 1 : 0)), 0, 0, (byte) list.length, 0};
        return h.run(nexus, 0, cdb, Unpooled.wrappedBuffer(list), TaskAttribute.SIMPLE);
    }

    /** MODE SELECT(10), PF 1, header 8 bytes with an optional block descriptor. */
    private Harness.Reply select10(boolean save, byte[] descriptor, boolean longLba, byte[] page) {
        byte[] list = new byte[8 + descriptor.length + page.length];
        list[4] = (byte) (longLba ? 1 : 0);
        BigEndian.put16(list, 6, descriptor.length);
        System.arraycopy(descriptor, 0, list, 8, descriptor.length);
        System.arraycopy(page, 0, list, 8 + descriptor.length, page.length);
        byte[] cdb = new byte[10];
        cdb[0] = 0x55;
        cdb[1] = (byte) (0x10 | (save ? 1 : 0));
        BigEndian.put16(cdb, 7, list.length);
        return h.run(NEXUS_A, 0, cdb, Unpooled.wrappedBuffer(list), TaskAttribute.SIMPLE);
    }

    private Harness.Reply write(int lba) {
        return h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, lba, 1), new byte[512]);
    }

    @Test
    void softwareWriteProtectStopsWritesAndIsReportedAsWp() {
        byte[] control = currentPage(0x0A);
        control[4] |= 0x08;
        assertThat(select6(NEXUS_A, false, control).status()).isZero();
        assertThat(currentPage(0x0A)[4] & 0x08).as("SWP current").isEqualTo(0x08);
        assertThat(h.run(0, "1a 08 0a 00 ff 00").data()[2] & 0x80).as("WP in the header").isEqualTo(0x80);
        assertCheckCondition(write(0), 0x7, 0x27, 0x00);
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1)).status()).as("reads still work").isZero();
        assertThat(dev.ops()).as("cached data flushed when protection starts").anyMatch(o -> o.kind().equals("flush"));
        control[4] &= ~0x08;
        assertThat(select6(NEXUS_A, false, control).status()).isZero();
        assertThat(write(0).status()).isZero();
    }

    @Test
    void descriptorSenseSelectsTheSenseFormat() {
        byte[] control = currentPage(0x0A);
        control[2] |= 0x04;
        assertThat(select6(NEXUS_A, false, control).status()).isZero();
        Harness.Reply r = h.run(0, Cdbs.sixteen(Cdbs.READ16, 0, -1L, 1));
        assertThat(r.sense()[0]).isEqualTo((byte) 0x72);
    }

    @Test
    void writeCacheOffMakesEveryWriteFua() {
        byte[] caching = currentPage(0x08);
        assertThat(caching[2] & 0x04).isEqualTo(0x04);
        caching[2] &= ~0x04;
        assertThat(select6(NEXUS_A, false, caching).status()).isZero();
        assertThat(currentPage(0x08)[2] & 0x04).as("WCE now 0").isZero();
        dev.clearOps();
        assertThat(write(5).status()).isZero();
        assertThat(dev.ops()).containsExactly(new MemoryBlockDevice.Op("write", 5 * 512, 512, true));
    }

    @Test
    void otherNexusesGetModeParametersChanged() {
        h.login(NEXUS_A, 0);
        h.login(NEXUS_B, 0);
        byte[] control = currentPage(0x0A);
        control[2] |= 0x04;
        assertThat(select6(NEXUS_A, false, control).status()).isZero();
        Harness.Reply b = h.run(NEXUS_B, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE);
        assertThat(b.senseKey()).isEqualTo(0x6);
        assertThat(b.asc()).isEqualTo(0x2A);
        assertThat(b.ascq()).isEqualTo(0x01);
        assertThat(h.run(NEXUS_A, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE).status())
                .as("not the nexus that changed them").isZero();
        // Selecting the same values again changes nothing and tells nobody.
        assertThat(select6(NEXUS_A, false, control).status()).isZero();
        assertThat(h.run(NEXUS_B, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE).status()).isZero();
    }

    @Test
    void savedValuesSurviveARestartAndAReset() throws IOException {
        byte[] control = currentPage(0x0A);
        control[4] |= 0x08;
        control[2] |= 0x04;
        assertThat(select6(NEXUS_A, true, control).status()).isZero();
        assertThat(store.load(ModeParameters.RECORD)).containsExactly(1, 0x03);
        assertThat(h.run(0, "1a 08 ca 00 ff 00").data()[4 + 4] & 0x08).as("saved SWP").isEqualTo(0x08);
        assertThat(h.run(0, "1a 08 8a 00 ff 00").data()[4 + 4] & 0x08).as("default SWP").isZero();

        h = harness(); // a restart over the same state store
        assertThat(currentPage(0x0A)[4] & 0x08).as("saved values load as current").isEqualTo(0x08);
        assertThat(currentPage(0x0A)[2] & 0x04).isEqualTo(0x04);

        // Current-only changes are lost on a logical unit reset; saved ones come back.
        byte[] off = currentPage(0x0A);
        off[4] &= ~0x08;
        assertThat(select6(NEXUS_A, false, off).status()).isZero();
        assertThat(currentPage(0x0A)[4] & 0x08).isZero();
        h.target.manageTask(NEXUS_A, TaskManagementFunction.LOGICAL_UNIT_RESET, Lun.encode(0), 0);
        assertThat(currentPage(0x0A)[4] & 0x08).isEqualTo(0x08);
    }

    @Test
    void aCorruptSavedRecordLeavesTheDefaults() throws IOException {
        store.store(ModeParameters.RECORD, new byte[] {9, 9, 9});
        h = harness();
        assertThat(currentPage(0x0A)[4]).isZero();
    }

    @Test
    void modeSelect10WithBlockDescriptors() {
        byte[] control = currentPage(0x0A);
        control[4] |= 0x08;
        byte[] shortDescriptor = new byte[8];
        BigEndian.put32(shortDescriptor, 0, 1000);
        BigEndian.put16(shortDescriptor, 6, 512);
        assertThat(select10(false, shortDescriptor, false, control).status()).isZero();
        byte[] longDescriptor = new byte[16];
        BigEndian.put32(longDescriptor, 12, 512); // 0 blocks: no change
        assertThat(select10(false, longDescriptor, true, control).status()).isZero();
        BigEndian.put32(longDescriptor, 12, 4096);
        assertParameterListField(select10(false, longDescriptor, true, control), 0x26, 8 + 12, 7);
        BigEndian.put32(shortDescriptor, 0, 999);
        assertParameterListField(select10(false, shortDescriptor, false, control), 0x26, 8, 7);
    }

    @Test
    void fieldsThatAreNotChangeableMustKeepTheirValue() {
        byte[] control = currentPage(0x0A);
        control[3] = 0x00; // QUEUE ALGORITHM MODIFIER
        assertParameterListField(select6(NEXUS_A, false, control), 0x26, 4 + 3, 4);
        byte[] iec = currentPage(0x1C);
        assertThat(select6(NEXUS_A, false, iec).status()).as("unchanged page is fine").isZero();
        iec[3] = 0x06; // MRIE
        assertParameterListField(select6(NEXUS_A, false, iec), 0x26, 4 + 3, 2);
    }

    @Test
    void parameterListChecks() {
        byte[] control = currentPage(0x0A);
        byte[] ps = control.clone();
        ps[0] |= (byte) 0x80;
        assertParameterListField(select6(NEXUS_A, false, ps), 0x26, 4, 7);
        byte[] unknown = control.clone();
        unknown[0] = 0x19;
        assertParameterListField(select6(NEXUS_A, false, unknown), 0x26, 4, 5);
        byte[] subpage = control.clone();
        subpage[0] |= 0x40;
        assertParameterListField(select6(NEXUS_A, false, subpage), 0x26, 4, 6);
        byte[] length = control.clone();
        length[1] = 0x0B;
        assertParameterListField(select6(NEXUS_A, false, length), 0x26, 5);
        // A page cut short by the parameter list length.
        byte[] list = new byte[4 + 6];
        System.arraycopy(control, 0, list, 4, 6);
        assertCheckCondition(h.run(NEXUS_A, 0, new byte[] {0x15, 0x10, 0, 0, (byte) list.length, 0},
                Unpooled.wrappedBuffer(list), TaskAttribute.SIMPLE), 0x5, 0x1A, 0x00);
        assertCheckCondition(h.run(NEXUS_A, 0, new byte[] {0x15, 0x10, 0, 0, 2, 0},
                Unpooled.wrappedBuffer(new byte[2]), TaskAttribute.SIMPLE), 0x5, 0x1A, 0x00);
        // Medium type must be 0.
        byte[] medium = new byte[4 + control.length];
        medium[1] = 1;
        System.arraycopy(control, 0, medium, 4, control.length);
        assertParameterListField(h.run(NEXUS_A, 0, new byte[] {0x15, 0x10, 0, 0, (byte) medium.length, 0},
                Unpooled.wrappedBuffer(medium), TaskAttribute.SIMPLE), 0x26, 1);
        // Nothing changed on any failure.
        assertThat(currentPage(0x0A)).isEqualTo(control);
    }

    @Test
    void cdbChecks() {
        assertInvalidFieldInCdb(h.run(0, "15 00 00 00 00 00"), 1, 4); // PF 0
        assertInvalidFieldInCdb(h.run(0, "15 12 00 00 00 00"), 1, 1); // RTD
        assertThat(h.run(0, "15 10 00 00 00 00").status()).as("empty list").isZero();
        assertThat(h.run(0, "55 11 00 00 00 00 00 00 00 00").status()).isZero();
    }

    @Test
    void writeCacheIsNotChangeableWithoutACache() {
        dev.writeCache(false);
        byte[] caching = currentPage(0x08);
        assertThat(caching[2]).isZero();
        caching[2] = 0x04;
        assertParameterListField(select6(NEXUS_A, false, caching), 0x26, 4 + 2, 2);
    }

    @Test
    void aFailedSaveChangesNothing() {
        UnitStateStore failing = new UnitStateStore() {
            @Override
            public byte[] load(String name) {
                return null;
            }

            @Override
            public void store(String name, byte[] record) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void delete(String name) {
            }
        };
        h = new Harness(List.of(new LogicalUnitSpec(0, "v0", Harness.uuid(0), dev, false, failing,
                EnumSet.allOf(UnitFeature.class))));
        byte[] control = currentPage(0x0A);
        control[4] |= 0x08;
        assertCheckCondition(select6(NEXUS_A, true, control), 0x4, 0x44, 0x00);
        assertThat(currentPage(0x0A)[4]).isZero();
        assertThat(write(1).status()).isEqualTo(ScsiResult.GOOD);
    }

    @Test
    void reportedInSupportedOperationCodes() {
        String all = HexFormat.of().formatHex(h.run(0, "a3 0c 00 00 00 00 00 00 ff ff 00 00").data());
        assertThat(all).contains("1500000000000006").contains("550000000000000a");
    }

    private static void assertParameterListField(Harness.Reply r, int asc, int byteIndex) {
        assertParameterListField(r, asc, byteIndex, -1);
    }

    private static void assertParameterListField(Harness.Reply r, int asc, int byteIndex, int bit) {
        assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(r.senseKey()).isEqualTo(0x5);
        assertThat(r.asc()).isEqualTo(asc);
        assertThat(r.sense()[15] & 0xFF).as("SKSV, parameter list, BPV|bit")
                .isEqualTo(0x80 | (bit >= 0 ? 0x08 | bit : 0));
        assertThat(BigEndian.u16(r.sense(), 16)).as("field pointer").isEqualTo(byteIndex);
    }
}
