package io.braid.iscsi.pdu;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds expected wire bytes field by field, big-endian like every iSCSI header field. */
final class Wire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Wire u8(int value) {
        out.write(value);
        return this;
    }

    Wire u16(int value) {
        return u8(value >>> 8).u8(value);
    }

    Wire u24(int value) {
        return u8(value >>> 16).u16(value);
    }

    Wire u32(long value) {
        return u16((int) (value >>> 16)).u16((int) value);
    }

    Wire u48(long value) {
        return u16((int) (value >>> 32)).u32(value);
    }

    Wire u64(long value) {
        return u32(value >>> 32).u32(value);
    }

    Wire zeros(int count) {
        for (int i = 0; i < count; i++) {
            out.write(0);
        }
        return this;
    }

    Wire bytes(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    Wire ascii(String text) {
        return bytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    static byte[] hex(String hex) {
        String h = hex.replaceAll("\\s", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
