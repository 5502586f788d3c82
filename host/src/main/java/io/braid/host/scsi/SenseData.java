package io.braid.host.scsi;

import io.braid.scsi.SenseKey;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * Decoded sense data (SPC-5 "Sense data"): fixed format (response codes 70h/71h) or descriptor
 * format (72h/73h). Only what an initiator acts on is decoded; {@link #raw()} keeps the bytes.
 *
 * @param current     false for deferred errors (71h, 73h): the error belongs to an earlier command
 * @param key         the sense key
 * @param asc         ADDITIONAL SENSE CODE
 * @param ascq        ADDITIONAL SENSE CODE QUALIFIER
 * @param information the INFORMATION field when valid (fixed format VALID bit, or descriptor 00h),
 *                    else -1
 * @param raw         the sense bytes as received
 */
public record SenseData(boolean current, SenseKey key, int asc, int ascq, long information,
                        byte[] raw) {

    /** Longest sense data kept; SPC-5 limits sense data to 252 bytes. */
    public static final int MAX_LENGTH = 252;

    public SenseData {
        raw = raw.clone();
    }

    /**
     * Decodes sense bytes.
     *
     * @throws IllegalArgumentException naming the problem when the bytes are not sense data
     */
    public static SenseData parse(byte[] sense) {
        if (sense.length < 1) {
            throw new IllegalArgumentException("sense data is empty");
        }
        byte[] b = sense.length > MAX_LENGTH ? Arrays.copyOf(sense, MAX_LENGTH) : sense;
        int code = b[0] & 0x7F;
        return switch (code) {
            case 0x70, 0x71 -> {
                // Fixed format: 2 SENSE KEY, 3-6 INFORMATION (VALID = byte 0 bit 7), 12 ASC, 13 ASCQ.
                if (b.length < 3) {
                    throw new IllegalArgumentException("fixed-format sense data of " + b.length
                            + " bytes; at least 3 needed for the sense key");
                }
                boolean valid = (b[0] & 0x80) != 0 && b.length >= 7;
                long info = valid ? ((b[3] & 0xFFL) << 24 | (b[4] & 0xFF) << 16 | (b[5] & 0xFF) << 8
                        | (b[6] & 0xFF)) : -1;
                int asc = b.length > 12 ? b[12] & 0xFF : 0;
                int ascq = b.length > 13 ? b[13] & 0xFF : 0;
                yield new SenseData(code == 0x70, SenseKey.of(b[2]), asc, ascq, info, b);
            }
            case 0x72, 0x73 -> {
                // Descriptor format: 1 SENSE KEY, 2 ASC, 3 ASCQ, 7 ADDITIONAL LENGTH, then descriptors.
                if (b.length < 4) {
                    throw new IllegalArgumentException("descriptor-format sense data of " + b.length
                            + " bytes; at least 4 needed");
                }
                yield new SenseData(code == 0x72, SenseKey.of(b[1]), b[2] & 0xFF, b[3] & 0xFF,
                        descriptorInformation(b), b);
            }
            default -> throw new IllegalArgumentException(String.format(
                    "sense response code 0x%02x is not 70h-73h", code));
        };
    }

    /** The INFORMATION sense data descriptor (type 00h) when present and VALID, else -1. */
    private static long descriptorInformation(byte[] b) {
        if (b.length < 8) {
            return -1;
        }
        int end = Math.min(b.length, 8 + (b[7] & 0xFF));
        int at = 8;
        while (at + 1 < end) {
            int type = b[at] & 0xFF;
            int length = b[at + 1] & 0xFF;
            if (type == 0x00 && length >= 0x0A && at + 12 <= end && (b[at + 2] & 0x80) != 0) {
                long v = 0;
                for (int i = 0; i < 8; i++) {
                    v = v << 8 | (b[at + 4 + i] & 0xFF);
                }
                return v;
            }
            at += 2 + length;
        }
        return -1;
    }

    /** A copy of the sense bytes as received. */
    @Override
    public byte[] raw() {
        return raw.clone();
    }

    /** ASC and ASCQ as one number, {@code asc << 8 | ascq}, e.g. 0x2000. */
    public int code() {
        return asc << 8 | ascq;
    }

    /** Whether this is the given key with the given ASC/ASCQ. */
    public boolean is(SenseKey key, int asc, int ascq) {
        return this.key == key && this.asc == asc && this.ascq == ascq;
    }

    /** The SPC-5 name of the ASC/ASCQ pair when it is one of the common ones, else null. */
    public String description() {
        String d = NAMES.get(code());
        if (d == null && asc == 0x29) {
            d = NAMES.get(0x2900);
        }
        return d;
    }

    @Override
    public String toString() {
        String d = description();
        return String.format("%s%s asc=0x%02x ascq=0x%02x%s", current ? "" : "deferred ", key, asc,
                ascq, d == null ? "" : " (" + d + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenseData s && current == s.current && key == s.key && asc == s.asc
                && ascq == s.ascq && information == s.information && Arrays.equals(raw, s.raw);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + code()) * 31 + Arrays.hashCode(raw);
    }

    /** Hex of the raw bytes, for logs. */
    public String hex() {
        return HexFormat.of().formatHex(raw);
    }

    // SPC-5 Annex "ASC and ASCQ assignments": the pairs an initiator meets most.
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x0000, "no additional sense information"),
            Map.entry(0x0400, "logical unit not ready, cause not reportable"),
            Map.entry(0x0401, "logical unit is in process of becoming ready"),
            Map.entry(0x0402, "logical unit not ready, initializing command required"),
            Map.entry(0x040A, "logical unit not accessible, asymmetric access state transition"),
            Map.entry(0x040B, "logical unit not accessible, target port in standby state"),
            Map.entry(0x040C, "logical unit not accessible, target port in unavailable state"),
            Map.entry(0x0C00, "write error"),
            Map.entry(0x1100, "unrecovered read error"),
            Map.entry(0x1D00, "miscompare during verify operation"),
            Map.entry(0x2000, "invalid command operation code"),
            Map.entry(0x2100, "logical block address out of range"),
            Map.entry(0x2400, "invalid field in cdb"),
            Map.entry(0x2500, "logical unit not supported"),
            Map.entry(0x2600, "invalid field in parameter list"),
            Map.entry(0x2700, "write protected"),
            Map.entry(0x2900, "power on, reset, or bus device reset occurred"),
            Map.entry(0x2A01, "mode parameters changed"),
            Map.entry(0x2A06, "asymmetric access state changed"),
            Map.entry(0x2A09, "capacity data has changed"),
            Map.entry(0x3F0E, "reported luns data has changed"),
            Map.entry(0x4700, "scsi parity error"),
            Map.entry(0x4B00, "data phase error"),
            Map.entry(0x4E00, "overlapped commands attempted"),
            Map.entry(0x5500, "system resource failure"),
            Map.entry(0x2C00, "command sequence error"),
            Map.entry(0x3A00, "medium not present"),
            Map.entry(0x0E03, "invalid field in command information unit"),
            Map.entry(0x2707, "space allocation failed write protect"),
            Map.entry(0x3E03, "logical unit failed self-test"));
}
