package io.braid.scsi.internal;

import io.braid.scsi.Nexus;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * An initiator port as persistent reservations name it (SPC-5 "TransportID for initiator ports
 * using SCSI over iSCSI"): the iSCSI name, and the ISID when the port is one session identity of
 * that name. Without an ISID (TransportID format 00b) it stands for every initiator port with
 * that name.
 *
 * @param name iSCSI name, lower case (RFC 3722 names compare case-insensitively)
 * @param isid the 48-bit ISID, or {@link #ANY_ISID}
 */
record TransportId(String name, long isid) {

    static final long ANY_ISID = -1;

    /** PROTOCOL IDENTIFIER of iSCSI (SPC-5 "Protocol identifier values"). */
    static final int PROTOCOL_ISCSI = 0x5;

    /** RFC 7143 4.2.7.1: an iSCSI name is at most 223 bytes of UTF-8. */
    static final int MAX_NAME_BYTES = 223;

    private static final String SEPARATOR = ",i,0x";

    TransportId {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty initiator name");
        }
        if (isid != ANY_ISID && (isid < 0 || isid >>> 48 != 0)) {
            throw new IllegalArgumentException("ISID " + isid + " is not 48 bits");
        }
        name = name.toLowerCase(Locale.ROOT);
    }

    /**
     * The initiator port of a nexus. An iSCSI initiator port name is {@code <iSCSI name>,i,0x<ISID>}
     * (RFC 7143 4.4.1); any other form is taken whole as a name without ISID.
     */
    static TransportId of(Nexus nexus) {
        String port = nexus.initiatorPort();
        if (port == null || port.isEmpty()) {
            return new TransportId(nexus.initiatorName() == null || nexus.initiatorName().isEmpty()
                    ? "unnamed" : nexus.initiatorName(), ANY_ISID);
        }
        int at = port.toLowerCase(Locale.ROOT).lastIndexOf(SEPARATOR);
        if (at > 0) {
            long isid = parseIsid(port.substring(at + SEPARATOR.length()));
            if (isid >= 0) {
                return new TransportId(port.substring(0, at), isid);
            }
        }
        return new TransportId(port, ANY_ISID);
    }

    boolean hasIsid() {
        return isid != ANY_ISID;
    }

    /** Whether both name a common initiator port: same name, and ISIDs equal or one of them absent. */
    boolean overlaps(TransportId other) {
        return name.equals(other.name) && (!hasIsid() || !other.hasIsid() || isid == other.isid);
    }

    /** Whether this identity covers the port {@code port} (a port of a live nexus). */
    boolean covers(TransportId port) {
        return name.equals(port.name) && (!hasIsid() || isid == port.isid);
    }

    @Override
    public String toString() {
        return hasIsid() ? name + SEPARATOR + String.format("%012x", isid) : name;
    }

    /*
     * SPC-5 "iSCSI TransportID":
     *  0   FORMAT CODE (7-6) | reserved | PROTOCOL IDENTIFIER (3-0) = 5h
     *  1   reserved
     *  2-3 ADDITIONAL LENGTH (n-3): at least 20 and a multiple of 4
     *  4-n format 00b: iSCSI NAME, null terminated, null padded
     *      format 01b: iSCSI NAME ",i,0x" ISID (12 hex digits), null terminated, null padded
     */
    byte[] encode() {
        byte[] text = toString().getBytes(StandardCharsets.UTF_8);
        int additional = Math.max(20, (text.length + 1 + 3) & ~3);
        byte[] b = new byte[4 + additional];
        b[0] = (byte) ((hasIsid() ? 0x40 : 0x00) | PROTOCOL_ISCSI);
        BigEndian.put16(b, 2, additional);
        System.arraycopy(text, 0, b, 4, text.length);
        return b;
    }

    /** A TransportID with its length on the wire. */
    record Parsed(TransportId id, int length) {
    }

    /**
     * Parses the TransportID starting at {@code offset} of a parameter list, none of whose bytes
     * past {@code end} belong to it. Errors are INVALID FIELD IN PARAMETER LIST pointing at the
     * offending byte, or PARAMETER LIST LENGTH ERROR when the descriptor runs past {@code end}.
     */
    static Parsed parse(byte[] list, int offset, int end) {
        if (end - offset < 4) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int format = (list[offset] & 0xC0) >>> 6;
        if ((list[offset] & 0x0F) != PROTOCOL_ISCSI) {
            throw invalid(offset, 3);
        }
        if (format > 1 || (list[offset] & 0x30) != 0) {
            throw invalid(offset, 7);
        }
        int additional = BigEndian.u16(list, offset + 2);
        if (additional < 20 || additional % 4 != 0) {
            throw invalid(offset + 2, -1);
        }
        if (additional > end - offset - 4) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int start = offset + 4;
        int stop = start;
        while (stop < start + additional && list[stop] != 0) {
            stop++;
        }
        if (stop == start + additional) {
            throw invalid(start, -1); // no null terminator
        }
        String text = utf8(list, start, stop - start);
        TransportId id;
        if (format == 0) {
            if (text.contains(",")) {
                throw invalid(start, -1);
            }
            id = named(text, ANY_ISID, start);
        } else {
            int at = text.toLowerCase(Locale.ROOT).lastIndexOf(SEPARATOR);
            if (at <= 0) {
                throw invalid(start, -1);
            }
            long isid = parseIsid(text.substring(at + SEPARATOR.length()));
            if (isid < 0) {
                throw invalid(start + at, -1);
            }
            id = named(text.substring(0, at), isid, start);
        }
        return new Parsed(id, 4 + additional);
    }

    private static TransportId named(String name, long isid, int at) {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw invalid(at, -1);
        }
        return new TransportId(name, isid);
    }

    /** Up to 12 hex digits (6 bytes); -1 when the text is not that. */
    private static long parseIsid(String hex) {
        if (hex.isEmpty() || hex.length() > 12) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static String utf8(byte[] b, int off, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Arrays.copyOfRange(b, off, off + len)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid(off, -1);
        }
    }

    private static CheckCondition invalid(int byteIndex, int bit) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameterList(byteIndex, bit)));
    }
}
