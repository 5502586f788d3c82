package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

class RequestSenseAndReportLunsTest {

    private final Harness h = new Harness(List.of(
            Harness.unit(0, new MemoryBlockDevice(512, 100)),
            Harness.unit(5, new MemoryBlockDevice(512, 100)),
            Harness.unit(300, new MemoryBlockDevice(512, 100))));

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void requestSenseWithNothingPendingIsNoSense() {
        Harness.Reply r = h.run(0, "03 00 00 00 ff 00");
        assertThat(r.status()).isZero();
        assertThat(hex(r.data())).isEqualTo("700000000000000a" + "00000000" + "0000" + "00000000");
        assertThat(hex(h.run(0, "03 01 00 00 ff 00").data())).as("DESC").isEqualTo("7200000000000000");
    }

    @Test
    void requestSenseAllocationLength() {
        Harness.Reply r = h.run(0, "03 00 00 00 08 00");
        assertThat(r.data()).hasSize(8);
        assertThat(r.transferLength()).isEqualTo(8);
        assertThat(h.run(0, "03 00 00 00 00 00").data()).isNull();
    }

    @Test
    void requestSenseForAMissingUnitReportsItAsData() {
        Harness.Reply r = h.run(9, "03 00 00 00 ff 00");
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(hex(r.data())).isEqualTo("700005000000000a" + "00000000" + "2500" + "00000000");
    }

    @Test
    void reportLunsListsEveryUnit() {
        Harness.Reply r = h.run(0, "a0 00 00 00 00 00 00 00 01 00 00 00");
        assertThat(hex(r.data())).isEqualTo("00000018" + "00000000"
                + "0000000000000000" + "0005000000000000" + "412c000000000000");
        assertThat(hex(h.run(0, "a0 00 02 00 00 00 00 00 01 00 00 00").data())).isEqualTo(hex(r.data()));
        assertThat(h.target.luns(Harness.NEXUS_A)).containsExactly(0L, 0x0005_0000_0000_0000L, 0x412C_0000_0000_0000L);
    }

    @Test
    void reportLunsWellKnownOnlyIsEmpty() {
        assertThat(hex(h.run(0, "a0 00 01 00 00 00 00 00 01 00 00 00").data())).isEqualTo("0000000000000000");
    }

    @Test
    void reportLunsBadSelectReport() {
        assertInvalidFieldInCdb(h.run(0, "a0 00 03 00 00 00 00 00 01 00 00 00"), 2, 7);
        assertInvalidFieldInCdb(h.run(0, "a0 00 10 00 00 00 00 00 01 00 00 00"), 2, 7);
    }

    @Test
    void reportLunsTruncationKeepsTheListLength() {
        Harness.Reply r = h.run(0, "a0 00 00 00 00 00 00 00 00 10 00 00");
        assertThat(hex(r.data())).isEqualTo("00000018" + "00000000" + "0000000000000000");
        Harness.Reply tiny = h.run(0, "a0 00 00 00 00 00 00 00 00 04 00 00");
        assertThat(hex(tiny.data())).as("below 16 is not an error in SPC-4").isEqualTo("00000018");
    }

    @Test
    void withoutLunZeroLunZeroStillAnswersInquiryAndReportLuns() {
        Harness noZero = new Harness(List.of(Harness.unit(1, new MemoryBlockDevice(512, 10))));
        assertThat(hex(noZero.run(0, "a0 00 00 00 00 00 00 00 01 00 00 00").data()))
                .isEqualTo("00000008" + "00000000" + "0001000000000000");
        assertThat(noZero.run(0, "12 00 00 00 24 00").data()[0]).isEqualTo((byte) 0x7F);
        assertCheckCondition(noZero.run(0, "00 00 00 00 00 00"), 0x5, 0x25, 0x00);
        assertCheckCondition(noZero.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1)), 0x5, 0x25, 0x00);
        assertThat(noZero.run(1, "a0 00 00 00 00 00 00 00 01 00 00 00").status()).isZero();
    }
}
