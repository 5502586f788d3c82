package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

class InquiryTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 131072);
    private final Harness h = new Harness(List.of(Harness.unit(0, dev), Harness.unit(7, new MemoryBlockDevice(4096, 1000))));

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.US_ASCII);
    }

    @Test
    void standardInquiryData() {
        Harness.Reply r = h.run(0, "12 00 00 01 04 00"); // allocation length 260
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        byte[] d = r.data();
        assertThat(d).hasSize(96);
        assertThat(r.transferLength()).isEqualTo(96);
        assertThat(d[0]).as("PQ 000b, direct access").isEqualTo((byte) 0x00);
        assertThat(d[1]).as("not removable").isEqualTo((byte) 0x00);
        assertThat(d[2]).as("SPC-4").isEqualTo((byte) 0x06);
        assertThat(d[3]).as("HISUP, response data format 2").isEqualTo((byte) 0x12);
        assertThat(d[4] & 0xFF).as("additional length").isEqualTo(91);
        assertThat(d[5]).as("TPGS 11b, 3PC, no PROTECT").isEqualTo((byte) 0x38);
        assertThat(d[6]).isEqualTo((byte) 0x00);
        assertThat(d[7]).as("CMDQUE").isEqualTo((byte) 0x02);
        assertThat(ascii(d, 8, 16)).isEqualTo("BRAID   ");
        assertThat(ascii(d, 16, 32)).isEqualTo("Braid volume    ");
        assertThat(ascii(d, 32, 36)).isEqualTo("0001");
        assertThat(HexFormat.of().formatHex(d, 58, 74)).as("SAM-5, SPC-4, SBC-3")
                .isEqualTo("00a0" + "0460" + "04c0" + "0".repeat(20));
        assertThat(Arrays.copyOfRange(d, 74, 96)).containsOnly(0);
    }

    @Test
    void allocationLengthTruncatesAndUsesBothBytes() {
        for (int alloc = 0; alloc < 100; alloc++) {
            Harness.Reply r = h.run(0, String.format("12 00 00 %04x 00", alloc));
            assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
            assertThat(r.transferLength()).isEqualTo(Math.min(alloc, 96));
            if (alloc == 0) {
                assertThat(r.data()).isNull();
            } else {
                assertThat(r.data()).isEqualTo(Arrays.copyOf(h.run(0, "12 00 00 00 ff 00").data(), Math.min(alloc, 96)));
            }
        }
        assertThat(h.run(0, "12 00 00 01 ff 00").data()).isEqualTo(h.run(0, "12 00 00 02 00 00").data());
    }

    @Test
    void pageCodeWithoutEvpdIsAnInvalidField() {
        assertInvalidFieldInCdb(h.run(0, "12 00 01 01 00 00"), 2, 7);
    }

    @Test
    void obsoleteCmdDtAndReservedBitsAreRejected() {
        assertInvalidFieldInCdb(h.run(0, "12 02 00 00 ff 00"), 1, 1);
        assertInvalidFieldInCdb(h.run(0, "12 20 00 00 ff 00"), 1, 5);
        assertInvalidFieldInCdb(h.run(0, "12 00 00 00 ff 04"), 5, 2); // NACA
        assertThat(h.run(0, "12 00 00 00 ff c0").status()).as("vendor bits of CONTROL ignored").isZero();
    }

    @Test
    void supportedVpdPagesAscending() {
        Harness.Reply r = h.run(0, "12 01 00 00 ff 00");
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("00000007" + "0080838fb0b1b2");
        for (byte page : Arrays.copyOfRange(r.data(), 4, r.data().length)) {
            assertThat(h.run(0, String.format("12 01 %02x 00 ff 00", page)).status()).isEqualTo(ScsiResult.GOOD);
        }
    }

    @Test
    void unitSerialNumberIsTheVolumeUuid() {
        Harness.Reply r = h.run(0, "12 01 80 00 ff 00");
        UUID id = Harness.uuid(0);
        assertThat(r.data()[1]).isEqualTo((byte) 0x80);
        assertThat(r.data()[3] & 0xFF).isEqualTo(32);
        assertThat(ascii(r.data(), 4, 36)).isEqualTo(id.toString().replace("-", ""));
    }

    @Test
    void deviceIdentificationDesignators() throws Exception {
        byte[] d = h.run(0, "12 01 83 00 ff 00").data();
        assertThat(d[1]).isEqualTo((byte) 0x83);
        assertThat(((d[2] & 0xFF) << 8 | d[3] & 0xFF) + 4).isEqualTo(d.length);

        byte[] sha = MessageDigest.getInstance("SHA-256").digest(uuidBytes(Harness.uuid(0)));
        byte[] naa = Arrays.copyOf(sha, 8);
        naa[0] = (byte) (0x30 | naa[0] & 0x0F);
        String naaHex = HexFormat.of().formatHex(naa);
        String serial = Harness.uuid(0).toString().replace("-", "");

        String expected =
                // NAA: binary, LU, type 3, 8 bytes
                "01030008" + naaHex
                // T10 vendor ID: ASCII, LU, type 1, "BRAID   " + serial
                + "02010028" + hex("BRAID   " + serial)
                // SCSI name string: UTF-8, LU, type 8, "naa." + 16 hex digits, NUL padded to 24
                + "03080018" + hex("naa." + naaHex.toUpperCase()) + "00000000"
                // relative target port 1: binary, target port, type 4
                + "01140004" + "00000001"
                // target port group 0: binary, target port, type 5
                + "01150004" + "00000000"
                // target port name: UTF-8, target port, type 8
                + "03180024" + hex("iqn.2024-01.io.braid:t0,t,0x0001") + "00000000"
                // target device: ASCII, target device, type 1, "BRAID   " + array serial
                + "02210011" + hex("BRAID   ARRAY0001");
        assertThat(HexFormat.of().formatHex(d, 4, d.length)).isEqualTo(expected);
    }

    @Test
    void designatorsFollowTheNexusAndStayStable() {
        byte[] viaA = h.run(0, "12 01 83 00 ff 00").data();
        byte[] viaB = h.run(Harness.NEXUS_B, 0, Harness.cdb("12 01 83 00 ff 00"), null, io.braid.scsi.TaskAttribute.SIMPLE).data();
        assertThat(Arrays.copyOfRange(viaA, 4, 16)).as("same NAA on every path").isEqualTo(Arrays.copyOfRange(viaB, 4, 16));
        assertThat(HexFormat.of().formatHex(viaB)).contains("01140004" + "00000002").contains("01150004" + "00000001");
        Harness again = new Harness(List.of(Harness.unit(0, new MemoryBlockDevice(512, 8))));
        assertThat(Arrays.copyOfRange(again.run(0, "12 01 83 00 ff 00").data(), 4, 16))
                .as("derived from the UUID only: stable across restarts").isEqualTo(Arrays.copyOfRange(viaA, 4, 16));
        byte[] lun7 = h.run(7, "12 01 83 00 ff 00").data();
        assertThat(Arrays.copyOfRange(lun7, 8, 16)).as("unique per volume").isNotEqualTo(Arrays.copyOfRange(viaA, 8, 16));
    }

    @Test
    void blockLimits() {
        byte[] d = h.run(0, "12 01 b0 00 ff 00").data();
        assertThat(d).hasSize(64);
        assertThat(d[3] & 0xFF).isEqualTo(0x3C);
        assertThat(HexFormat.of().formatHex(d, 4, 20)).as("WSNZ, CAW, granularity 8, max 16384, optimal 2048, prefetch")
                .isEqualTo("00ff" + "0008" + "00004000" + "00000800" + "00000000");
        assertThat(Arrays.copyOfRange(d, 20, 36)).as("no unmap: not thin provisioned").containsOnly(0);
        assertThat(HexFormat.of().formatHex(d, 36, 64)).as("write same, atomic transfer length (1 MiB), no alignment or boundaries")
                .isEqualTo("000000000000ffff" + "00000800" + "00000000".repeat(4));
        byte[] fourK = h.run(7, "12 01 b0 00 ff 00").data();
        assertThat(HexFormat.of().formatHex(fourK, 6, 16)).isEqualTo("0001" + "00000800" + "00000100");
    }

    @Test
    void blockDeviceCharacteristicsAndProvisioning() {
        byte[] b1 = h.run(0, "12 01 b1 00 ff 00").data();
        assertThat(b1).hasSize(64);
        assertThat(HexFormat.of().formatHex(b1, 0, 4)).isEqualTo("00b1003c");
        assertThat(Arrays.copyOfRange(b1, 4, 64)).containsOnly(0);
        byte[] b2 = h.run(0, "12 01 b2 00 ff 00").data();
        assertThat(HexFormat.of().formatHex(b2)).isEqualTo("00b20004" + "00000000");
    }

    @Test
    void vpdAllocationLengthTruncates() {
        Harness.Reply r = h.run(0, "12 01 83 00 06 00");
        assertThat(r.data()).hasSize(6);
        assertThat(r.transferLength()).isEqualTo(6);
    }

    @Test
    void unknownVpdPage() {
        assertInvalidFieldInCdb(h.run(0, "12 01 c0 00 ff 00"), 2, 7);
    }

    @Test
    void lunWithoutUnitAnswersWithQualifier011b() {
        Harness.Reply std = h.run(3, "12 00 00 00 60 00");
        assertThat(std.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(std.data()[0]).isEqualTo((byte) 0x7F);
        byte[] unit = h.run(0, "12 00 00 00 60 00").data();
        assertThat(Arrays.copyOfRange(std.data(), 1, 5)).isEqualTo(Arrays.copyOfRange(unit, 1, 5));
        assertThat(std.data()[5]).as("no ALUA or copy manager without a unit").isZero();
        assertThat(Arrays.copyOfRange(std.data(), 6, 96)).isEqualTo(Arrays.copyOfRange(unit, 6, 96));
        assertThat(HexFormat.of().formatHex(h.run(3, "12 01 00 00 ff 00").data())).isEqualTo("7f00000100");
        assertInvalidFieldInCdb(h.run(3, "12 01 80 00 ff 00"), 2, 7);
        assertCheckCondition(h.run(3, "00 00 00 00 00 00"), 0x5, 0x25, 0x00);
    }

    private static byte[] uuidBytes(UUID id) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (id.getMostSignificantBits() >>> (56 - 8 * i));
            b[8 + i] = (byte) (id.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return b;
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }
}
