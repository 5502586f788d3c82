package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.UnitFeature;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Standard INQUIRY data (SPC-5 "Standard INQUIRY data") and the VPD pages (SPC-5 / SBC-4 "Vital product data parameters"). */
final class InquiryData {

    /** Peripheral qualifier 000b, device type 00h: a direct access block device is connected. */
    static final int DIRECT_ACCESS_BLOCK_DEVICE = 0x00;
    /** Peripheral qualifier 011b, device type 1Fh: no logical unit behind this LUN. */
    static final int NO_LOGICAL_UNIT = 0x7F;

    /** VPD pages in ascending order, as page 00h must list them; 8Fh only with EXTENDED COPY on. */
    static final int[] SUPPORTED_PAGES = {0x00, 0x80, 0x83, 0x8F, 0xB0, 0xB1, 0xB2};

    /** VPD page 8Fh, Third-party Copy. */
    static final int THIRD_PARTY_COPY = 0x8F;

    static final int STANDARD_LENGTH = 96;

    /** SPC-4: libiscsi and Linux know versions up to 06h; SPC-5 (07h) adds nothing we rely on. */
    private static final int VERSION_SPC4 = 0x06;

    /** Version descriptors (SPC-5 Table "Version descriptor values"): SAM-5, SPC-4, SBC-3. */
    private static final int[] VERSION_DESCRIPTORS = {0x00A0, 0x0460, 0x04C0};

    private InquiryData() {
    }

    /*
     * SPC-5 Table "Standard INQUIRY data format":
     *  0 PERIPHERAL QUALIFIER | DEVICE TYPE     8-15  T10 VENDOR IDENTIFICATION
     *  1 RMB | LU_CONG                          16-31 PRODUCT IDENTIFICATION
     *  2 VERSION                                32-35 PRODUCT REVISION LEVEL
     *  3 NORMACA HISUP | RESPONSE DATA FORMAT   36-55 vendor specific
     *  4 ADDITIONAL LENGTH (n-4)                56    CLOCKING QAS IUS
     *  5 SCCS ACC TPGS 3PC PROTECT              58-73 VERSION DESCRIPTOR 1..8
     *  6 ENCSERV VS MULTIP                      74-95 reserved
     *  7 CMDQUE VS
     */
    static byte[] standard(ScsiTargetIdentity identity, LogicalUnit unit, boolean multiPort) {
        byte[] b = new byte[STANDARD_LENGTH];
        b[0] = (byte) (unit != null ? DIRECT_ACCESS_BLOCK_DEVICE : NO_LOGICAL_UNIT);
        b[2] = VERSION_SPC4;
        // HISUP: LUNs use the SAM hierarchical structure; response data format is always 2.
        b[3] = 0x10 | 0x02;
        b[4] = (byte) (STANDARD_LENGTH - 5);
        if (unit != null) {
            // TPGS 11b: implicit and explicit ALUA; 3PC: the unit is a copy manager (EXTENDED COPY).
            b[5] = (byte) (AluaCommands.TPGS_IMPLICIT_AND_EXPLICIT << 4
                    | (unit.has(UnitFeature.EXTENDED_COPY) ? 0x08 : 0));
        }
        if (multiPort) {
            b[6] = 0x10; // MULTIP: the target has more than one target port (SPC-5 "Multiple target ports")
        }
        b[7] = 0x02; // CMDQUE: the task set takes more than one command at a time
        ascii(b, 8, 8, identity.vendorId());
        ascii(b, 16, 16, identity.productId());
        ascii(b, 32, 4, identity.revision());
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            BigEndian.put16(b, 58 + 2 * i, VERSION_DESCRIPTORS[i]);
        }
        return b;
    }

    /** VPD 00h for a LUN without a logical unit: it lists only itself. */
    static byte[] supportedPagesOfMissingUnit() {
        return new byte[] {(byte) NO_LOGICAL_UNIT, 0x00, 0x00, 0x01, 0x00};
    }

    static byte[] supportedPages(LogicalUnit unit) {
        int[] pages = Arrays.stream(SUPPORTED_PAGES).filter(p -> supports(unit, p)).toArray();
        byte[] b = header(0x00, pages.length);
        for (int i = 0; i < pages.length; i++) {
            b[4 + i] = (byte) pages[i];
        }
        return b;
    }

    /** Whether page 00h lists {@code page} for this unit (per-LUN switches hide their pages). */
    static boolean supports(LogicalUnit unit, int page) {
        return page != THIRD_PARTY_COPY || unit.has(UnitFeature.EXTENDED_COPY);
    }

    /** VPD 80h Unit Serial Number: the volume UUID in hex (see {@link LogicalUnit#serialOf}). */
    static byte[] unitSerialNumber(LogicalUnit unit) {
        byte[] serial = unit.serial().getBytes(StandardCharsets.US_ASCII);
        byte[] b = header(0x80, serial.length);
        System.arraycopy(serial, 0, b, 4, serial.length);
        return b;
    }

    /*
     * VPD 83h Device Identification: a list of designation descriptors, each
     *  0 PROTOCOL IDENTIFIER | CODE SET    2 reserved
     *  1 PIV | ASSOCIATION | DESIGNATOR TYPE  3 DESIGNATOR LENGTH, then the designator.
     * For the logical unit: NAA 3h (the identifier multipath groups paths by), T10 vendor ID and the
     * NAA again as a SCSI name string. For the target port the I_T nexus arrived on: relative
     * target port, target port group and the port's SCSI name. For the target device: T10 vendor
     * ID with the array serial, so host software can tell which array a LUN belongs to.
     */
    static byte[] deviceIdentification(LogicalUnit unit, ScsiTargetIdentity identity, Nexus nexus) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        byte[] naa = unit.naa();
        designator(d, CODE_SET_BINARY, ASSOC_LOGICAL_UNIT, TYPE_NAA, naa);
        designator(d, CODE_SET_ASCII, ASSOC_LOGICAL_UNIT, TYPE_T10_VENDOR_ID,
                t10VendorId(identity.vendorId(), unit.serial()));
        designator(d, CODE_SET_UTF8, ASSOC_LOGICAL_UNIT, TYPE_SCSI_NAME_STRING,
                scsiNameString("naa." + java.util.HexFormat.of().withUpperCase().formatHex(naa)));
        if (nexus != null) {
            if (nexus.relativeTargetPortId() > 0 && nexus.relativeTargetPortId() <= 0xFFFF) {
                designator(d, CODE_SET_BINARY, ASSOC_TARGET_PORT, TYPE_RELATIVE_TARGET_PORT,
                        twoByteValue(nexus.relativeTargetPortId()));
            }
            if (nexus.targetPortGroup() >= 0 && nexus.targetPortGroup() <= 0xFFFF) {
                designator(d, CODE_SET_BINARY, ASSOC_TARGET_PORT, TYPE_TARGET_PORT_GROUP,
                        twoByteValue(nexus.targetPortGroup()));
            }
            if (nexus.targetPort() != null && !nexus.targetPort().isBlank()) {
                byte[] name = scsiNameString(nexus.targetPort());
                if (name.length <= 256) {
                    designator(d, CODE_SET_UTF8, ASSOC_TARGET_PORT, TYPE_SCSI_NAME_STRING, name);
                }
            }
        }
        designator(d, CODE_SET_ASCII, ASSOC_TARGET_DEVICE, TYPE_T10_VENDOR_ID,
                t10VendorId(identity.vendorId(), identity.serial()));
        byte[] body = d.toByteArray();
        byte[] b = header(0x83, body.length);
        System.arraycopy(body, 0, b, 4, body.length);
        return b;
    }

    /*
     * VPD B0h Block Limits (SBC-4), page length 3Ch:
     *  4 WSNZ (bit 0)                            28-31 OPTIMAL UNMAP GRANULARITY
     *  5 MAXIMUM COMPARE AND WRITE LENGTH        32-35 UGAVALID | UNMAP GRANULARITY ALIGNMENT
     *  6-7 OPTIMAL TRANSFER LENGTH GRANULARITY   36-43 MAXIMUM WRITE SAME LENGTH
     *  8-11 MAXIMUM TRANSFER LENGTH              44-47 MAXIMUM ATOMIC TRANSFER LENGTH
     *  12-15 OPTIMAL TRANSFER LENGTH             48-51 ATOMIC ALIGNMENT
     *  16-19 MAXIMUM PREFETCH LENGTH             52-55 ATOMIC TRANSFER LENGTH GRANULARITY
     *  20-23 MAXIMUM UNMAP LBA COUNT             56-59 MAXIMUM ATOMIC TRANSFER LENGTH WITH BOUNDARY
     *  24-27 MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT 60-63 MAXIMUM ATOMIC BOUNDARY SIZE
     * WSNZ 0: WRITE SAME with zero blocks means "to the last LBA". A switched-off command reports
     * 0 in its fields (COMPARE AND WRITE; the unmap fields unless thin provisioned). Atomic writes
     * have no alignment or granularity rule and no atomic boundaries.
     */
    static byte[] blockLimits(LogicalUnit unit, TargetLimits limits) {
        int bs = unit.blockSize();
        byte[] b = header(0xB0, 0x3C);
        if (unit.has(UnitFeature.COMPARE_AND_WRITE)) {
            b[5] = (byte) CompareAndWriteCommands.MAX_COMPARE_AND_WRITE_BLOCKS;
        }
        BigEndian.put16(b, 6, Math.max(1, 4096 / bs));
        BigEndian.put32(b, 8, limits.maxTransferBlocks(bs));
        BigEndian.put32(b, 12, limits.optimalTransferBytes() / bs);
        if (unit.thinProvisioned()) {
            BigEndian.put32(b, 20, ThinProvisioningCommands.MAX_UNMAP_BLOCKS);
            BigEndian.put32(b, 24, ThinProvisioningCommands.MAX_UNMAP_DESCRIPTORS);
            BigEndian.put32(b, 28, Math.max(1, unit.device().allocationUnit() / bs));
            b[32] = (byte) 0x80; // UGAVALID: units are aligned to LBA 0
        }
        BigEndian.put64(b, 36, ThinProvisioningCommands.MAX_WRITE_SAME_BLOCKS);
        BigEndian.put32(b, 44, CompareAndWriteCommands.maxAtomicBlocks(unit, limits));
        return b;
    }

    /*
     * VPD B1h Block Device Characteristics (SBC-4), page length 3Ch: 4-5 MEDIUM ROTATION RATE,
     * 6 PRODUCT TYPE, 7 WABEREQ(7:6) WACEREQ(5:4) NOMINAL FORM FACTOR. MEDIUM ROTATION RATE 0
     * ("not reported"): a backstore cannot know what is under it. WABEREQ 01b where SANITIZE
     * BLOCK ERASE is offered: afterwards reads complete and return zeroes. No cryptographic
     * erase (WACEREQ 00b): nothing is encrypted, so there is no key to change.
     */
    static byte[] blockDeviceCharacteristics(LogicalUnit unit) {
        byte[] b = header(0xB1, 0x3C);
        if (unit.thinProvisioned()) {
            b[7] = 0x40;
        }
        return b;
    }

    /*
     * VPD B2h Logical Block Provisioning (SBC-4), page length 4:
     *  4 THRESHOLD EXPONENT   5 LBPU LBPWS LBPWS10 LBPRZ(3) ANC_SUP DP   6 MINIMUM PERCENTAGE | PROVISIONING TYPE
     * Thin provisioned (type 010b): UNMAP and both WRITE SAMEs unmap, deallocated blocks read as
     * zeroes (LBPRZ 001b; anchored ones too), ANC_SUP when the backstore can anchor, no thresholds. Otherwise fully
     * provisioned (type 000b, nothing set), matching LBPME in READ CAPACITY (16).
     */
    static byte[] logicalBlockProvisioning(LogicalUnit unit) {
        byte[] b = header(0xB2, 4);
        if (unit.thinProvisioned()) {
            b[5] = (byte) (0x80 | 0x40 | 0x20 | 0x04 | (unit.anchorSupported() ? 0x02 : 0));
            b[6] = 0x02;
        }
        return b;
    }

    private static final int CODE_SET_BINARY = 1;
    private static final int CODE_SET_ASCII = 2;
    private static final int CODE_SET_UTF8 = 3;
    private static final int ASSOC_LOGICAL_UNIT = 0;
    private static final int ASSOC_TARGET_PORT = 1;
    private static final int ASSOC_TARGET_DEVICE = 2;
    private static final int TYPE_T10_VENDOR_ID = 1;
    private static final int TYPE_NAA = 3;
    private static final int TYPE_RELATIVE_TARGET_PORT = 4;
    private static final int TYPE_TARGET_PORT_GROUP = 5;
    private static final int TYPE_SCSI_NAME_STRING = 8;

    private static void designator(ByteArrayOutputStream out, int codeSet, int association, int type, byte[] value) {
        // PROTOCOL IDENTIFIER 0 with PIV 0: the core does not know the transport protocol.
        out.write(codeSet);
        out.write(association << 4 | type);
        out.write(0);
        out.write(value.length);
        out.writeBytes(value);
    }

    /** T10 VENDOR IDENTIFICATION (8 bytes, space padded) followed by the vendor specific identifier. */
    private static byte[] t10VendorId(String vendorId, String specific) {
        byte[] b = new byte[8 + specific.length()];
        ascii(b, 0, 8, vendorId);
        ascii(b, 8, specific.length(), specific);
        return b;
    }

    /** SPC-5 "SCSI name string designator format": UTF-8, null terminated, padded to a multiple of 4. */
    private static byte[] scsiNameString(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, (utf8.length + 4) & ~3);
    }

    private static byte[] twoByteValue(int v) {
        byte[] b = new byte[4];
        BigEndian.put16(b, 2, v);
        return b;
    }

    private static byte[] header(int pageCode, int pageLength) {
        byte[] b = new byte[4 + pageLength];
        b[0] = DIRECT_ACCESS_BLOCK_DEVICE;
        b[1] = (byte) pageCode;
        BigEndian.put16(b, 2, pageLength);
        return b;
    }

    /** Left-aligned ASCII, space padded (SPC-5 "ASCII data field requirements"). */
    private static void ascii(byte[] b, int off, int width, String s) {
        Arrays.fill(b, off, off + width, (byte) ' ');
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(a, 0, b, off, Math.min(width, a.length));
    }
}
