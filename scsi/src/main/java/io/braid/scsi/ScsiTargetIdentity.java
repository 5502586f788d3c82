package io.braid.scsi;

import java.util.Objects;

/**
 * The identity every logical unit of one target reports in standard INQUIRY data (SPC-5 "Standard
 * INQUIRY data"): T10 vendor identification, product identification and revision, plus the serial
 * number of the array (the SCSI target device), reported as the target device designator of VPD
 * page 83h so that host software can group the logical units of one array.
 *
 * @param vendorId  T10 vendor identification, 1..8 ASCII characters ({@value #VENDOR} for Braid)
 * @param productId product identification, 1..16 ASCII characters
 * @param revision  product revision level, 1..4 ASCII characters
 * @param serial    array/target serial number, 1..32 ASCII characters, stable across restarts
 */
public record ScsiTargetIdentity(String vendorId, String productId, String revision, String serial) {

    /** Braid's T10 vendor identification. */
    public static final String VENDOR = "BRAID";

    public ScsiTargetIdentity {
        checkAscii("vendorId", vendorId, 8);
        checkAscii("productId", productId, 16);
        checkAscii("revision", revision, 4);
        checkAscii("serial", serial, 32);
    }

    /** An identity with vendor {@value #VENDOR}. */
    public static ScsiTargetIdentity braid(String productId, String revision, String serial) {
        return new ScsiTargetIdentity(VENDOR, productId, revision, serial);
    }

    /** SPC-5 "ASCII data field requirements": printable ASCII 20h..7Eh, space padded on the wire. */
    private static void checkAscii(String field, String value, int max) {
        Objects.requireNonNull(value, field);
        if (value.isBlank() || value.length() > max) {
            throw new IllegalArgumentException(field + " '" + value + "' must have 1.." + max + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(field + " '" + value + "' has a character outside printable ASCII at " + i);
            }
        }
    }
}
