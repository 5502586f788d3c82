package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.braid.scsi.internal.CommandFlag.NEEDS_EXTENDED_COPY;
import static io.braid.scsi.internal.DataDirection.IN;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * The copy manager's commands (SPC-5 "Third-party copies"): EXTENDED COPY (LID1) with
 * identification CSCD descriptors (E4h) naming logical units by the NAA designator of VPD page
 * 83h, and block device to block device segment descriptors (02h), within one unit or between
 * units of the target; RECEIVE COPY RESULTS (COPY STATUS, RECEIVE DATA, OPERATING PARAMETERS,
 * FAILED SEGMENT DETAILS); and the Third-party Copy VPD page (8Fh) describing the same limits.
 *
 * <p>The whole parameter list is checked before any data moves. The copy itself runs in the
 * command's thread, in chunks of {@value #CHUNK} bytes through one buffer, and stops between
 * chunks when task management aborts the command. A unit the nexus cannot see (REPORT LUNS) is
 * not a copy target. Errors while copying end the command with COPY ABORTED.
 */
final class ExtendedCopyCommands {

    private static final Logger log = LoggerFactory.getLogger(ExtendedCopyCommands.class);

    /** MAXIMUM CSCD DESCRIPTOR COUNT: a source and a destination need two; room for several units. */
    static final int MAX_CSCD_DESCRIPTORS = 8;
    /** MAXIMUM SEGMENT DESCRIPTOR COUNT. */
    static final int MAX_SEGMENT_DESCRIPTORS = 32;
    /** MAXIMUM DESCRIPTOR LIST LENGTH: every descriptor the counts allow, with room to spare. */
    static final int MAX_DESCRIPTOR_LIST_LENGTH = 2048;
    /** Copy data moves through a buffer of this size, between abort checks. */
    static final int CHUNK = 1 << 20;

    private static final int HEADER_LENGTH = 16;
    private static final int CSCD_LENGTH = 32;
    private static final int BLOCK_TO_BLOCK_LENGTH = 28;
    private static final int IDENTIFICATION_CSCD = 0xE4;
    private static final int BLOCK_TO_BLOCK = 0x02;
    /** Designator field of an identification CSCD descriptor: bytes 8-27. */
    private static final int MAX_DESIGNATOR_LENGTH = 20;

    private static final int SA_COPY_STATUS = 0x00;
    private static final int SA_RECEIVE_DATA = 0x01;
    private static final int SA_OPERATING_PARAMETERS = 0x03;
    private static final int SA_FAILED_SEGMENT_DETAILS = 0x04;

    private ExtendedCopyCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        List<CommandDescriptor> d = new ArrayList<>();
        // 1 SERVICE ACTION (00h LID1), 10-13 PARAMETER LIST LENGTH.
        d.add(CommandDescriptor.of("EXTENDED COPY(LID1)", 0x83, 0x00, OUT, (cdb, bs) -> BigEndian.u32(cdb, 10),
                ExtendedCopyCommands::extendedCopy,
                "83 1f 00 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 c2", NEEDS_EXTENDED_COPY));
        // 1 SERVICE ACTION, 2 LIST IDENTIFIER, 10-13 ALLOCATION LENGTH.
        String[] names = {"COPY STATUS", "RECEIVE DATA", null, "OPERATING PARAMETERS", "FAILED SEGMENT DETAILS"};
        for (int sa : new int[] {SA_COPY_STATUS, SA_RECEIVE_DATA, SA_OPERATING_PARAMETERS, SA_FAILED_SEGMENT_DETAILS}) {
            d.add(CommandDescriptor.of("RECEIVE COPY RESULTS(" + names[sa] + ")", 0x84, sa, IN,
                    (cdb, bs) -> BigEndian.u32(cdb, 10),
                    c -> receiveCopyResults(c, sa),
                    "84 1f ff 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 c2", NEEDS_EXTENDED_COPY));
        }
        return d;
    }

    /** A parsed identification CSCD descriptor: where it is and the designator it names. */
    private record Cscd(int offset, int codeSet, int association, int designatorType, byte[] designator,
                        int blockLength) {
    }

    /** A parsed block device to block device segment descriptor. */
    private record Segment(int offset, int source, int destination, boolean destinationCount, int blocks,
                           long sourceLba, long destinationLba) {
    }

    /*
     * Parameter list (LID1):
     *  0 LIST IDENTIFIER                       4-7 reserved
     *  1 STR (bit 5) LIST ID USAGE (4-3)       8-11 SEGMENT DESCRIPTOR LIST LENGTH
     *    PRIORITY (2-0)                        12-15 INLINE DATA LENGTH
     *  2-3 CSCD DESCRIPTOR LIST LENGTH         16.. CSCD descriptors, segment descriptors, inline data
     * STR (a sequential striping hint) and PRIORITY are accepted and have no effect.
     */
    private static ScsiResult extendedCopy(Command cmd) {
        long declared = cmd.transferLength();
        if (declared == 0) {
            return cmd.good(); // SPC-5: not an error, and nothing is copied
        }
        ByteBuf data = cmd.dataOut();
        if (declared < HEADER_LENGTH || data.readableBytes() < HEADER_LENGTH) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] header = new byte[HEADER_LENGTH];
        data.getBytes(data.readerIndex(), header);
        int listId = header[0] & 0xFF;
        int usageBits = (header[1] >>> 3) & 0x03;
        int cscdListLength = BigEndian.u16(header, 2);
        long segmentListLength = BigEndian.u32(header, 8);
        long inlineLength = BigEndian.u32(header, 12);
        if (HEADER_LENGTH + cscdListLength + segmentListLength + inlineLength > declared
                || cscdListLength + segmentListLength > MAX_DESCRIPTOR_LIST_LENGTH
                || inlineLength > 0) {
            // Longer than the list, longer than MAXIMUM DESCRIPTOR LIST LENGTH, or inline data
            // beyond MAXIMUM INLINE DATA LENGTH (0: no segment type Braid supports uses it).
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int listLength = HEADER_LENGTH + cscdListLength + (int) segmentListLength;
        if (data.readableBytes() < listLength) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = new byte[listLength];
        data.getBytes(data.readerIndex(), list);
        if ((header[1] & 0xC0) != 0) {
            throw invalidField(1, 7);
        }
        if (BigEndian.u32(header, 4) != 0) {
            throw invalidField(4, -1);
        }
        CopyManager.ListIdUsage usage = switch (usageBits) {
            case 0b00 -> CopyManager.ListIdUsage.HOLD;
            case 0b10 -> CopyManager.ListIdUsage.DISCARD;
            case 0b11 -> CopyManager.ListIdUsage.NONE;
            default -> throw invalidField(1, 4);
        };
        List<Cscd> cscds = parseCscds(list, cscdListLength);
        List<Segment> segments = parseSegments(list, HEADER_LENGTH + cscdListLength, (int) segmentListLength);

        CoreTarget target = cmd.target();
        Nexus nexus = cmd.nexus();
        int lun = cmd.unit().lun();
        CopyManager copies = target.copyManager();
        CopyManager.Operation op = copies.begin(nexus, lun, listId, usage);
        int status = ScsiResult.CHECK_CONDITION;
        byte[] failure = Sense.of(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE).encode(SenseFormat.FIXED);
        try {
            run(cmd, cscds, segments, op);
            status = ScsiResult.GOOD;
            failure = null;
            return cmd.good();
        } catch (CheckCondition e) {
            failure = e.sense().encode(SenseFormat.FIXED);
            throw e;
        } catch (ReservationConflict e) {
            status = ScsiResult.RESERVATION_CONFLICT;
            failure = null;
            throw e;
        } finally {
            copies.end(nexus, lun, op, status, failure);
        }
    }

    /*
     * Identification CSCD descriptor (E4h), 32 bytes:
     *  0 DESCRIPTOR TYPE CODE (E4h)                4.. designation descriptor: 4 CODE SET,
     *  1 LU ID TYPE (7-6) NUL (5) PERIPHERAL         5 ASSOCIATION | DESIGNATOR TYPE, 7 DESIGNATOR
     *    DEVICE TYPE (4-0)                           LENGTH, 8-27 DESIGNATOR
     *  2-3 RELATIVE INITIATOR PORT IDENTIFIER      28-31 block device parameters: 28 PAD (bit 2),
     *                                                29-31 DISK BLOCK LENGTH
     * SPC-4 made LU ID TYPE ignored for this descriptor and NUL obsolete; the relative initiator
     * port only matters to Fibre Channel. Any other descriptor type is unsupported.
     */
    private static List<Cscd> parseCscds(byte[] list, int length) {
        if (length > MAX_CSCD_DESCRIPTORS * CSCD_LENGTH) {
            throw CheckCondition.of(SenseCode.TOO_MANY_TARGET_DESCRIPTORS);
        }
        List<Cscd> out = new ArrayList<>();
        for (int at = HEADER_LENGTH; at < HEADER_LENGTH + length; at += CSCD_LENGTH) {
            if ((list[at] & 0xFF) != IDENTIFICATION_CSCD) {
                throw CheckCondition.of(SenseCode.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
            }
            if (HEADER_LENGTH + length - at < CSCD_LENGTH) {
                throw invalidField(2, -1); // the list ends inside a descriptor
            }
            if ((list[at + 1] & 0x1F) != InquiryData.DIRECT_ACCESS_BLOCK_DEVICE) {
                throw invalidField(at + 1, 4);
            }
            int designatorLength = list[at + 7] & 0xFF;
            if (designatorLength > MAX_DESIGNATOR_LENGTH) {
                throw invalidField(at + 7, -1);
            }
            int blockLength = BigEndian.u24(list, at + 29);
            if (blockLength == 0) {
                throw invalidField(at + 29, -1);
            }
            out.add(new Cscd(at, list[at + 4] & 0x0F, (list[at + 5] >>> 4) & 0x03, list[at + 5] & 0x0F,
                    Arrays.copyOfRange(list, at + 8, at + 8 + designatorLength), blockLength));
        }
        return out;
    }

    /*
     * Block device to block device segment descriptor (02h), 28 bytes:
     *  0 DESCRIPTOR TYPE CODE (02h)   4-5 SOURCE CSCD DESCRIPTOR ID      10-11 BLOCK DEVICE NUMBER OF BLOCKS
     *  1 DC (bit 1) CAT (bit 0)       6-7 DESTINATION CSCD DESCRIPTOR ID 12-19 SOURCE BLOCK DEVICE LBA
     *  2-3 DESCRIPTOR LENGTH (0018h)  8-9 reserved                       20-27 DESTINATION BLOCK DEVICE LBA
     * DC says whose blocks NUMBER OF BLOCKS counts. CAT only matters for inexact segments, which a
     * copy of whole blocks never has.
     */
    private static List<Segment> parseSegments(byte[] list, int start, int length) {
        List<Segment> out = new ArrayList<>();
        int at = start;
        while (at < start + length) {
            if (out.size() == MAX_SEGMENT_DESCRIPTORS) {
                throw CheckCondition.of(SenseCode.TOO_MANY_SEGMENT_DESCRIPTORS);
            }
            if ((list[at] & 0xFF) != BLOCK_TO_BLOCK) {
                throw CheckCondition.of(SenseCode.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
            }
            if (start + length - at < BLOCK_TO_BLOCK_LENGTH) {
                throw invalidField(8, -1); // the list ends inside a descriptor
            }
            if (BigEndian.u16(list, at + 2) != BLOCK_TO_BLOCK_LENGTH - 4) {
                throw invalidField(at + 2, -1);
            }
            if ((list[at + 1] & 0xFC) != 0) {
                throw invalidField(at + 1, 7);
            }
            if (BigEndian.u16(list, at + 8) != 0) {
                throw invalidField(at + 8, -1);
            }
            out.add(new Segment(at, BigEndian.u16(list, at + 4), BigEndian.u16(list, at + 6),
                    (list[at + 1] & 0x02) != 0, BigEndian.u16(list, at + 10),
                    BigEndian.u64(list, at + 12), BigEndian.u64(list, at + 20)));
            at += BLOCK_TO_BLOCK_LENGTH;
        }
        return out;
    }

    /** Resolves and checks every segment, then copies them in order. */
    private static void run(Command cmd, List<Cscd> cscds, List<Segment> segments, CopyManager.Operation op) {
        List<LogicalUnit> sources = new ArrayList<>();
        List<LogicalUnit> destinations = new ArrayList<>();
        for (Segment s : segments) {
            LogicalUnit src = resolve(cmd, cscds, s.source());
            LogicalUnit dst = resolve(cmd, cscds, s.destination());
            long bytes = (long) s.blocks() * (s.destinationCount() ? dst.blockSize() : src.blockSize());
            if (bytes % src.blockSize() != 0 || bytes % dst.blockSize() != 0) {
                throw invalidField(s.offset() + 10, -1); // an inexact segment: no PAD or CAT data kept
            }
            if (!BlockRange.inside(s.sourceLba(), bytes / src.blockSize(), src.blockCount())
                    || !BlockRange.inside(s.destinationLba(), bytes / dst.blockSize(), dst.blockCount())) {
                // The copy target would refuse the range; the copy manager reports it as unusable.
                throw CheckCondition.of(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE);
            }
            if (cmd.target().writeProtected(cmd.nexus(), dst)) { // read-only unit, SWP, or a read-only LUN mapping
                throw CheckCondition.of(SenseCode.WRITE_PROTECTED);
            }
            checkReservations(cmd, src, false);
            checkReservations(cmd, dst, true);
            sources.add(src);
            destinations.add(dst);
        }
        ByteBuf buffer = segments.isEmpty() ? null : cmd.allocator().ioBuffer(CHUNK, CHUNK);
        try {
            long total = 0;
            for (int i = 0; i < segments.size(); i++) {
                Segment s = segments.get(i);
                LogicalUnit src = sources.get(i);
                LogicalUnit dst = destinations.get(i);
                long bytes = (long) s.blocks() * (s.destinationCount() ? dst.blockSize() : src.blockSize());
                total = copy(cmd, buffer, src, s.sourceLba(), dst, s.destinationLba(), bytes, op, i, total);
                op.progress(i + 1, total);
            }
        } finally {
            if (buffer != null) {
                buffer.release();
            }
        }
    }

    /**
     * A copy reads and writes other units than the one addressed: their reservations apply as if
     * the nexus sent READ(16) or WRITE(16) to them (the addressed unit already passed with
     * EXTENDED COPY, which conflicts like a write). A conflict ends the copy with RESERVATION
     * CONFLICT before any data moves.
     */
    private static void checkReservations(Command cmd, LogicalUnit unit, boolean write) {
        if (unit == cmd.unit()) {
            return;
        }
        byte[] cdb = new byte[16];
        cdb[0] = (byte) (write ? 0x8A : 0x88);
        CommandDescriptor d = cmd.target().commandTable().find(cdb);
        ReservationConflicts.check(d, cdb, unit, cmd.nexus());
    }

    /**
     * The unit a segment's CSCD descriptor ID names: an index into the CSCD list whose NAA
     * designator is that of a unit this nexus can see, with the unit's block length.
     */
    private static LogicalUnit resolve(Command cmd, List<Cscd> cscds, int id) {
        if (id >= cscds.size()) {
            throw CheckCondition.of(SenseCode.UNREACHABLE_COPY_TARGET);
        }
        Cscd c = cscds.get(id);
        boolean naa = c.codeSet() == 1 && c.association() == 0 && c.designatorType() == 3;
        LogicalUnit unit = naa ? cmd.target().unitByNaa(c.designator(), cmd.nexus()) : null;
        if (unit == null) {
            throw CheckCondition.of(SenseCode.UNREACHABLE_COPY_TARGET);
        }
        if (c.blockLength() != unit.blockSize()) {
            throw invalidField(c.offset() + 29, -1);
        }
        return unit;
    }

    /**
     * Copies {@code bytes} in chunks; backwards when the destination overlaps the source from
     * above, so no source block is overwritten before it is read.
     *
     * @return bytes transferred by the whole command so far
     */
    private static long copy(Command cmd, ByteBuf buffer, LogicalUnit src, long srcLba, LogicalUnit dst,
                             long dstLba, long bytes, CopyManager.Operation op, int segment, long before) {
        int sbs = src.blockSize();
        int dbs = dst.blockSize();
        long srcStart = srcLba * sbs;
        long dstStart = dstLba * dbs;
        boolean backwards = src == dst && dstStart > srcStart && dstStart < srcStart + bytes;
        long done = 0;
        while (done < bytes) {
            cmd.checkAborted();
            int n = (int) Math.min(CHUNK, bytes - done);
            long offset = backwards ? bytes - done - n : done;
            try {
                src.read((srcStart + offset) / sbs, buffer.nioBuffer(0, n));
                writeDestination(cmd, dst, (dstStart + offset) / dbs, buffer, n);
            } catch (CheckCondition e) {
                log.warn("lun {}: EXTENDED COPY segment {} from lun {} to lun {} failed: {}",
                        cmd.unit().lun(), segment, src.lun(), dst.lun(), e.getMessage());
                throw CheckCondition.of(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE);
            }
            done += n;
            op.progress(segment, before + done);
        }
        return before + bytes;
    }

    /**
     * One chunk's write to the destination, holding the destination's LBA range lock shared so a
     * COMPARE AND WRITE of an overlapping range never interleaves with it; the wait for the range
     * polls the copy's own task for task management.
     */
    private static void writeDestination(Command cmd, LogicalUnit dst, long lba, ByteBuf buffer, int n) {
        dst.write(cmd, lba, buffer.nioBuffer(0, n), false);
    }

    /*
     * RECEIVE COPY RESULTS (84h): 1 SERVICE ACTION, 2 LIST IDENTIFIER, 10-13 ALLOCATION LENGTH.
     * List identifiers are those of EXTENDED COPY commands with LIST ID USAGE 00b sent through the
     * same I_T nexus to the same unit; an unknown one is INVALID FIELD IN CDB.
     */
    private static ScsiResult receiveCopyResults(Command cmd, int serviceAction) {
        if (serviceAction == SA_OPERATING_PARAMETERS) {
            return cmd.dataIn(operatingParameters(cmd.unit()));
        }
        int listId = cmd.cdb()[2] & 0xFF;
        CopyManager copies = cmd.target().copyManager();
        CopyManager.Operation op = copies.find(cmd.nexus(), cmd.unit().lun(), listId);
        if (op == null || !op.held) {
            throw CheckCondition.invalidFieldInCdb(2, -1);
        }
        return switch (serviceAction) {
            case SA_COPY_STATUS -> cmd.dataIn(copyStatus(op));
            // Block to block segments never hold data: AVAILABLE DATA 0.
            case SA_RECEIVE_DATA -> cmd.dataIn(new byte[4]);
            default -> failedSegmentDetails(cmd, copies, op);
        };
    }

    /*
     * COPY STATUS parameter data, 12 bytes: 0-3 AVAILABLE DATA (8), 4 HDD (bit 7) | COPY MANAGER
     * STATUS, 5-6 SEGMENTS PROCESSED, 7 TRANSFER COUNT UNITS, 8-11 TRANSFER COUNT. The count is in
     * bytes, or in the smallest binary multiple (KiB, MiB, ...) that fits 32 bits.
     */
    private static byte[] copyStatus(CopyManager.Operation op) {
        byte[] b = new byte[12];
        BigEndian.put32(b, 0, 8);
        b[4] = (byte) op.status();
        BigEndian.put16(b, 5, Math.min(op.segmentsProcessed(), 0xFFFF));
        long count = op.bytesTransferred();
        int units = 0;
        while (count > 0xFFFF_FFFFL) {
            count >>>= 10;
            units++;
        }
        b[7] = (byte) units;
        BigEndian.put32(b, 8, count);
        return b;
    }

    /*
     * FAILED SEGMENT DETAILS parameter data: 0-3 AVAILABLE DATA (n-3), 4-55 reserved, 56 COPY
     * COMMAND STATUS, 57 reserved, 58-59 SENSE DATA LENGTH, 60.. SENSE DATA. AVAILABLE DATA 0 when
     * the copy did not fail. Delivered details are discarded, as is an allocation length of zero.
     */
    private static ScsiResult failedSegmentDetails(Command cmd, CopyManager copies, CopyManager.Operation op) {
        if (op.status() == CopyManager.IN_PROGRESS || !op.failureHeld()) {
            return cmd.dataIn(new byte[4]);
        }
        byte[] sense = op.failureSense();
        byte[] b = new byte[60 + sense.length];
        BigEndian.put32(b, 0, b.length - 4);
        b[56] = (byte) op.commandStatus();
        BigEndian.put16(b, 58, sense.length);
        System.arraycopy(sense, 0, b, 60, sense.length);
        if (cmd.transferLength() == 0 || cmd.transferLength() >= b.length) {
            copies.failureDelivered(op);
        }
        return cmd.dataIn(b);
    }

    /*
     * OPERATING PARAMETERS parameter data:
     *  0-3 AVAILABLE DATA (n-3)            20-23 MAXIMUM INLINE DATA LENGTH    36 MAXIMUM CONCURRENT COPIES
     *  4 SNLID (bit 0)                     24-27 HELD DATA LIMIT               37 DATA SEGMENT GRANULARITY (log2)
     *  8-9 MAXIMUM CSCD DESCRIPTOR COUNT   28-31 MAXIMUM STREAM DEVICE         38 INLINE DATA GRANULARITY (log2)
     *  10-11 MAXIMUM SEGMENT DESCRIPTOR          TRANSFER SIZE                 39 HELD DATA GRANULARITY (log2)
     *        COUNT                         34-35 TOTAL CONCURRENT COPIES       43 IMPLEMENTED DESCRIPTOR LIST LENGTH
     *  12-15 MAXIMUM DESCRIPTOR LIST LENGTH                                    44.. descriptor type codes
     *  16-19 MAXIMUM SEGMENT LENGTH
     * SNLID 1: LIST ID USAGE 11b is supported. No inline, held or stream data.
     */
    private static byte[] operatingParameters(LogicalUnit unit) {
        int[] codes = {BLOCK_TO_BLOCK, IDENTIFICATION_CSCD};
        byte[] b = new byte[44 + codes.length];
        BigEndian.put32(b, 0, b.length - 4);
        b[4] = 0x01;
        BigEndian.put16(b, 8, MAX_CSCD_DESCRIPTORS);
        BigEndian.put16(b, 10, MAX_SEGMENT_DESCRIPTORS);
        BigEndian.put32(b, 12, MAX_DESCRIPTOR_LIST_LENGTH);
        BigEndian.put32(b, 16, maxSegmentLength(unit));
        BigEndian.put16(b, 34, CopyManager.MAX_CONCURRENT_COPIES);
        b[36] = (byte) CopyManager.MAX_CONCURRENT_COPIES;
        b[37] = (byte) Integer.numberOfTrailingZeros(unit.blockSize());
        b[43] = (byte) codes.length;
        for (int i = 0; i < codes.length; i++) {
            b[44 + i] = (byte) codes[i];
        }
        return b;
    }

    /** The most one block to block segment moves: 65535 blocks (a 16-bit count) of this unit. */
    private static long maxSegmentLength(LogicalUnit unit) {
        return 0xFFFFL * unit.blockSize();
    }

    /*
     * VPD page 8Fh, Third-party Copy (SPC-5): third-party copy descriptors, each 0-1 DESCRIPTOR
     * TYPE, 2-3 DESCRIPTOR LENGTH (n-3), padded to a multiple of four bytes:
     *  0001h Supported Commands: 4 LIST LENGTH, then per command OPERATION CODE, SERVICE ACTION
     *        LIST LENGTH, SERVICE ACTIONs
     *  0004h Parameter Data: 8-9 MAXIMUM CSCD DESCRIPTOR COUNT, 10-11 MAXIMUM SEGMENT DESCRIPTOR
     *        COUNT, 12-15 MAXIMUM DESCRIPTOR LIST LENGTH, 16-19 MAXIMUM INLINE DATA LENGTH
     *  0008h Supported Descriptors: 4 LIST LENGTH, then descriptor type codes
     *  000Ch Supported CSCD Descriptor IDs: 4-5 LIST LENGTH (0: only list indices)
     *  8001h General Copy Operations: 4-7 TOTAL CONCURRENT COPIES, 8-11 MAXIMUM IDENTIFIED
     *        CONCURRENT COPIES, 12-15 MAXIMUM SEGMENT LENGTH, 16 DATA SEGMENT GRANULARITY (log2),
     *        17 INLINE DATA GRANULARITY (log2)
     */
    static byte[] thirdPartyCopyPage(LogicalUnit unit) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        byte[] commands = {(byte) 0x83, 1, 0x00,
                (byte) 0x84, 4, SA_COPY_STATUS, SA_RECEIVE_DATA, SA_OPERATING_PARAMETERS, SA_FAILED_SEGMENT_DETAILS};
        byte[] supported = new byte[1 + commands.length];
        supported[0] = (byte) commands.length;
        System.arraycopy(commands, 0, supported, 1, commands.length);
        descriptor(d, 0x0001, supported);

        byte[] parameters = new byte[28];
        BigEndian.put16(parameters, 4, MAX_CSCD_DESCRIPTORS);
        BigEndian.put16(parameters, 6, MAX_SEGMENT_DESCRIPTORS);
        BigEndian.put32(parameters, 8, MAX_DESCRIPTOR_LIST_LENGTH);
        descriptor(d, 0x0004, parameters);

        descriptor(d, 0x0008, new byte[] {2, BLOCK_TO_BLOCK, (byte) IDENTIFICATION_CSCD});
        descriptor(d, 0x000C, new byte[2]);

        byte[] general = new byte[32];
        BigEndian.put32(general, 0, CopyManager.MAX_CONCURRENT_COPIES);
        BigEndian.put32(general, 4, CopyManager.MAX_CONCURRENT_COPIES);
        BigEndian.put32(general, 8, maxSegmentLength(unit));
        general[12] = (byte) Integer.numberOfTrailingZeros(unit.blockSize());
        descriptor(d, 0x8001, general);

        byte[] body = d.toByteArray();
        byte[] b = new byte[4 + body.length];
        b[1] = (byte) 0x8F;
        BigEndian.put16(b, 2, body.length);
        System.arraycopy(body, 0, b, 4, body.length);
        return b;
    }

    private static void descriptor(ByteArrayOutputStream out, int type, byte[] content) {
        int padded = (4 + content.length + 3) & ~3;
        byte[] b = new byte[padded];
        BigEndian.put16(b, 0, type);
        BigEndian.put16(b, 2, padded - 4);
        System.arraycopy(content, 0, b, 4, content.length);
        out.writeBytes(b);
    }

    private static CheckCondition invalidField(int byteIndex, int bit) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameterList(byteIndex, bit)));
    }
}
