package io.braid.host.scsi;

/** VPD page 80h Unit Serial Number (SPC-5 "Unit Serial Number VPD page"). */
public final class UnitSerialNumber {
    /** The VPD page code. */
    public static final int PAGE = 0x80;

    private UnitSerialNumber() {
    }

    /**
     * The PRODUCT SERIAL NUMBER of a VPD 80h page: bytes 4 onwards for PAGE LENGTH bytes, in
     * ASCII, leading and trailing spaces removed.
     */
    public static String parse(byte[] b) {
        if (b.length < 4 || (b[1] & 0xFF) != PAGE) {
            throw new IllegalArgumentException("not a VPD 80h page (" + b.length + " bytes, page code "
                    + (b.length > 1 ? String.format("%02xh", b[1] & 0xFF) : "missing") + ")");
        }
        int length = (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        return StandardInquiry.ascii(b, 4, Math.min(length, b.length - 4));
    }
}
