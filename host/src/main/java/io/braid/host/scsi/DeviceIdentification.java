package io.braid.host.scsi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * VPD page 83h Device Identification (SPC-5 "Device Identification VPD page"): the designation
 * descriptors of the logical unit, the target port the command came through and the target
 * device. Paths whose logical unit designator is equal lead to the same logical unit.
 *
 * @param designators every descriptor, in page order
 */
public record DeviceIdentification(List<Designator> designators) {
    /** The VPD page code. */
    public static final int PAGE = 0x83;

    public DeviceIdentification {
        designators = List.copyOf(designators);
    }

    /** ASSOCIATION: what a designator names. */
    public enum Association {
        LOGICAL_UNIT, TARGET_PORT, TARGET_DEVICE, RESERVED;

        static Association of(int value) {
            return values()[value & 0x3];
        }
    }

    /** DESIGNATOR TYPE codes (SPC-5 "Designator type"). */
    public static final int TYPE_VENDOR_SPECIFIC = 0x0;
    public static final int TYPE_T10_VENDOR_ID = 0x1;
    public static final int TYPE_EUI64 = 0x2;
    public static final int TYPE_NAA = 0x3;
    public static final int TYPE_RELATIVE_TARGET_PORT = 0x4;
    public static final int TYPE_TARGET_PORT_GROUP = 0x5;
    public static final int TYPE_LOGICAL_UNIT_GROUP = 0x6;
    public static final int TYPE_MD5 = 0x7;
    public static final int TYPE_SCSI_NAME_STRING = 0x8;
    public static final int TYPE_UUID = 0xA;

    /**
     * One designation descriptor:
     * {@code 0 PROTOCOL IDENTIFIER | CODE SET, 1 PIV | ASSOCIATION | DESIGNATOR TYPE, 3 LENGTH}.
     *
     * @param protocolId  PROTOCOL IDENTIFIER (meaningful when {@code piv})
     * @param codeSet     1 binary, 2 ASCII, 3 UTF-8
     * @param piv         PIV
     * @param association what the designator names
     * @param type        DESIGNATOR TYPE
     * @param value       the DESIGNATOR bytes
     */
    public record Designator(int protocolId, int codeSet, boolean piv, Association association,
                             int type, byte[] value) {
        public Designator {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /**
         * The designator as text: {@code naa.<hex>}, {@code eui.<hex>}, {@code uuid.<hex>}, the
         * SCSI name string itself, {@code t10.<ascii>} or {@code vendor.<hex>}.
         */
        public String text() {
            return switch (type) {
                case TYPE_NAA -> "naa." + hex(value);
                case TYPE_EUI64 -> "eui." + hex(value);
                case TYPE_UUID -> "uuid." + hex(value);
                case TYPE_SCSI_NAME_STRING -> nameString(value);
                case TYPE_T10_VENDOR_ID -> "t10." + StandardInquiry.ascii(value, 0, 8).strip() + "."
                        + StandardInquiry.ascii(value, 8, value.length - 8);
                default -> codeSet == 2 || codeSet == 3
                        ? "vendor." + new String(value, StandardCharsets.UTF_8).strip()
                        : "vendor." + hex(value);
            };
        }

        /** The two-byte value of a relative target port or target port group designator. */
        int twoByteValue() {
            return value.length >= 4 ? (value[2] & 0xFF) << 8 | (value[3] & 0xFF) : -1;
        }
    }

    /** Parses a VPD 83h page; a descriptor running past the page end is an error. */
    public static DeviceIdentification parse(byte[] b) {
        if (b.length < 4 || (b[1] & 0xFF) != PAGE) {
            throw new IllegalArgumentException("not a VPD 83h page (" + b.length + " bytes, page code "
                    + (b.length > 1 ? String.format("%02xh", b[1] & 0xFF) : "missing") + ")");
        }
        int end = Math.min(b.length, 4 + ((b[2] & 0xFF) << 8 | (b[3] & 0xFF)));
        List<Designator> out = new ArrayList<>();
        int at = 4;
        while (at + 4 <= end) {
            int length = b[at + 3] & 0xFF;
            if (at + 4 + length > end) {
                throw new IllegalArgumentException("designation descriptor at offset " + at + " of "
                        + length + " bytes runs past the page end at " + end);
            }
            byte[] value = new byte[length];
            System.arraycopy(b, at + 4, value, 0, length);
            out.add(new Designator((b[at] & 0xF0) >>> 4, b[at] & 0x0F, (b[at + 1] & 0x80) != 0,
                    Association.of((b[at + 1] & 0x30) >>> 4), b[at + 1] & 0x0F, value));
            at += 4 + length;
        }
        return new DeviceIdentification(out);
    }

    // The order in which designators identify a logical unit best: globally unique and binary
    // first (what Linux multipath uses as the WWID), then names, then vendor-assigned values.
    private static final int[] LU_PREFERENCE = {TYPE_NAA, TYPE_EUI64, TYPE_UUID,
            TYPE_SCSI_NAME_STRING, TYPE_T10_VENDOR_ID, TYPE_VENDOR_SPECIFIC};

    /** The designator that best identifies the logical unit (NAA first), if any. */
    public Optional<Designator> logicalUnit() {
        for (int type : LU_PREFERENCE) {
            for (Designator d : designators) {
                if (d.association() == Association.LOGICAL_UNIT && d.type() == type && d.value.length > 0) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    /** The relative target port identifier of the port the page came through, or -1. */
    public int relativeTargetPort() {
        return portValue(TYPE_RELATIVE_TARGET_PORT);
    }

    /** The target port group of the port the page came through, or -1. */
    public int targetPortGroup() {
        return portValue(TYPE_TARGET_PORT_GROUP);
    }

    /**
     * The serial of the target device (the array), from its T10 vendor ID designator's vendor
     * specific part, else its NAA or name designator; empty when the page names no target device.
     */
    public Optional<String> targetDeviceSerial() {
        for (Designator d : designators) {
            if (d.association() == Association.TARGET_DEVICE && d.type() == TYPE_T10_VENDOR_ID
                    && d.value.length > 8) {
                return Optional.of(StandardInquiry.ascii(d.value, 8, d.value.length - 8));
            }
        }
        for (Designator d : designators) {
            if (d.association() == Association.TARGET_DEVICE
                    && (d.type() == TYPE_NAA || d.type() == TYPE_SCSI_NAME_STRING || d.type() == TYPE_EUI64)) {
                return Optional.of(d.text());
            }
        }
        return Optional.empty();
    }

    private int portValue(int type) {
        for (Designator d : designators) {
            if (d.association() == Association.TARGET_PORT && d.type() == type) {
                return d.twoByteValue();
            }
        }
        return -1;
    }

    private static String hex(byte[] value) {
        return HexFormat.of().formatHex(value);
    }

    /** A SCSI name string: UTF-8 up to the first NUL. */
    private static String nameString(byte[] value) {
        int n = 0;
        while (n < value.length && value[n] != 0) {
            n++;
        }
        return new String(value, 0, n, StandardCharsets.UTF_8);
    }
}
