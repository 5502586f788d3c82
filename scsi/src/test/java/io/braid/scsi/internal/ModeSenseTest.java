package io.braid.scsi.internal;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.SenseAssert.assertInvalidField;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

class ModeSenseTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 131072);
    private final Harness h = Harness.of(dev);

    // PS is set on the caching and control pages: their changeable fields can be saved.
    private static final String CACHING_WCE = "8812" + "04" + "00".repeat(17);
    private static final String CACHING_NO_WCE = "8812" + "00" + "00".repeat(17);
    private static final String CONTROL = "8a0a" + "00" + "10" + "00" + "00" + "0000" + "ffff" + "0000";
    private static final String IEC = "1c0a" + "00".repeat(10);

    private String hex(String cdb) {
        Harness.Reply r = h.run(0, cdb);
        assertThat(r.status()).isZero();
        return HexFormat.of().formatHex(r.data());
    }

    @Test
    void modeSense6AllPagesCurrent() {
        // header: length 55 (56-1), medium 0, DPOFUA, 8-byte descriptor; 131072 blocks of 512.
        assertThat(hex("1a 00 3f 00 ff 00")).isEqualTo("37" + "00" + "10" + "08"
                + "00020000" + "00" + "000200"
                + CACHING_WCE + CONTROL + IEC);
    }

    @Test
    void writeCacheEnabledFollowsTheDevice() {
        dev.writeCache(false);
        assertThat(hex("1a 08 08 00 ff 00")).isEqualTo("17001000" + CACHING_NO_WCE);
    }

    @Test
    void disableBlockDescriptors() {
        assertThat(hex("1a 08 0a 00 ff 00")).isEqualTo("0f001000" + CONTROL);
    }

    @Test
    void changeableValuesAreWceDsenseAndSwp() {
        assertThat(hex("1a 08 7f 00 ff 00")).isEqualTo("2f001000" + "8812" + "04" + "00".repeat(17)
                + "8a0a" + "04" + "00" + "08" + "00".repeat(7) + IEC);
        dev.writeCache(false);
        assertThat(hex("1a 08 48 00 ff 00")).as("no write cache: WCE is not changeable")
                .isEqualTo("17001000" + "8812" + "00".repeat(18));
    }

    @Test
    void defaultValuesEqualTheInitialCurrentValues() {
        assertThat(hex("1a 08 bf 00 ff 00")).isEqualTo(hex("1a 08 3f 00 ff 00"));
    }

    @Test
    void savedValuesAreTheDefaultsUntilSomethingIsSaved() {
        assertThat(hex("1a 08 ff 00 ff 00")).isEqualTo(hex("1a 08 bf 00 ff 00"));
        assertThat(hex("5a 08 c8 00 00 00 00 00 ff 00")).isEqualTo("001a" + "00" + "10" + "00000000" + CACHING_WCE);
    }

    @Test
    void allSubpagesAndPageWithAllSubpages() {
        assertThat(hex("1a 08 3f ff ff 00")).isEqualTo(hex("1a 08 3f 00 ff 00"));
        assertThat(hex("1a 08 1c ff ff 00")).isEqualTo("0f001000" + IEC);
    }

    @Test
    void unsupportedPageAndSubpage() {
        assertInvalidFieldInCdb(h.run(0, "1a 00 01 00 ff 00"), 2, 5);
        assertInvalidFieldInCdb(h.run(0, "1a 00 00 00 ff 00"), 2, 5);
        assertInvalidFieldInCdb(h.run(0, "1a 00 0a 01 ff 00"), 3, 7);
        assertInvalidFieldInCdb(h.run(0, "5a 00 08 02 00 00 00 00 ff 00"), 3, 7);
        assertInvalidFieldInCdb(h.run(0, "1a 10 3f 00 ff 00"), 1, 4);
    }

    @Test
    void allocationLengthTruncatesWithoutChangingTheLength() {
        Harness.Reply r = h.run(0, "1a 00 3f 00 04 00");
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("37001008");
        assertThat(r.transferLength()).isEqualTo(4);
        Harness.Reply none = h.run(0, "1a 00 3f 00 00 00");
        assertThat(none.data()).isNull();
        assertThat(none.transferLength()).isZero();
    }

    @Test
    void modeSense10ShortAndLongDescriptors() {
        assertThat(hex("5a 00 0a 00 00 00 00 00 ff 00")).isEqualTo("001a" + "00" + "10" + "00" + "00" + "0008"
                + "00020000" + "00" + "000200" + CONTROL);
        assertThat(hex("5a 10 0a 00 00 00 00 00 ff 00")).isEqualTo("0022" + "00" + "10" + "01" + "00" + "0010"
                + "0000000000020000" + "00000000" + "00000200" + CONTROL);
        assertThat(hex("5a 18 0a 00 00 00 00 00 ff 00")).as("DBD wins over LLBAA")
                .isEqualTo("0012" + "00" + "10" + "00" + "00" + "0000" + CONTROL);
    }

    @Test
    void writeProtectBitForReadOnlyUnits() {
        Harness ro = new Harness(List.of(Harness.readOnlyUnit(0, dev)));
        assertThat(ro.run(0, "1a 08 3f 00 ff 00").data()[2]).isEqualTo((byte) 0x90);
        assertThat(ro.run(0, "5a 08 3f 00 00 00 00 00 ff 00").data()[3]).isEqualTo((byte) 0x90);
    }

    @Test
    void blockCountAboveFourBillionSaturatesTheShortDescriptor() {
        Harness big = new Harness(List.of(Harness.unit(0, new MemoryBlockDevice(512, 0x1_0000_0005L))));
        assertThat(HexFormat.of().formatHex(big.run(0, "1a 00 08 00 ff 00").data(), 4, 12)).isEqualTo("ffffffff00000200");
        assertThat(HexFormat.of().formatHex(big.run(0, "5a 10 08 00 00 00 00 00 ff 00").data(), 8, 24))
                .isEqualTo("0000000100000005" + "00000000" + "00000200");
    }

    @Test
    void descriptorSenseBitIsReportedAndUsed() {
        h.target.unit(0).descriptorSense(true);
        assertThat(hex("1a 08 0a 00 ff 00")).isEqualTo("0f001000" + "8a0a" + "04" + CONTROL.substring(6));
        Harness.Reply r = h.run(0, Cdbs.sixteen(Cdbs.READ16, 0, -1L, 1));
        assertThat(HexFormat.of().formatHex(r.sense())).isEqualTo("7205210000000000");
        assertThat(hex("1a 08 8a 00 ff 00")).as("default still fixed").isEqualTo("0f001000" + CONTROL);
    }
}
