package io.braid.scsi.internal;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One sense data response before encoding (SPC-5 "Sense data"): a {@link SenseCode} from the table, an
 * optional field pointer or progress indication and an optional INFORMATION value. {@link #encode}
 * is the only place in the core that produces sense bytes.
 *
 * @param code         key, ASC and ASCQ
 * @param fieldPointer sense key specific field pointer, or null
 * @param information  the INFORMATION field (an LBA, or a byte offset for MISCOMPARE)
 * @param progress     sense key specific PROGRESS INDICATION (SPC-5 "Progress indication sense key
 *                     specific data"), 0..65535 as a fraction of 65536, or -1 for none; only
 *                     without a field pointer
 */
public record Sense(SenseCode code, FieldPointer fieldPointer, OptionalLong information, int progress) {

    /** Length of fixed format sense data with the sense key specific bytes (SPC-5 "Fixed format sense data"). */
    public static final int FIXED_LENGTH = 18;

    public Sense {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(information, "information");
        if (progress < -1 || progress > 0xFFFF || progress >= 0 && fieldPointer != null) {
            throw new IllegalArgumentException("progress " + progress + " out of range or with a field pointer");
        }
    }

    public Sense(SenseCode code, FieldPointer fieldPointer, OptionalLong information) {
        this(code, fieldPointer, information, -1);
    }

    public static Sense of(SenseCode code) {
        return new Sense(code, null, OptionalLong.empty());
    }

    public static Sense of(SenseCode code, FieldPointer fieldPointer) {
        return new Sense(code, fieldPointer, OptionalLong.empty());
    }

    public Sense withInformation(long value) {
        return new Sense(code, fieldPointer, OptionalLong.of(value), progress);
    }

    /** With a PROGRESS INDICATION of {@code done / total} (NOT READY while an operation runs). */
    public Sense withProgress(long done, long total) {
        int p = total <= 0 ? 0 : (int) Math.min(0xFFFF, (long) (65536.0 * done / total));
        return new Sense(code, null, information, Math.max(0, p));
    }

    /** Current-error sense data in the requested format. */
    public byte[] encode(SenseFormat format) {
        return format == SenseFormat.FIXED ? fixed() : descriptor();
    }

    /*
     * SPC-5 "Fixed format sense data":
     *  0  VALID | RESPONSE CODE (70h)      8-11 COMMAND-SPECIFIC INFORMATION
     *  1  obsolete                         12   ADDITIONAL SENSE CODE
     *  2  FILEMARK EOM ILI SDAT_OVFL KEY   13   ADDITIONAL SENSE CODE QUALIFIER
     *  3-6 INFORMATION                     14   FIELD REPLACEABLE UNIT CODE
     *  7  ADDITIONAL SENSE LENGTH (n-7)    15-17 SKSV | SENSE KEY SPECIFIC
     */
    private byte[] fixed() {
        byte[] b = new byte[FIXED_LENGTH];
        b[0] = 0x70;
        // A value that does not fit the 4-byte field is reported with VALID clear (SPC-5 "Fixed format sense data").
        if (information.isPresent() && (information.getAsLong() >>> 32) == 0) {
            long info = information.getAsLong();
            b[0] |= (byte) 0x80;
            b[3] = (byte) (info >>> 24);
            b[4] = (byte) (info >>> 16);
            b[5] = (byte) (info >>> 8);
            b[6] = (byte) info;
        }
        b[2] = (byte) code.key().wire();
        b[7] = FIXED_LENGTH - 8;
        b[12] = (byte) code.asc();
        b[13] = (byte) code.ascq();
        byte[] specific = senseKeySpecific();
        if (specific != null) {
            System.arraycopy(specific, 0, b, 15, 3);
        }
        return b;
    }

    /*
     * SPC-5 "Descriptor format sense data": 72h, key, ASC, ASCQ, 3 reserved, ADDITIONAL SENSE
     * LENGTH, then descriptors: information (00h) and sense key specific (02h).
     */
    private byte[] descriptor() {
        byte[] specific = senseKeySpecific();
        int length = 8 + (information.isPresent() ? 12 : 0) + (specific != null ? 8 : 0);
        byte[] b = new byte[length];
        b[0] = 0x72;
        b[1] = (byte) code.key().wire();
        b[2] = (byte) code.asc();
        b[3] = (byte) code.ascq();
        b[7] = (byte) (length - 8);
        int p = 8;
        if (information.isPresent()) {
            long info = information.getAsLong();
            b[p] = 0x00;
            b[p + 1] = 0x0A;
            b[p + 2] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                b[p + 4 + i] = (byte) (info >>> (56 - 8 * i));
            }
            p += 12;
        }
        if (specific != null) {
            b[p] = 0x02;
            b[p + 1] = 0x06;
            System.arraycopy(specific, 0, b, p + 4, 3);
        }
        return b;
    }

    /** The three sense key specific bytes with SKSV set, or null when there are none. */
    private byte[] senseKeySpecific() {
        if (fieldPointer != null) {
            return fieldPointer.senseKeySpecific();
        }
        if (progress >= 0) {
            return new byte[] {(byte) 0x80, (byte) (progress >>> 8), (byte) progress};
        }
        return null;
    }
}
