package io.braid.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code iscsi-inq} and {@code iscsi-readcapacity16} against a real node: standard INQUIRY
 * (SPC-4 6.6.2), unit serial number and device identification VPD pages (SPC-4 7.8.17, 7.8.6)
 * that survive a restart, and READ CAPACITY(16) (SBC-3 5.16).
 */
class InquiryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void standardInquiryNamesBraid() throws Exception {
        Tools.require("iscsi-inq");
        try (TestNode node = TestNode.in(dir).volume("v0", 16 * MIB).start()) {
            ToolResult r = Tools.ok(TIMEOUT, "iscsi-inq", node.url(0));
            assertThat(r.stdout()).as(r.describe())
                    .contains("Peripheral Device Type:DIRECT_ACCESS")
                    .contains("Vendor:BRAID")
                    .contains("Product:Braid volume")
                    .contains("Revision:0001")
                    .containsPattern("ReponseDataFormat:2");
        }
    }

    @Test
    void vpdIdentityIsUniquePerVolumeAndSurvivesARestart() throws Exception {
        Tools.require("iscsi-inq");
        String serial0;
        String serial1;
        String ids0;
        try (TestNode node = TestNode.in(dir).volume("v0", 16 * MIB).volume("v1", 16 * MIB).start()) {
            serial0 = serial(node, 0);
            serial1 = serial(node, 1);
            ids0 = naa(node, 0);
            assertThat(serial0).isNotEqualTo(serial1);
            assertThat(ids0).isNotEqualTo(naa(node, 1));
        }
        try (TestNode again = TestNode.in(dir).volume("v0", 16 * MIB).volume("v1", 16 * MIB).start()) {
            assertThat(serial(again, 0)).isEqualTo(serial0);
            assertThat(serial(again, 1)).isEqualTo(serial1);
            assertThat(naa(again, 0)).isEqualTo(ids0);
        }
    }

    @Test
    void readCapacity16ReportsTheVolumeSize() throws Exception {
        Tools.require("iscsi-readcapacity16");
        try (TestNode node = TestNode.in(dir).volume("v0", 64 * MIB).volume("v1", 3 * MIB).start()) {
            ToolResult r = Tools.ok(TIMEOUT, "iscsi-readcapacity16", node.url(0));
            assertThat(r.stdout()).as(r.describe())
                    .contains("RETURNED LOGICAL BLOCK ADDRESS:" + (64 * MIB / 512 - 1))
                    .contains("LOGICAL BLOCK LENGTH IN BYTES:512")
                    .contains("Total size:" + 64 * MIB);
            ToolResult size = Tools.ok(TIMEOUT, "iscsi-readcapacity16", "-s", node.url(1));
            assertThat(size.stdout().strip()).as(size.describe()).isEqualTo(String.valueOf(3 * MIB));
        }
    }

    /** VPD 0x80; iscsi-inq reads the page code with atoi, so it must be given in decimal. */
    private static String serial(TestNode node, int lun) {
        ToolResult r = Tools.ok(TIMEOUT, "iscsi-inq", "-e", "1", "-c", "128", node.url(lun));
        Matcher m = Pattern.compile("Unit Serial Number:\\[(.+)]").matcher(r.stdout());
        assertThat(m.find()).as(r.describe()).isTrue();
        return m.group(1);
    }

    /**
     * The logical unit's NAA identifier from VPD 0x83 (decimal 131), in its SCSI name string form
     * ({@code naa.<hex>}): iscsi-inq prints the binary NAA designator raw, and a random identifier
     * may hold a newline byte.
     */
    private static String naa(TestNode node, int lun) {
        ToolResult r = Tools.ok(TIMEOUT, "iscsi-inq", "-e", "1", "-c", "131", node.url(lun));
        Matcher m = Pattern.compile(
                "Association:\\(0\\)[^\\n]*\\nDesignator Type:\\(8\\) SCSI_NAME_STRING\\s*\\nDesignator:\\[(naa\\.[0-9A-F]{16,32})]")
                .matcher(r.stdout());
        assertThat(m.find()).as("an NAA designator in\n" + r.describe()).isTrue();
        return m.group(1);
    }
}
