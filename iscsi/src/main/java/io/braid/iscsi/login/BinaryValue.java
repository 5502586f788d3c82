package io.braid.iscsi.login;

import java.util.Base64;
import java.util.HexFormat;

/**
 * Binary values in text keys (RFC 7143 6.1): hex constants {@code 0x...}/{@code 0X...} and
 * base64 constants {@code 0b...}/{@code 0B...} (RFC 4648). A hex constant with an odd number of
 * digits has an implied leading zero nibble, since its byte length counts four bits per digit.
 */
public final class BinaryValue {
    private BinaryValue() {
    }

    /**
     * Decodes a binary value.
     *
     * @throws IllegalArgumentException when it is not a well-formed hex or base64 constant; the
     *                                  message does not repeat the value
     */
    public static byte[] decode(String value) {
        if (value.length() < 2 || value.charAt(0) != '0') {
            throw new IllegalArgumentException("binary value must start with 0x or 0b");
        }
        char kind = value.charAt(1);
        String digits = value.substring(2);
        if (digits.isEmpty() && (kind == 'x' || kind == 'X' || kind == 'b' || kind == 'B')) {
            throw new IllegalArgumentException("binary value has no digits");
        }
        if (kind == 'x' || kind == 'X') {
            if ((digits.length() & 1) == 1) {
                digits = "0" + digits;
            }
            try {
                return HexFormat.of().parseHex(digits);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hex constant has a character other than 0-9, a-f, A-F");
            }
        }
        if (kind == 'b' || kind == 'B') {
            try {
                return Base64.getDecoder().decode(digits);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base64 constant is not valid RFC 4648 base64");
            }
        }
        throw new IllegalArgumentException("binary value must start with 0x or 0b");
    }

    /** Encodes bytes as a hex constant, {@code 0x} and two lower-case digits per byte. */
    public static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    /** Encodes bytes as a base64 constant, {@code 0b} and RFC 4648 base64 with padding. */
    public static String base64(byte[] bytes) {
        return "0b" + Base64.getEncoder().encodeToString(bytes);
    }
}
