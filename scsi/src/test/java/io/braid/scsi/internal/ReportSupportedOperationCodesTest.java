package io.braid.scsi.internal;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

class ReportSupportedOperationCodesTest {

    private final Harness h = Harness.of(new MemoryBlockDevice(512, 100));

    private String hex(String cdb) {
        Harness.Reply r = h.run(0, cdb);
        assertThat(r.status()).isZero();
        return HexFormat.of().formatHex(r.data());
    }

    @Test
    void allCommandsListsTheTableInOpcodeOrder() {
        String all = hex("a3 0c 00 00 00 00 00 00 ff ff 00 00");
        int n = offered().size();
        assertThat(all).hasSize(2 * (4 + 8 * n));
        assertThat(all.substring(0, 8)).isEqualTo(String.format("%08x", 8 * n));
        // TEST UNIT READY first: opcode 00, no SA, CDB length 6.
        assertThat(all.substring(8, 24)).isEqualTo("00" + "00" + "0000" + "00" + "00" + "0006");
        // READ CAPACITY(16): SERVACTV with service action 10h.
        assertThat(all).contains("9e" + "00" + "0010" + "00" + "01" + "0010");
        assertThat(all).contains("a3" + "00" + "000c" + "00" + "01" + "000c");
    }

    @Test
    void timeoutsDescriptorsWithRctd() {
        String all = hex("a3 0c 80 00 00 00 00 00 ff ff 00 00");
        int n = offered().size();
        assertThat(all.substring(0, 8)).isEqualTo(String.format("%08x", 20 * n));
        assertThat(all.substring(8, 48)).isEqualTo("00" + "00" + "0000" + "00" + "02" + "0006"
                + "000a" + "00" + "00" + "00000000" + "00000000");
    }

    @Test
    void oneCommandUsageData() {
        assertThat(hex("a3 0c 01 28 00 00 00 00 ff ff 00 00")).isEqualTo("0003" + "000a" + "2818ffffffff00ffff00");
        assertThat(hex("a3 0c 01 88 00 00 00 00 ff ff 00 00")).isEqualTo("0003" + "0010" + "8818" + "ff".repeat(12) + "0000");
        assertThat(hex("a3 0c 81 2a 00 00 00 00 ff ff 00 00")).isEqualTo("0083" + "000a" + "2a18ffffffff00ffff00"
                + "000a0000" + "00000000" + "00000000");
    }

    @Test
    void serviceActionCommandsReportTheirServiceAction() {
        assertThat(hex("a3 0c 02 9e 00 10 00 00 ff ff 00 00"))
                .isEqualTo("0003" + "0010" + "9e10" + "0000000000000000" + "ffffffff" + "0000");
        assertThat(hex("a3 0c 03 9e 00 10 00 00 ff ff 00 00")).startsWith("00030010" + "9e10");
        assertThat(hex("a3 0c 03 28 00 05 00 00 ff ff 00 00")).as("SA ignored without service actions")
                .startsWith("0003000a28");
        assertThat(hex("a3 0c 02 9e 00 11 00 00 ff ff 00 00")).as("unknown service action").isEqualTo("00010000");
    }

    @Test
    void unsupportedCommandIsReportedAsSuch() {
        assertThat(hex("a3 0c 01 01 00 00 00 00 ff ff 00 00")).isEqualTo("00010000");
        assertThat(hex("a3 0c 02 a4 00 05 00 00 ff ff 00 00")).isEqualTo("00010000");
    }

    @Test
    void reportingOptionsMustFitTheCommand() {
        assertInvalidFieldInCdb(h.run(0, "a3 0c 01 9e 00 10 00 00 ff ff 00 00"), 2, 2);
        assertInvalidFieldInCdb(h.run(0, "a3 0c 02 28 00 00 00 00 ff ff 00 00"), 2, 2);
        assertInvalidFieldInCdb(h.run(0, "a3 0c 04 28 00 00 00 00 ff ff 00 00"), 2, 2);
        assertInvalidFieldInCdb(h.run(0, "a3 0c 08 28 00 00 00 00 ff ff 00 00"), 2, 3);
    }

    @Test
    void allocationLengthTruncates() {
        Harness.Reply r = h.run(0, "a3 0c 00 00 00 00 00 00 00 06 00 00");
        assertThat(r.data()).hasSize(6);
    }

    @Test
    void everyReportedCommandAcceptsItsOwnUsageMap() {
        for (CommandDescriptor d : offered()) {
            String sa = d.serviceAction() >= 0 ? String.format("%04x", d.serviceAction()) : "0000";
            String one = hex(String.format("a3 0c 03 %02x %s 00 00 ff ff 00 00", d.opcode(), sa));
            byte[] usage = HexFormat.of().parseHex(one.substring(8));
            assertThat(usage[0] & 0xFF).isEqualTo(d.opcode());
            assertThat(d.firstInvalidBit(usage)).as(d.name() + ": a CDB with every used bit set is not refused for reserved bits").isNull();
        }
    }

    /** The commands unit 0 offers: this unit is not thin provisioned, so UNMAP and BLOCK ERASE are absent. */
    private java.util.List<CommandDescriptor> offered() {
        return h.target.commandTable().all().stream().filter(h.target.unit(0)::offers).toList();
    }
}
