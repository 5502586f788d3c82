package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.UnitFeature;
import io.braid.scsi.UnitStateStore;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** EXTENDED COPY (LID1), RECEIVE COPY RESULTS and the Third-party Copy VPD page, through the core. */
class ExtendedCopyTest {

    private final MemoryBlockDevice dev0 = new MemoryBlockDevice(512, 8192);
    private final MemoryBlockDevice dev1 = new MemoryBlockDevice(512, 4096);
    private final MemoryBlockDevice dev4k = new MemoryBlockDevice(4096, 1024);
    private final Harness h = new Harness(List.of(Harness.unit(0, dev0), Harness.unit(1, dev1),
            Harness.unit(2, dev4k)));

    /** An identification CSCD descriptor (E4h) naming {@code lun} by its NAA, as libiscsi builds it. */
    private byte[] cscd(int lun, int blockLength) {
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[4] = 0x01; // code set binary
        d[5] = 0x03; // association logical unit, designator type NAA
        d[7] = 8;
        System.arraycopy(h.target.unit(lun).naa(), 0, d, 8, 8);
        BigEndian.put16(d, 30, blockLength);
        d[29] = (byte) (blockLength >>> 16);
        return d;
    }

    private static byte[] segment(int src, int dst, int blocks, long srcLba, long dstLba) {
        byte[] s = new byte[28];
        s[0] = 0x02;
        BigEndian.put16(s, 2, 0x18);
        BigEndian.put16(s, 4, src);
        BigEndian.put16(s, 6, dst);
        BigEndian.put16(s, 10, blocks);
        BigEndian.put64(s, 12, srcLba);
        BigEndian.put64(s, 20, dstLba);
        return s;
    }

    /** A LID1 parameter list: header, CSCD descriptors, segment descriptors. */
    private static byte[] list(int listId, int usage, List<byte[]> cscds, List<byte[]> segments) {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        cscds.forEach(c::writeBytes);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        segments.forEach(s::writeBytes);
        byte[] h = new byte[16];
        h[0] = (byte) listId;
        h[1] = (byte) (usage << 3);
        BigEndian.put16(h, 2, c.size());
        BigEndian.put32(h, 8, s.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(h);
        all.writeBytes(c.toByteArray());
        all.writeBytes(s.toByteArray());
        return all.toByteArray();
    }

    private static byte[] xcopyCdb(int length) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x83;
        BigEndian.put32(cdb, 10, length);
        return cdb;
    }

    private Harness.Reply xcopy(Nexus nexus, int lun, byte[] parameters) {
        return h.run(nexus, lun, xcopyCdb(parameters.length), Unpooled.wrappedBuffer(parameters), TaskAttribute.SIMPLE);
    }

    private Harness.Reply xcopy(int lun, byte[] parameters) {
        return xcopy(NEXUS_A, lun, parameters);
    }

    private static byte[] rcrCdb(int serviceAction, int listId, int allocation) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x84;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) listId;
        BigEndian.put32(cdb, 10, allocation);
        return cdb;
    }

    private Harness.Reply rcr(Nexus nexus, int lun, int serviceAction, int listId) {
        return h.run(nexus, lun, rcrCdb(serviceAction, listId, 1024), null, TaskAttribute.SIMPLE);
    }

    private void write(MemoryBlockDevice dev, long lba, byte[] data) throws IOException {
        dev.write(lba * dev.blockSize(), java.nio.ByteBuffer.wrap(data), false);
    }

    @Test
    void copiesWithinAUnit() throws IOException {
        byte[] pattern = Cdbs.pattern(2048 * 512, 7);
        write(dev0, 0, pattern);
        Harness.Reply r = xcopy(0, list(1, 0b10, List.of(cscd(0, 512)), List.of(segment(0, 0, 2048, 0, 8192 - 2048))));
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(dev0.content(8192 - 2048, 2048)).isEqualTo(pattern);
    }

    @Test
    void copiesBetweenUnitsOfTheTarget() throws IOException {
        byte[] pattern = Cdbs.pattern(100 * 512, 3);
        write(dev0, 10, pattern);
        Harness.Reply r = xcopy(1, list(0, 0b11, List.of(cscd(0, 512), cscd(1, 512)),
                List.of(segment(0, 1, 100, 10, 3900))));
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(dev1.content(3900, 100)).isEqualTo(pattern);
        assertThat(dev0.content(3900, 100)).as("source unit untouched beyond").isEqualTo(new byte[100 * 512]);
    }

    @Test
    void copiesBetweenBlockSizesCountingBlocksOfEitherSide() throws IOException {
        byte[] pattern = Cdbs.pattern(16 * 512, 5);
        write(dev0, 0, pattern);
        // DC 0: 16 source blocks of 512 = 2 destination blocks of 4096.
        assertThat(xcopy(2, list(0, 0b11, List.of(cscd(0, 512), cscd(2, 4096)),
                List.of(segment(0, 1, 16, 0, 3)))).status()).isZero();
        assertThat(dev4k.content(3, 2)).isEqualTo(pattern);
        // DC 1: 8 destination blocks of 512 = 1 source block of 4096.
        byte[] dc = segment(1, 0, 8, 3, 100);
        dc[1] = 0x02;
        assertThat(xcopy(2, list(0, 0b11, List.of(cscd(0, 512), cscd(2, 4096)), List.of(dc))).status()).isZero();
        assertThat(dev0.content(100, 8)).isEqualTo(Arrays.copyOf(pattern, 4096));
        // 3 source blocks are not a whole 4096-byte block: an inexact segment.
        Harness.Reply inexact = xcopy(2, list(0, 0b11, List.of(cscd(0, 512), cscd(2, 4096)),
                List.of(segment(0, 1, 3, 0, 0))));
        assertParameterListField(inexact, 0x26, 0x00, 16 + 64 + 10);
    }

    @Test
    void overlappingRangesCopyLikeMemmove() throws IOException {
        byte[] pattern = Cdbs.pattern(4096 * 512, 11);
        write(dev0, 0, pattern);
        // Destination above the source and overlapping: must copy backwards (chunks of 1 MiB = 2048 blocks).
        assertThat(xcopy(0, list(0, 0b11, List.of(cscd(0, 512)), List.of(segment(0, 0, 4096, 0, 1000)))).status()).isZero();
        assertThat(dev0.content(1000, 4096)).isEqualTo(pattern);
        // And below it: forwards.
        assertThat(xcopy(0, list(0, 0b11, List.of(cscd(0, 512)), List.of(segment(0, 0, 4096, 1000, 10)))).status()).isZero();
        assertThat(dev0.content(10, 4096)).isEqualTo(pattern);
    }

    @Test
    void severalSegmentsInOrder() throws IOException {
        write(dev0, 0, Cdbs.pattern(512, 1));
        Harness.Reply r = xcopy(0, list(0, 0b11, List.of(cscd(0, 512), cscd(1, 512)),
                List.of(segment(0, 1, 1, 0, 5), segment(1, 0, 1, 5, 7))));
        assertThat(r.status()).isZero();
        assertThat(dev0.content(7, 1)).isEqualTo(Cdbs.pattern(512, 1));
    }

    @Test
    void emptyParameterListAndNoSegmentsAreGood() {
        assertThat(h.run(NEXUS_A, 0, xcopyCdb(0), null, TaskAttribute.SIMPLE).status()).isZero();
        assertThat(xcopy(0, list(0, 0b11, List.of(cscd(0, 512)), List.of())).status()).isZero();
    }

    @Test
    void parameterListLengthErrors() {
        byte[] full = list(1, 0, List.of(cscd(0, 512)), List.of(segment(0, 0, 8, 0, 100)));
        // libiscsi ParamHdr: the CDB's length truncates the CSCD descriptor, then the segment.
        assertCheckCondition(h.run(NEXUS_A, 0, xcopyCdb(16 + 31), Unpooled.wrappedBuffer(full, 0, 16 + 31),
                TaskAttribute.SIMPLE), 0x5, 0x1A, 0x00);
        assertCheckCondition(h.run(NEXUS_A, 0, xcopyCdb(full.length - 1), Unpooled.wrappedBuffer(full, 0, full.length - 1),
                TaskAttribute.SIMPLE), 0x5, 0x1A, 0x00);
        assertCheckCondition(h.run(NEXUS_A, 0, xcopyCdb(10), Unpooled.wrappedBuffer(full, 0, 10),
                TaskAttribute.SIMPLE), 0x5, 0x1A, 0x00);
        // Inline data is beyond MAXIMUM INLINE DATA LENGTH (0).
        byte[] inline = Arrays.copyOf(full, full.length + 4);
        BigEndian.put32(inline, 12, 4);
        assertCheckCondition(xcopy(0, inline), 0x5, 0x1A, 0x00);
    }

    @Test
    void descriptorLimitsFromOperatingParameters() {
        Harness.Reply op = rcr(NEXUS_A, 0, 0x03, 0);
        int maxCscd = BigEndian.u16(op.data(), 8);
        int maxSegments = BigEndian.u16(op.data(), 10);
        long maxList = BigEndian.u32(op.data(), 12);
        List<byte[]> tooManyCscds = java.util.Collections.nCopies(maxCscd + 1, cscd(0, 512));
        assertCheckCondition(xcopy(0, list(1, 0, tooManyCscds, List.of(segment(0, 0, 1, 0, 1)))), 0x5, 0x26, 0x06);
        List<byte[]> tooManySegments = java.util.Collections.nCopies(maxSegments + 1, segment(0, 0, 1, 0, 1));
        assertCheckCondition(xcopy(0, list(2, 0, List.of(cscd(0, 512)), tooManySegments)), 0x5, 0x26, 0x08);
        // libiscsi DescrLimits: more than MAXIMUM DESCRIPTOR LIST LENGTH is a length error, before counts.
        int segments = (int) ((maxList + 28 - (maxCscd + 1) * 32L) / 28) + 1;
        assertCheckCondition(xcopy(0, list(3, 0, tooManyCscds,
                java.util.Collections.nCopies(segments, segment(0, 0, 1, 0, 1)))), 0x5, 0x1A, 0x00);
    }

    @Test
    void unsupportedDescriptorTypes() {
        byte[] fc = cscd(0, 512);
        fc[0] = (byte) 0xE0; // Fibre Channel N_Port_Name
        assertCheckCondition(xcopy(0, list(1, 0, List.of(fc), List.of(segment(0, 0, 1, 0, 1)))), 0x5, 0x26, 0x07);
        byte[] streamToStream = new byte[20];
        streamToStream[0] = 0x03;
        BigEndian.put16(streamToStream, 2, 0x10);
        assertCheckCondition(xcopy(0, list(1, 0, List.of(cscd(0, 512)), List.of(streamToStream))), 0x5, 0x26, 0x09);
    }

    @Test
    void luIdTypeAndNulAreIgnored() {
        byte[] c = cscd(0, 512);
        c[1] = (byte) 0xE0; // LU ID TYPE 11b, NUL 1
        assertThat(xcopy(0, list(1, 0, List.of(c), List.of(segment(0, 0, 1, 0, 1)))).status()).isZero();
    }

    @Test
    void segmentsThatCannotBeCopiedAbortTheCopyBeforeAnyDataMoves() throws IOException {
        write(dev0, 0, Cdbs.pattern(512, 9));
        // Destination CSCD index 1 with one descriptor.
        assertCheckCondition(xcopy(0, list(1, 0, List.of(cscd(0, 512)), List.of(segment(0, 1, 8, 0, 100)))),
                0xA, 0x08, 0x04);
        // Beyond the end of the destination; the first, valid segment is not copied either.
        Harness.Reply r = xcopy(0, list(1, 0, List.of(cscd(0, 512)),
                List.of(segment(0, 0, 1, 0, 50), segment(0, 0, 2048, 0, 8191))));
        assertCheckCondition(r, 0xA, 0x0D, 0x02);
        assertThat(dev0.content(50, 1)).isEqualTo(new byte[512]);
        // A designator no unit has.
        byte[] unknown = cscd(0, 512);
        unknown[15] ^= 0x01;
        assertCheckCondition(xcopy(0, list(1, 0, List.of(unknown), List.of(segment(0, 0, 1, 0, 1)))), 0xA, 0x08, 0x04);
    }

    @Test
    void wrongDiskBlockLengthIsAnInvalidField() {
        Harness.Reply r = xcopy(0, list(1, 0, List.of(cscd(0, 4096)), List.of(segment(0, 0, 1, 0, 1))));
        assertParameterListField(r, 0x26, 0x00, 16 + 29);
    }

    @Test
    void listIdUsageAndReservedFields() {
        byte[] reservedUsage = list(1, 0b01, List.of(cscd(0, 512)), List.of(segment(0, 0, 1, 0, 1)));
        assertParameterListField(xcopy(0, reservedUsage), 0x26, 0x00, 1);
        byte[] reserved = list(1, 0, List.of(cscd(0, 512)), List.of(segment(0, 0, 1, 0, 1)));
        reserved[5] = 1;
        assertParameterListField(xcopy(0, reserved), 0x26, 0x00, 4);
    }

    @Test
    void aWriteProtectedDestinationIsDataProtect() {
        Harness ro = new Harness(List.of(Harness.unit(0, dev0), Harness.readOnlyUnit(1, dev1)));
        byte[] c1 = new byte[32];
        System.arraycopy(cscd(0, 512), 0, c1, 0, 32);
        System.arraycopy(ro.target.unit(1).naa(), 0, c1, 8, 8);
        byte[] parameters = list(0, 0b11, List.of(cscd(0, 512), c1), List.of(segment(0, 1, 1, 0, 0)));
        Harness.Reply r = ro.run(NEXUS_A, 0, xcopyCdb(parameters.length), Unpooled.wrappedBuffer(parameters),
                TaskAttribute.SIMPLE);
        assertCheckCondition(r, 0x7, 0x27, 0x00);
    }

    /** PERSISTENT RESERVE OUT with a basic parameter list, sent to {@code lun}. */
    private Harness.Reply prOut(Nexus nexus, int lun, int sa, int type, long key, long saKey) {
        byte[] list = new byte[24];
        BigEndian.put64(list, 0, key);
        BigEndian.put64(list, 8, saKey);
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) sa;
        cdb[2] = (byte) type;
        BigEndian.put32(cdb, 5, list.length);
        return h.run(nexus, lun, cdb, Unpooled.wrappedBuffer(list), TaskAttribute.SIMPLE);
    }

    @Test
    void reservationsOfTheOtherUnitsApply() throws IOException {
        write(dev0, 0, Cdbs.pattern(512, 4));
        // NEXUS_B holds Write Exclusive on unit 1: NEXUS_A may read it but not write it.
        assertThat(prOut(NEXUS_B, 1, 0x06, 0, 0, 0xB0B).status()).isZero();
        assertThat(prOut(NEXUS_B, 1, 0x01, 1, 0xB0B, 0).status()).isZero();
        Harness.Reply into = xcopy(0, list(5, 0b00, List.of(cscd(0, 512), cscd(1, 512)),
                List.of(segment(0, 1, 1, 0, 0))));
        assertThat(into.status()).isEqualTo(ScsiResult.RESERVATION_CONFLICT);
        assertThat(dev1.content(0, 1)).isEqualTo(new byte[512]);
        Harness.Reply details = rcr(NEXUS_A, 0, 0x04, 5);
        assertThat(details.data()[56]).as("RESERVATION CONFLICT").isEqualTo((byte) 0x18);
        assertThat(BigEndian.u16(details.data(), 58)).as("no sense").isZero();
        // Reading from it is allowed under Write Exclusive; the holder may write it.
        assertThat(xcopy(0, list(0, 0b11, List.of(cscd(1, 512), cscd(0, 512)),
                List.of(segment(0, 1, 1, 0, 9)))).status()).isZero();
        assertThat(xcopy(NEXUS_B, 0, list(0, 0b11, List.of(cscd(0, 512), cscd(1, 512)),
                List.of(segment(0, 1, 1, 0, 0)))).status()).isZero();
        assertThat(dev1.content(0, 1)).isEqualTo(Cdbs.pattern(512, 4));
    }

    @Test
    void copyTargetsAreOnlyUnitsTheNexusCanSee() {
        // A unit of another target with the same volume id is not reachable from this one.
        Harness other = new Harness(List.of(Harness.unit(5, new MemoryBlockDevice(512, 100))));
        byte[] foreign = cscd(0, 512);
        System.arraycopy(other.target.unit(5).naa(), 0, foreign, 8, 8);
        assertCheckCondition(xcopy(0, list(0, 0b11, List.of(cscd(0, 512), foreign),
                List.of(segment(0, 1, 1, 0, 0)))), 0xA, 0x08, 0x04);
    }

    @Test
    void copyStatusIsHeldPerNexusAndUnitForListIdUsage00() throws IOException {
        assertInvalidFieldInCdb(rcr(NEXUS_A, 0, 0x00, 1), 2, -1);
        write(dev0, 0, Cdbs.pattern(8 * 512, 2));
        assertThat(xcopy(0, list(1, 0b00, List.of(cscd(0, 512)), List.of(segment(0, 0, 8, 0, 100),
                segment(0, 0, 8, 0, 200)))).status()).isZero();
        Harness.Reply status = rcr(NEXUS_A, 0, 0x00, 1);
        assertThat(status.status()).isZero();
        // AVAILABLE DATA 8, completed without errors, 2 segments, 8192 bytes.
        assertThat(HexFormat.of().formatHex(status.data())).isEqualTo("00000008" + "01" + "0002" + "00" + "00002000");
        assertInvalidFieldInCdb(rcr(NEXUS_B, 0, 0x00, 1), 2, -1);
        assertInvalidFieldInCdb(rcr(NEXUS_A, 1, 0x00, 1), 2, -1);
        assertThat(HexFormat.of().formatHex(rcr(NEXUS_A, 0, 0x01, 1).data())).as("RECEIVE DATA: nothing held")
                .isEqualTo("00000000");
        assertThat(HexFormat.of().formatHex(rcr(NEXUS_A, 0, 0x04, 1).data())).as("no failed segment")
                .isEqualTo("00000000");
        // LIST ID USAGE 10b: not held.
        assertThat(xcopy(0, list(2, 0b10, List.of(cscd(0, 512)), List.of(segment(0, 0, 8, 0, 100)))).status()).isZero();
        assertInvalidFieldInCdb(rcr(NEXUS_A, 0, 0x00, 2), 2, -1);
        // Gone with the nexus.
        h.target.nexusRemoved(NEXUS_A);
        assertInvalidFieldInCdb(rcr(NEXUS_A, 0, 0x00, 1), 2, -1);
    }

    @Test
    void failedSegmentDetailsCarryTheSenseOnce() {
        Harness.Reply failed = xcopy(0, list(7, 0b00, List.of(cscd(0, 512)), List.of(segment(0, 3, 1, 0, 1))));
        assertCheckCondition(failed, 0xA, 0x08, 0x04);
        Harness.Reply status = rcr(NEXUS_A, 0, 0x00, 7);
        assertThat(status.data()[4]).as("completed with errors").isEqualTo((byte) 0x02);
        Harness.Reply details = rcr(NEXUS_A, 0, 0x04, 7);
        assertThat(BigEndian.u32(details.data(), 0)).isEqualTo(60 + 18 - 4);
        assertThat(details.data()[56]).as("CHECK CONDITION").isEqualTo((byte) 0x02);
        assertThat(BigEndian.u16(details.data(), 58)).isEqualTo(18);
        assertThat(Arrays.copyOfRange(details.data(), 60, 78)).isEqualTo(failed.sense());
        assertThat(HexFormat.of().formatHex(rcr(NEXUS_A, 0, 0x04, 7).data())).as("delivered, discarded")
                .isEqualTo("00000000");
    }

    @Test
    void operatingParameters() {
        Harness.Reply r = rcr(NEXUS_A, 0, 0x03, 0);
        byte[] d = r.data();
        assertThat(d).hasSize(46);
        assertThat(BigEndian.u32(d, 0)).isEqualTo(42);
        assertThat(d[4]).as("SNLID").isEqualTo((byte) 1);
        assertThat(BigEndian.u16(d, 8)).isEqualTo(ExtendedCopyCommands.MAX_CSCD_DESCRIPTORS);
        assertThat(BigEndian.u16(d, 10)).isEqualTo(ExtendedCopyCommands.MAX_SEGMENT_DESCRIPTORS);
        assertThat(BigEndian.u32(d, 12)).isEqualTo(ExtendedCopyCommands.MAX_DESCRIPTOR_LIST_LENGTH);
        assertThat(BigEndian.u32(d, 16)).isEqualTo(0xFFFFL * 512);
        assertThat(d[37]).as("data segment granularity 2^9").isEqualTo((byte) 9);
        assertThat(HexFormat.of().formatHex(d, 43, 46)).isEqualTo("0202e4");
    }

    @Test
    void thirdPartyCopyVpdPage() {
        Harness.Reply r = h.run(0, "12 01 8f 00 ff 00");
        assertThat(r.status()).isZero();
        String hex = HexFormat.of().formatHex(r.data());
        assertThat(hex).startsWith("008f");
        assertThat(BigEndian.u16(r.data(), 2)).isEqualTo(r.data().length - 4);
        // Supported Commands: 83h/00h and 84h/00h,01h,03h,04h, padded to 16 bytes.
        assertThat(hex.substring(8, 40)).isEqualTo("0001000c" + "09" + "830100" + "84040001030400" + "00");
        // Parameter Data: 8 CSCDs, 32 segments, 2048 bytes of descriptors, no inline data.
        assertThat(hex.substring(40, 104)).isEqualTo("0004001c" + "00000000" + "0008" + "0020" + "00000800"
                + "00000000" + "00".repeat(12));
        // Supported Descriptors 02h, E4h; Supported CSCD IDs: none.
        assertThat(hex.substring(104, 136)).isEqualTo("00080004" + "0202e400" + "000c0004" + "00000000");
        assertThat(hex.substring(136, 144)).isEqualTo("80010020");
    }

    @Test
    void switchedOffFeatureIsNeitherAdvertisedNorAccepted() {
        LogicalUnitSpec off = new LogicalUnitSpec(0, "v0", Harness.uuid(0), dev0, false, UnitStateStore.inMemory(),
                EnumSet.complementOf(EnumSet.of(UnitFeature.EXTENDED_COPY)));
        Harness plain = new Harness(List.of(off));
        byte[] parameters = list(0, 0b11, List.of(cscd(0, 512)), List.of(segment(0, 0, 1, 0, 1)));
        assertCheckCondition(plain.run(NEXUS_A, 0, xcopyCdb(parameters.length), Unpooled.wrappedBuffer(parameters),
                TaskAttribute.SIMPLE), 0x5, 0x20, 0x00);
        assertCheckCondition(plain.run(0, rcrCdb(0x03, 0, 1024)), 0x5, 0x20, 0x00);
        assertThat(plain.run(0, "12 00 00 00 60 00").data()[5] & 0x08).as("no 3PC").isZero();
        assertThat(HexFormat.of().formatHex(plain.run(0, "12 01 00 00 ff 00").data())).doesNotContain("8f");
        assertInvalidFieldInCdb(plain.run(0, "12 01 8f 00 ff 00"), 2, 7);
        byte[] all = plain.run(0, "a3 0c 00 00 00 00 00 00 ff ff 00 00").data();
        for (int p = 4; p < all.length; p += 8) {
            assertThat(all[p] & 0xFF).isNotIn(0x83, 0x84);
        }
        assertThat(HexFormat.of().formatHex(plain.run(0, "a3 0c 03 84 00 03 00 00 ff ff 00 00").data()))
                .as("one command: not supported").isEqualTo("00010000");
        // With the feature on, both are listed.
        byte[] on = h.run(0, "a3 0c 00 00 00 00 00 00 ff ff 00 00").data();
        assertThat(HexFormat.of().formatHex(on)).contains("83000000000100").contains("84000003000100");
    }

    @Test
    void abortStopsTheCopyBetweenChunks() throws Exception {
        MemoryBlockDevice slow = new MemoryBlockDevice(512, 16384);
        Harness t = new Harness(List.of(Harness.unit(0, slow)));
        java.util.concurrent.CountDownLatch gate = slow.holdReads();
        byte[] c = new byte[32];
        c[0] = (byte) 0xE4;
        c[4] = 1;
        c[5] = 3;
        c[7] = 8;
        System.arraycopy(t.target.unit(0).naa(), 0, c, 8, 8);
        BigEndian.put16(c, 30, 512);
        byte[] parameters = list(0, 0b11, List.of(c), List.of(segment(0, 0, 8192, 0, 8192)));
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var result = pool.submit(() -> t.execute(NEXUS_A, 0, xcopyCdb(parameters.length),
                    Unpooled.wrappedBuffer(parameters), TaskAttribute.SIMPLE, 99));
            slow.awaitReadEntered();
            Thread aborter = new Thread(() -> t.target.manageTask(NEXUS_A,
                    io.braid.scsi.TaskManagementFunction.ABORT_TASK, Lun.encode(0), 99));
            aborter.start();
            // QUERY TASK stops finding the task once the abort has marked it.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (t.target.manageTask(NEXUS_A, io.braid.scsi.TaskManagementFunction.QUERY_TASK, Lun.encode(0), 99)
                    == io.braid.scsi.TaskManagementResponse.FUNCTION_SUCCEEDED && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gate.countDown();
            aborter.join(10_000);
            ScsiResult r = result.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(ScsiResult.TASK_ABORTED);
            long writes = slow.ops().stream().filter(o -> o.kind().equals("write")).count();
            assertThat(writes).as("stopped after the chunk in flight").isLessThanOrEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertParameterListField(Harness.Reply r, int asc, int ascq, int byteIndex) {
        assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(r.senseKey()).isEqualTo(0x5);
        assertThat(r.asc()).isEqualTo(asc);
        assertThat(r.ascq()).isEqualTo(ascq);
        assertThat(r.sense()[15] & 0xC0).as("SKSV, parameter list").isEqualTo(0x80);
        assertThat(BigEndian.u16(r.sense(), 16)).as("field pointer").isEqualTo(byteIndex);
    }
}
