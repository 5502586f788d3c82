package io.braid.host.scsi;

import java.nio.charset.StandardCharsets;

/**
 * Standard INQUIRY data (SPC-5 "Standard INQUIRY data format"), the fields discovery uses.
 *
 * @param peripheralQualifier 000b: a unit is connected; 001b: supported but not connected;
 *                            011b: no unit at this LUN
 * @param deviceType          PERIPHERAL DEVICE TYPE, 00h for a direct access block device
 * @param version             VERSION, the SPC version claimed
 * @param tpgs                TPGS: 00b no ALUA, 01b implicit, 10b explicit, 11b both
 * @param commandQueuing      CMDQUE
 * @param vendor              T10 VENDOR IDENTIFICATION, trailing spaces removed
 * @param product             PRODUCT IDENTIFICATION, trailing spaces removed
 * @param revision            PRODUCT REVISION LEVEL, trailing spaces removed
 */
public record StandardInquiry(int peripheralQualifier, int deviceType, int version, int tpgs,
                              boolean commandQueuing, String vendor, String product,
                              String revision) {

    /** Allocation length that covers the standard data of every known device. */
    public static final int ALLOCATION_LENGTH = 96;

    /** Parses standard INQUIRY data; at least the 36 bytes SPC-5 makes mandatory. */
    public static StandardInquiry parse(byte[] b) {
        if (b.length < 36) {
            throw new IllegalArgumentException("standard INQUIRY data of " + b.length
                    + " bytes; at least 36 expected");
        }
        return new StandardInquiry((b[0] & 0xE0) >>> 5, b[0] & 0x1F, b[2] & 0xFF,
                (b[5] & 0x30) >>> 4, (b[7] & 0x02) != 0, ascii(b, 8, 8), ascii(b, 16, 16),
                ascii(b, 32, 4));
    }

    /** Whether a unit is connected at this LUN (qualifier 000b). */
    public boolean connected() {
        return peripheralQualifier == 0;
    }

    /** Whether the unit supports asymmetric logical unit access in any form. */
    public boolean alua() {
        return tpgs != 0;
    }

    static String ascii(byte[] b, int at, int length) {
        int end = Math.min(b.length, at + length);
        StringBuilder sb = new StringBuilder(length);
        for (int i = at; i < end; i++) {
            int c = b[i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : ' ');
        }
        return sb.toString().strip();
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
