package io.braid.scsi.internal;

/**
 * SPC-5 "Field pointer sense key specific data": which byte (and optionally which bit) of
 * the CDB or parameter list was wrong.
 *
 * @param commandData true when the field is in the CDB (C/D bit), false for the parameter list
 * @param byteIndex   the byte holding the field's most significant bit
 * @param bit         the field's most significant bit (0..7), or -1 when the whole byte is meant
 */
public record FieldPointer(boolean commandData, int byteIndex, int bit) {

    public FieldPointer {
        if (byteIndex < 0 || byteIndex > 0xFFFF) {
            throw new IllegalArgumentException("field pointer byte " + byteIndex + " out of range 0..65535");
        }
        if (bit < -1 || bit > 7) {
            throw new IllegalArgumentException("field pointer bit " + bit + " out of range -1..7");
        }
    }

    /** A field of the CDB; {@code bit} -1 points at the whole byte. */
    public static FieldPointer cdb(int byteIndex, int bit) {
        return new FieldPointer(true, byteIndex, bit);
    }

    /** A field of the data-out parameter list; {@code bit} -1 points at the whole byte. */
    public static FieldPointer parameterList(int byteIndex, int bit) {
        return new FieldPointer(false, byteIndex, bit);
    }

    /** The three sense key specific bytes with SKSV set (SPC-5 "Field pointer sense key specific data"). */
    byte[] senseKeySpecific() {
        int b0 = 0x80 | (commandData ? 0x40 : 0) | (bit >= 0 ? 0x08 | bit : 0);
        return new byte[] {(byte) b0, (byte) (byteIndex >>> 8), (byte) byteIndex};
    }
}
