package io.braid.host.scsi;

import io.braid.scsi.SenseKey;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden bytes for the SCSI data the initiator builds and reads (SPC-5, SBC-4). */
class ScsiDataTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void fixedFormatSense() {
        // 70h current, key 5, INFORMATION valid = 0x1234, ASC 21h ASCQ 00h
        SenseData s = SenseData.parse(hex("f0 00 05 00 00 12 34 0a 00 00 00 00 21 00 00 00 00 00"));
        assertThat(s.current()).isTrue();
        assertThat(s.key()).isEqualTo(SenseKey.ILLEGAL_REQUEST);
        assertThat(s.code()).isEqualTo(0x2100);
        assertThat(s.information()).isEqualTo(0x1234);
        assertThat(s.description()).isEqualTo("logical block address out of range");
        assertThat(s.toString()).isEqualTo("ILLEGAL_REQUEST asc=0x21 ascq=0x00 (logical block address out of range)");
        // Deferred, short (no ASC bytes), VALID clear.
        SenseData d = SenseData.parse(hex("71 00 03"));
        assertThat(d.current()).isFalse();
        assertThat(d.key()).isEqualTo(SenseKey.MEDIUM_ERROR);
        assertThat(d.information()).isEqualTo(-1);
    }

    @Test
    void descriptorFormatSense() {
        // 72h, key 6, 29h/00h, one INFORMATION descriptor (type 0, length 0Ah, VALID) = 0x0102030405060708
        SenseData s = SenseData.parse(hex("72 06 29 00 00 00 00 0c 00 0a 80 00 01 02 03 04 05 06 07 08"));
        assertThat(s.key()).isEqualTo(SenseKey.UNIT_ATTENTION);
        assertThat(s.is(SenseKey.UNIT_ATTENTION, 0x29, 0)).isTrue();
        assertThat(s.information()).isEqualTo(0x0102030405060708L);
        assertThatThrownBy(() -> SenseData.parse(hex("7f 00"))).hasMessage("sense response code 0x7f is not 70h-73h");
        assertThatThrownBy(() -> SenseData.parse(new byte[0])).hasMessage("sense data is empty");
    }

    @Test
    void cdbs() {
        assertThat(Cdbs.inquiry(-1, 96)).isEqualTo(hex("12 00 00 00 60 00"));
        assertThat(Cdbs.inquiry(0x83, 1024)).isEqualTo(hex("12 01 83 04 00 00"));
        assertThat(Cdbs.reportLuns(2064)).isEqualTo(hex("a0 00 00 00 00 00 00 00 08 10 00 00"));
        assertThat(Cdbs.readCapacity16(32)).isEqualTo(hex("9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00"));
        assertThat(Cdbs.reportTargetPortGroups(4096)).isEqualTo(hex("a3 0a 00 00 00 00 00 00 10 00 00 00"));
        assertThat(Cdbs.read16(0x0102030405L, 8)).isEqualTo(hex("88 00 00 00 00 01 02 03 04 05 00 00 00 08 00 00"));
        assertThat(Cdbs.write16(1, 2, true)).isEqualTo(hex("8a 08 00 00 00 00 00 00 00 01 00 00 00 02 00 00"));
        assertThatThrownBy(() -> Cdbs.read16(-1, 1)).hasMessage("LBA -1 is negative");
    }

    @Test
    void multipathCdbs() {
        assertThat(Cdbs.synchronizeCache16()).isEqualTo(hex("91 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
        // WRITE SAME (16): UNMAP bit (byte 1 bit 3), LBA 0x10, 0xFFFFFFFF blocks (unsigned).
        assertThat(Cdbs.writeSame16(0x10, -1, true)).isEqualTo(hex("93 08 00 00 00 00 00 00 00 10 ff ff ff ff 00 00"));
        assertThat(Cdbs.writeSame16(1, 8, false)).isEqualTo(hex("93 00 00 00 00 00 00 00 00 01 00 00 00 08 00 00"));
        assertThatThrownBy(() -> Cdbs.writeSame16(0, 0, false))
                .hasMessage("WRITE SAME of 0 blocks would reach the last block");
        assertThat(Cdbs.unmap(40)).isEqualTo(hex("42 00 00 00 00 00 00 00 28 00"));
        assertThat(Cdbs.modeSense6(0x3F, 255)).isEqualTo(hex("1a 08 3f 00 ff 00"));
        // UNMAP DATA LENGTH 38 (= 40 - 2), BLOCK DESCRIPTOR DATA LENGTH 32, two descriptors.
        assertThat(Cdbs.unmapParameters(new long[][] {{0x100, 8}, {0x0102030405L, 0xFFFFFFFFL}})).isEqualTo(hex(
                "00 26 00 20 00 00 00 00"
                        + " 00 00 00 00 00 00 01 00  00 00 00 08  00 00 00 00"
                        + " 00 00 00 01 02 03 04 05  ff ff ff ff  00 00 00 00"));
        assertThatThrownBy(() -> Cdbs.unmapParameters(new long[][] {{0, 0}})).hasMessageContaining("1..4294967295");
    }

    @Test
    void blockLimitsAndProvisioning() {
        byte[] b0 = new byte[64];
        b0[1] = (byte) 0xB0;
        b0[3] = 0x3C;
        b0[11] = 0x40;                 // MAXIMUM TRANSFER LENGTH 64 blocks
        b0[15] = 0x08;                 // OPTIMAL TRANSFER LENGTH 8
        b0[22] = 0x01;                 // MAXIMUM UNMAP LBA COUNT 256
        b0[27] = 0x10;                 // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT 16
        b0[28] = (byte) 0x80;          // UGAVALID
        b0[31] = 0x08;                 // OPTIMAL UNMAP GRANULARITY 8
        b0[42] = 0x10;                 // MAXIMUM WRITE SAME LENGTH 4096
        assertThat(BlockLimits.parse(b0)).isEqualTo(new BlockLimits(64, 8, 256, 16, 8, 4096));
        assertThat(BlockLimits.parse(java.util.Arrays.copyOf(b0, 16))).isEqualTo(new BlockLimits(64, 8, 0, 0, 0, 0));
        assertThatThrownBy(() -> BlockLimits.parse(hex("00 b2 00 00"))).hasMessageContaining("page code b2h");
        // LBPU, LBPWS, LBPRZ 001b; provisioning type 2 (thin).
        assertThat(LogicalBlockProvisioning.parse(hex("00 b2 00 04 00 c4 02 00")))
                .isEqualTo(new LogicalBlockProvisioning(true, true, true, 2));
        assertThat(LogicalBlockProvisioning.parse(hex("00 b2 00 04 00 00 00 00")).canDeallocate()).isFalse();
    }

    @Test
    void lunAddressing() {
        assertThat(SamLun.encode(5)).isEqualTo(0x0005_0000_0000_0000L);
        assertThat(SamLun.encode(300)).isEqualTo(0x412C_0000_0000_0000L);
        assertThat(SamLun.decode(SamLun.encode(16383))).isEqualTo(16383);
        assertThat(SamLun.decode(0x0001_0001_0000_0000L)).isEqualTo(-1); // second level
        assertThat(SamLun.decode(0xC000_0000_0000_0000L)).isEqualTo(-1); // extended addressing
    }

    @Test
    void reportLuns() {
        ReportLuns r = ReportLuns.parse(hex("00 00 00 18 00 00 00 00"
                + " 00 00 00 00 00 00 00 00" + " 41 00 00 00 00 00 00 00" + " c0 00 00 00 00 00 00 00"));
        assertThat(r.luns()).containsExactly(0, 256);
        assertThat(r.unsupported()).isEqualTo(1);
        assertThat(r.truncated(32)).isFalse();
        ReportLuns cut = ReportLuns.parse(hex("00 00 00 18 00 00 00 00 00 00 00 00 00 00 00 00"));
        assertThat(cut.luns()).containsExactly(0);
        assertThat(cut.truncated(16)).isTrue();
    }

    @Test
    void standardInquiryAndCapacityAndSerial() {
        byte[] std = new byte[36];
        std[0] = 0x00;
        std[2] = 0x06;
        std[5] = 0x10; // TPGS 01b
        std[7] = 0x02;
        System.arraycopy("BRAID   Braid volume    0001".getBytes(), 0, std, 8, 28);
        StandardInquiry i = StandardInquiry.parse(std);
        assertThat(i.vendor()).isEqualTo("BRAID");
        assertThat(i.product()).isEqualTo("Braid volume");
        assertThat(i.revision()).isEqualTo("0001");
        assertThat(i.tpgs()).isEqualTo(1);
        assertThat(i.alua()).isTrue();
        assertThat(i.commandQueuing()).isTrue();
        assertThatThrownBy(() -> StandardInquiry.parse(new byte[8]))
                .hasMessage("standard INQUIRY data of 8 bytes; at least 36 expected");

        Capacity c = Capacity.parse(hex("00 00 00 00 00 00 3f ff 00 00 02 00 00 00 80 00"));
        assertThat(c.blocks()).isEqualTo(16384);
        assertThat(c.bytes()).isEqualTo(8 << 20);
        assertThat(c.thinProvisioned()).isTrue();

        assertThat(UnitSerialNumber.parse(hex("00 80 00 05 20 41 42 43 20"))).isEqualTo("ABC");
        assertThatThrownBy(() -> UnitSerialNumber.parse(hex("00 83 00 00"))).hasMessageContaining("not a VPD 80h page");
    }

    @Test
    void deviceIdentificationAsBraidWritesIt() {
        byte[] page = hex("00 83 00 48"
                // LU: NAA (binary, assoc 0, type 3), 16 bytes
                + " 01 03 00 10 60 01 40 50 11 22 33 44 55 66 77 88 99 aa bb cc"
                // target port: relative target port 1, target port group 2
                + " 01 14 00 04 00 00 00 01" + " 01 15 00 04 00 00 00 02"
                // target device: T10 vendor ID "BRAID   " + "ARRAY123"
                + " 02 21 00 10 42 52 41 49 44 20 20 20 41 52 52 41 59 31 32 33"
                // LU: SCSI name string
                + " 03 08 00 0c 6e 61 61 2e 36 30 30 31 00 00 00 00");
        DeviceIdentification d = DeviceIdentification.parse(page);
        assertThat(d.designators()).hasSize(5);
        assertThat(d.logicalUnit().orElseThrow().text()).isEqualTo("naa.60014050112233445566778899aabbcc");
        assertThat(d.relativeTargetPort()).isEqualTo(1);
        assertThat(d.targetPortGroup()).isEqualTo(2);
        assertThat(d.targetDeviceSerial()).contains("ARRAY123");
        assertThatThrownBy(() -> DeviceIdentification.parse(hex("00 83 00 08 01 03 00 10 60 01 40 50")))
                .hasMessage("designation descriptor at offset 4 of 16 bytes runs past the page end at 12");
        // Without NAA, the SCSI name string identifies the unit.
        DeviceIdentification named = DeviceIdentification.parse(hex("00 83 00 10 03 08 00 0c 69 71 6e 2e 78 00 00 00 00 00 00 00"));
        assertThat(named.logicalUnit().orElseThrow().text()).isEqualTo("iqn.x");
    }

    @Test
    void targetPortGroups() {
        TargetPortGroups t = TargetPortGroups.parse(hex("00 00 00 1c"
                + " 80 0f 00 01 00 02 00 02" + " 00 00 00 01 00 00 00 02"
                + " 01 0f 00 02 00 02 00 01" + " 00 00 00 03"));
        assertThat(t.groups()).hasSize(2);
        assertThat(t.group(1).state()).isEqualTo(AluaState.ACTIVE_OPTIMIZED);
        assertThat(t.group(1).preferred()).isTrue();
        assertThat(t.group(1).relativePorts()).containsExactly(1, 2);
        assertThat(t.groupOfPort(3).state()).isEqualTo(AluaState.ACTIVE_NON_OPTIMIZED);
        assertThat(AluaState.of(0x2)).isEqualTo(AluaState.STANDBY);
        assertThat(AluaState.of(0x9)).isEqualTo(AluaState.NOT_REPORTED);
    }
}
