package io.braid.scsi.internal;

import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import io.braid.scsi.internal.PrState.Reservation;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The "pr" record of a unit's {@link io.braid.scsi.UnitStateStore}: the persistent reservation
 * state kept while APTPL is on (SPC-5 "Persist Through Power Loss"). Big-endian binary:
 *
 * <pre>
 *  0  magic "BRPR"                       then per registration:
 *  4  u16 version (1)                       u64 reservation key (non-zero)
 *  6  u8  flags: bit 0 APTPL                u16 relative target port identifier
 *  7  u8  reserved (0)                      u8  flags: bit 0 ALL_TG_PT, bit 1 ISID present
 *  8  u32 PRGENERATION                      [6 bytes ISID, when present]
 * 12  u16 registration count                u16 length + UTF-8 initiator name (1..223 bytes)
 * 14  registrations                         u16 length + UTF-8 target port (0 with ALL_TG_PT, at most 1024)
 *     u8  reservation present (0/1)
 *     [u8 TYPE code, u16 holder index, FFFFh for an all registrants type]
 *     u32 CRC32C of every byte before it
 * </pre>
 *
 * {@link #decode} trusts nothing: every length is checked against its bound and the bytes left,
 * the CRC must match, and the state must be one {@link PrState} accepts.
 */
final class PrStateCodec {

    static final String RECORD = "pr";
    static final int VERSION = 1;
    private static final byte[] MAGIC = {'B', 'R', 'P', 'R'};
    private static final int MAX_TARGET_PORT_BYTES = 1024;
    private static final int NO_HOLDER = 0xFFFF;

    private PrStateCodec() {
    }

    /** @throws IllegalArgumentException for a name too long to be read back */
    static byte[] encode(PrState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.writeByte(s.aptpl() ? 1 : 0);
            out.writeByte(0);
            out.writeInt(s.generation());
            out.writeShort(s.registrations().size());
            for (Registration r : s.registrations()) {
                TransportId id = r.registrant().initiator();
                out.writeLong(r.key());
                out.writeShort(r.relativeTargetPortId());
                out.writeByte((r.registrant().allTargetPorts() ? 1 : 0) | (id.hasIsid() ? 2 : 0));
                if (id.hasIsid()) {
                    for (int shift = 40; shift >= 0; shift -= 8) {
                        out.writeByte((int) (id.isid() >>> shift));
                    }
                }
                writeText(out, id.name(), TransportId.MAX_NAME_BYTES);
                writeText(out, r.registrant().allTargetPorts() ? "" : r.registrant().targetPort(), MAX_TARGET_PORT_BYTES);
            }
            Reservation res = s.reservation();
            out.writeByte(res == null ? 0 : 1);
            if (res != null) {
                out.writeByte(res.type().code());
                int holder = NO_HOLDER;
                for (int i = 0; i < s.registrations().size(); i++) {
                    if (s.registrations().get(i).registrant().equals(res.holder())) {
                        holder = i;
                    }
                }
                out.writeShort(holder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer b = ByteBuffer.allocate(body.length + 4);
        b.put(body).putInt((int) crc.getValue());
        return b.array();
    }

    private static void writeText(DataOutputStream out, String s, int max) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > max) {
            // The record would not load again; refuse it now rather than lose it at the next start.
            throw new IllegalArgumentException("name of " + utf8.length + " bytes is longer than " + max + ": " + s);
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    /** @throws IOException naming the first thing wrong with the record */
    static PrState decode(byte[] record) throws IOException {
        if (record.length < 4 + 2 + 2 + 4 + 2 + 1 + 4) {
            throw new IOException("pr record: " + record.length + " bytes is shorter than the smallest record");
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - 4);
        ByteBuffer in = ByteBuffer.wrap(record);
        if ((int) crc.getValue() != in.getInt(record.length - 4)) {
            throw new IOException("pr record: CRC32C mismatch");
        }
        in.limit(record.length - 4);
        byte[] magic = new byte[4];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("pr record: bad magic");
        }
        int version = in.getShort() & 0xFFFF;
        if (version != VERSION) {
            throw new IOException("pr record: version " + version + ", expected " + VERSION);
        }
        int flags = in.get() & 0xFF;
        if ((flags & ~1) != 0 || in.get() != 0) {
            throw new IOException("pr record: reserved flag bits set");
        }
        int generation = in.getInt();
        int count = in.getShort() & 0xFFFF;
        if (count > PrServiceActions.MAX_REGISTRATIONS) {
            throw new IOException("pr record: " + count + " registrations, at most "
                    + PrServiceActions.MAX_REGISTRATIONS);
        }
        List<Registration> regs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            need(in, 8 + 2 + 1, "registration " + i);
            long key = in.getLong();
            int rtpi = in.getShort() & 0xFFFF;
            int rflags = in.get() & 0xFF;
            if ((rflags & ~3) != 0) {
                throw new IOException("pr record: registration " + i + " has reserved flag bits set");
            }
            long isid = TransportId.ANY_ISID;
            if ((rflags & 2) != 0) {
                need(in, 6, "ISID of registration " + i);
                isid = 0;
                for (int k = 0; k < 6; k++) {
                    isid = isid << 8 | (in.get() & 0xFF);
                }
            }
            String name = readText(in, TransportId.MAX_NAME_BYTES, "initiator name of registration " + i);
            String port = readText(in, MAX_TARGET_PORT_BYTES, "target port of registration " + i);
            boolean all = (rflags & 1) != 0;
            if (name.isEmpty() || key == 0 || all && !port.isEmpty()) {
                throw new IOException("pr record: registration " + i + " is incomplete");
            }
            regs.add(new Registration(new Registrant(new TransportId(name, isid), all ? null : port), rtpi, key));
        }
        need(in, 1, "reservation");
        int present = in.get() & 0xFF;
        Reservation res = null;
        if (present == 1) {
            need(in, 3, "reservation");
            PrType type = PrType.of(in.get() & 0xFF);
            int holder = in.getShort() & 0xFFFF;
            if (type == null) {
                throw new IOException("pr record: unknown reservation type");
            }
            if (type.allRegistrants() != (holder == NO_HOLDER) || holder != NO_HOLDER && holder >= count) {
                throw new IOException("pr record: reservation holder " + holder + " does not fit type " + type);
            }
            res = new Reservation(holder == NO_HOLDER ? null : regs.get(holder).registrant(), type);
        } else if (present != 0) {
            throw new IOException("pr record: reservation flag " + present);
        }
        if (in.hasRemaining()) {
            throw new IOException("pr record: " + in.remaining() + " bytes after the end");
        }
        try {
            return new PrState(generation, (flags & 1) != 0, regs, res);
        } catch (IllegalArgumentException e) {
            throw new IOException("pr record: " + e.getMessage(), e);
        }
    }

    private static void need(ByteBuffer in, int n, String what) throws IOException {
        if (in.remaining() < n) {
            throw new IOException("pr record: truncated in " + what);
        }
    }

    private static String readText(ByteBuffer in, int max, String what) throws IOException {
        need(in, 2, what);
        int len = in.getShort() & 0xFFFF;
        if (len > max) {
            throw new IOException("pr record: " + what + " is " + len + " bytes, at most " + max);
        }
        need(in, len, what);
        ByteBuffer slice = in.slice(in.position(), len);
        in.position(in.position() + len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("pr record: " + what + " is not UTF-8", e);
        }
    }
}
