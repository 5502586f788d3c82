package io.braid.iscsi.login;

import io.braid.iscsi.login.TextFormatException.Problem;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text format of Login and Text PDUs (RFC 7143 6.1): a sequence of {@code key=value} pairs
 * in UTF-8, each followed by one NUL. Parsing checks every limit before building strings: keys
 * are at most 63 bytes of standard-label characters, values at most 255 bytes unless the key
 * allows more (CHAP_C/CHAP_R carry up to 1024 binary bytes), the whole text at most
 * {@link #MAX_TEXT_BYTES}.
 *
 * <p>Leniency, on purpose: empty pairs (two NULs in a row) are skipped, since some initiators pad
 * the text with NULs; everything else that breaks the format is a {@link TextFormatException}.
 */
public final class TextKeys {
    /** Longest key name (RFC 7143 6.1). */
    public static final int MAX_KEY_BYTES = 63;
    /** Longest simple value unless the key says otherwise (RFC 7143 6.1). */
    public static final int MAX_VALUE_BYTES = 255;
    /**
     * Bound on one negotiation text, possibly spread over several PDUs. The RFC asks for at
     * least 8192 bytes (64 KiB with long authentication items such as SRP and Kerberos).
     */
    public static final int MAX_TEXT_BYTES = 64 * 1024;
    /**
     * The data segment limit during login: MaxRecvDataSegmentLength declarations take effect
     * only in the full feature phase, so login PDUs stay within the default (RFC 7143 13.12).
     */
    public static final int LOGIN_SEGMENT_BYTES = 8192;

    private TextKeys() {
    }

    /**
     * Parses a complete text into an ordered map, rejecting duplicate keys. Reads the readable
     * bytes of {@code data} without moving its reader index and without releasing it.
     */
    public static Map<String, String> parse(ByteBuf data) {
        return parse(bytesOf(data));
    }

    /** Parses a complete text into an ordered map, rejecting duplicate keys. */
    public static Map<String, String> parse(byte[] data) {
        List<KeyValue> pairs = parsePairs(data, false);
        Map<String, String> map = new LinkedHashMap<>();
        for (KeyValue kv : pairs) {
            map.put(kv.key(), kv.value());
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * Parses a complete text into its pairs in order. {@code allowDuplicates} is for texts that
     * legitimately repeat keys, such as a SendTargets response (TargetName, TargetAddress).
     */
    public static List<KeyValue> parsePairs(byte[] data, boolean allowDuplicates) {
        if (data.length > MAX_TEXT_BYTES) {
            throw new TextFormatException(Problem.TEXT_TOO_LONG, null,
                    "text of " + data.length + " bytes exceeds the limit of " + MAX_TEXT_BYTES);
        }
        List<KeyValue> pairs = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        int pos = 0;
        while (pos < data.length) {
            int end = indexOf(data, (byte) 0, pos, data.length);
            if (end < 0) {
                String key = printableKey(data, pos, data.length);
                throw new TextFormatException(Problem.MISSING_TERMINATOR, key,
                        "pair " + (key == null ? "" : "for key " + key + " ") + "at offset " + pos
                                + " is not terminated by NUL");
            }
            if (end == pos) {
                pos++; // empty pair: NUL padding
                continue;
            }
            int eq = indexOf(data, (byte) '=', pos, end);
            if (eq < 0) {
                String shown = printableKey(data, pos, end);
                throw new TextFormatException(Problem.MISSING_EQUALS, shown,
                        "pair at offset " + pos + " (\"" + shown + "\") has no '='");
            }
            String key = parseKey(data, pos, eq);
            int valueBytes = end - eq - 1;
            int limit = OperationalKey.maxValueBytes(key);
            if (valueBytes > limit) {
                throw new TextFormatException(Problem.VALUE_TOO_LONG, key,
                        "value of key " + key + " is " + valueBytes + " bytes; at most " + limit + " allowed");
            }
            String value = utf8(data, eq + 1, valueBytes, key);
            if (!allowDuplicates && !seen.add(key)) {
                throw new TextFormatException(Problem.DUPLICATE_KEY, key, "key " + key + " appears twice");
            }
            pairs.add(new KeyValue(key, value));
            pos = end + 1;
        }
        return List.copyOf(pairs);
    }

    /** Whether {@code key} is one of the keys RFC 7143 defines (extension keys are not). */
    public static boolean isKnown(String key) {
        return OperationalKey.of(key) != null;
    }

    /** Whether {@code key} is a well-formed key name: 1..63 characters of a standard-label. */
    public static boolean isValidKeyName(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_BYTES) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (!isKeyChar(key.charAt(i), i, key)) {
                return false;
            }
        }
        return true;
    }

    /** Encodes pairs as {@code key=value\0...} in UTF-8. */
    public static byte[] encode(List<KeyValue> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (KeyValue kv : pairs) {
            if (!isValidKeyName(kv.key())) {
                throw new IllegalArgumentException("not a valid key name: " + kv.key());
            }
            if (kv.value().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("value of key " + kv.key() + " contains NUL");
            }
            out.writeBytes(kv.key().getBytes(StandardCharsets.US_ASCII));
            out.write('=');
            out.writeBytes(kv.value().getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Encodes a map's entries in iteration order. */
    public static byte[] encode(Map<String, String> pairs) {
        List<KeyValue> list = new ArrayList<>(pairs.size());
        pairs.forEach((k, v) -> list.add(new KeyValue(k, v)));
        return encode(list);
    }

    /**
     * Splits an encoded text into data segments of at most {@code maxSegmentLength} bytes, for
     * a response longer than the peer's MaxRecvDataSegmentLength; pairs may span segments
     * (RFC 7143 6.1). Every segment but the last goes out with the C bit set. An empty text
     * gives one empty segment.
     */
    public static List<byte[]> split(byte[] text, int maxSegmentLength) {
        if (maxSegmentLength < 1) {
            throw new IllegalArgumentException("segment length must be positive: " + maxSegmentLength);
        }
        if (text.length == 0) {
            return List.of(text);
        }
        List<byte[]> segments = new ArrayList<>((text.length + maxSegmentLength - 1) / maxSegmentLength);
        for (int off = 0; off < text.length; off += maxSegmentLength) {
            int n = Math.min(maxSegmentLength, text.length - off);
            byte[] seg = new byte[n];
            System.arraycopy(text, off, seg, 0, n);
            segments.add(seg);
        }
        return segments;
    }

    static byte[] bytesOf(ByteBuf data) {
        byte[] bytes = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), bytes);
        return bytes;
    }

    private static String parseKey(byte[] data, int from, int to) {
        int len = to - from;
        if (len == 0) {
            throw new TextFormatException(Problem.EMPTY_KEY, null, "pair at offset " + from + " has an empty key");
        }
        if (len > MAX_KEY_BYTES) {
            String shown = printableKey(data, from, from + 20) + "...";
            throw new TextFormatException(Problem.KEY_TOO_LONG, shown,
                    "key " + shown + " is " + len + " bytes; at most " + MAX_KEY_BYTES + " allowed");
        }
        char[] chars = new char[len];
        for (int i = 0; i < len; i++) {
            chars[i] = (char) (data[from + i] & 0xff);
        }
        String key = new String(chars);
        for (int i = 0; i < len; i++) {
            if (!isKeyChar(chars[i], i, key)) {
                String shown = printableKey(data, from, to);
                throw new TextFormatException(Problem.BAD_KEY_CHARACTER, shown,
                        "key " + shown + " has a character not allowed in a key name at position " + i);
            }
        }
        return key;
    }

    /** standard-label characters; '#' only as the second character of an X# public extension key. */
    private static boolean isKeyChar(char c, int index, String key) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        if (c == '.' || c == '-' || c == '+' || c == '@' || c == '_') {
            return true;
        }
        return c == '#' && index == 1 && key.charAt(0) == 'X';
    }

    private static String utf8(byte[] data, int off, int len, String key) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(data, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new TextFormatException(Problem.NOT_UTF8, key, "value of key " + key + " is not valid UTF-8");
        }
    }

    private static int indexOf(byte[] data, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** At most 63 bytes of the key region, non-printable bytes as '?', for messages and logs. */
    private static String printableKey(byte[] data, int from, int to) {
        int end = Math.min(to, from + MAX_KEY_BYTES);
        for (int i = from; i < end; i++) {
            if (data[i] == '=') {
                end = i;
                break;
            }
        }
        if (end <= from) {
            return null;
        }
        StringBuilder sb = new StringBuilder(end - from);
        for (int i = from; i < end; i++) {
            int c = data[i] & 0xff;
            sb.append(c >= 0x21 && c < 0x7f ? (char) c : '?');
        }
        return sb.toString();
    }
}
