package io.braid.iscsi.pdu;

import static io.braid.iscsi.pdu.PduAssert.assertPdu;
import static io.braid.iscsi.pdu.PduAssert.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.iscsi.pdu.GoldenPdus.Golden;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Framing under any fragmentation, digests, limits, and the two error scopes. */
class PduFrameDecoderTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void noLeaks() {
        alloc.assertAllReleased();
    }

    // ---------------------------------------------------------------- helpers

    private EmbeddedChannel channel(PduFrameDecoder decoder) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder);
        return ch;
    }

    private static List<Golden> receivedBy(Side side) {
        return GoldenPdus.all().stream().filter(g -> g.receiver() == side).toList();
    }

    /** The wire form of {@code goldens} as the writer frames them with these digests. */
    private byte[] wire(List<Golden> goldens, boolean headerDigest, boolean dataDigest) {
        List<Object> parts = new ArrayList<>();
        for (Golden g : goldens) {
            Pdu pdu = g.pdu().apply(alloc);
            PduWriter.write(pdu, alloc, headerDigest, dataDigest, parts);
            pdu.release();
        }
        byte[][] bytes = new byte[parts.size()][];
        for (int i = 0; i < parts.size(); i++) {
            ByteBuf part = (ByteBuf) parts.get(i);
            bytes[i] = ByteBufUtil.getBytes(part);
            part.release();
        }
        return concat(bytes);
    }

    /** Feeds {@code bytes} in chunks of the given sizes, cycling through them. */
    private void feed(EmbeddedChannel ch, byte[] bytes, int... chunkSizes) {
        int at = 0;
        for (int i = 0; at < bytes.length; i++) {
            int n = Math.min(chunkSizes[i % chunkSizes.length], bytes.length - at);
            ch.writeInbound(alloc.wrap(Arrays.copyOfRange(bytes, at, at + n)));
            at += n;
        }
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    private void assertDecodedEqual(List<Object> decoded, List<Golden> expected) {
        assertThat(decoded).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            Pdu want = expected.get(i).pdu().apply(alloc);
            assertThat(decoded.get(i)).isInstanceOf(Pdu.class);
            Pdu got = (Pdu) decoded.get(i);
            assertPdu(got, want);
            want.release();
            int refCnt = got.data().refCnt();
            got.release();
            if (got.data() != Unpooled.EMPTY_BUFFER) {
                // Slices share their parent's count: releasing the PDU gives back exactly one.
                assertThat(got.data().refCnt()).isEqualTo(refCnt - 1);
            }
        }
    }

    private static PduFrameDecoder decoder(Side side, boolean headerDigest, boolean dataDigest) {
        PduFrameDecoder d = new PduFrameDecoder(side);
        d.setHeaderDigest(headerDigest);
        d.setDataDigest(dataDigest);
        return d;
    }

    /** A 48-byte BHS with the given first bytes and ITT, every other field zero. */
    private static Wire bhs(int byte0, int byte1, int totalAhsWords, int dataSegmentLength,
                            int itt) {
        return new Wire()
                .u8(byte0)                // .|I| opcode
                .u8(byte1)                // flags
                .zeros(2)                 // opcode-specific
                .u8(totalAhsWords)        // TotalAHSLength
                .u24(dataSegmentLength)   // DataSegmentLength
                .zeros(8)                 // LUN
                .u32(itt)                 // Initiator Task Tag
                .zeros(28);               // opcode-specific
    }

    static Stream<Arguments> sidesAndDigests() {
        List<Arguments> args = new ArrayList<>();
        for (Side side : Side.values()) {
            for (boolean hd : new boolean[] {false, true}) {
                for (boolean dd : new boolean[] {false, true}) {
                    args.add(Arguments.of(side, hd, dd));
                }
            }
        }
        return args.stream();
    }

    // ---------------------------------------------------------------- fragmentation

    @ParameterizedTest(name = "{0} headerDigest={1} dataDigest={2}")
    @MethodSource("sidesAndDigests")
    void decodesEveryPduFedOneByteAtATime(Side side, boolean headerDigest, boolean dataDigest) {
        List<Golden> goldens = receivedBy(side);
        PduFrameDecoder decoder = decoder(side, headerDigest, dataDigest);
        EmbeddedChannel ch = channel(decoder);

        feed(ch, wire(goldens, headerDigest, dataDigest), 1);

        assertDecodedEqual(drain(ch), goldens);
        assertThat(decoder.atPduBoundary()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest(name = "{0} headerDigest={1} dataDigest={2}")
    @MethodSource("sidesAndDigests")
    void decodesEveryPduFedInUnevenChunks(Side side, boolean headerDigest, boolean dataDigest) {
        List<Golden> goldens = receivedBy(side);
        PduFrameDecoder decoder = decoder(side, headerDigest, dataDigest);
        EmbeddedChannel ch = channel(decoder);

        feed(ch, wire(goldens, headerDigest, dataDigest), 3, 47, 2, 49, 5, 101, 7, 13, 64);

        assertDecodedEqual(drain(ch), goldens);
        assertThat(decoder.atPduBoundary()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest(name = "{0} headerDigest={1} dataDigest={2}")
    @MethodSource("sidesAndDigests")
    void decodesManyPdusFromOneBuffer(Side side, boolean headerDigest, boolean dataDigest) {
        List<Golden> goldens = receivedBy(side);
        PduFrameDecoder decoder = decoder(side, headerDigest, dataDigest);
        EmbeddedChannel ch = channel(decoder);
        ByteBuf all = alloc.wrap(wire(goldens, headerDigest, dataDigest));

        ch.writeInbound(all);

        List<Object> decoded = drain(ch);
        // Each data segment is a retained view of the received buffer, not a copy.
        long withData = decoded.stream().filter(o -> ((Pdu) o).data().isReadable()).count();
        assertThat(withData).isPositive();
        assertThat(all.refCnt()).isEqualTo(withData);
        assertDecodedEqual(decoded, goldens);
        assertThat(all.refCnt()).isZero();
        assertThat(decoder.atPduBoundary()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void digestsSwitchedWhileHandlingAPduApplyFromTheNextPdu() {
        PduFrameDecoder decoder = PduFrameDecoder.forTarget();
        EmbeddedChannel ch = channel(decoder);
        // The engine's part: the final Login Request turns digests on, as after a Login Response.
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LoginRequest) {
                    decoder.setHeaderDigest(true);
                    decoder.setDataDigest(true);
                    decoder.setMaxRecvDataSegmentLength(65536);
                }
                ctx.fireChannelRead(msg);
            }
        });
        byte[] login = wire(List.of(GoldenPdus.loginRequest()), false, false);
        byte[] fullFeature = wire(List.of(GoldenPdus.nopOut(), GoldenPdus.dataOut()), true, true);

        ch.writeInbound(alloc.wrap(concat(login, fullFeature)));

        assertDecodedEqual(drain(ch), List.of(GoldenPdus.loginRequest(), GoldenPdus.nopOut(),
                GoldenPdus.dataOut()));
        assertThat(decoder.maxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void truncatedPduAtCloseLeaksNothing() {
        PduFrameDecoder decoder = PduFrameDecoder.forTarget();
        EmbeddedChannel ch = channel(decoder);
        byte[] command = wire(List.of(GoldenPdus.scsiCommandWithAhs()), false, false);

        // BHS and part of the AHS: the decoder holds a header buffer of its own by now.
        ch.writeInbound(alloc.wrap(Arrays.copyOf(command, 52)));

        assertThat(drain(ch)).isEmpty();
        assertThat(decoder.atPduBoundary()).isFalse();
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------- connection errors

    @Test
    void headerDigestMismatchClosesTheConnectionAndDiscardsTheRest() {
        PduFrameDecoder decoder = decoder(Side.TARGET, true, false);
        EmbeddedChannel ch = channel(decoder);
        byte[] bytes = wire(List.of(GoldenPdus.scsiCommandRead10()), true, false);
        int good = intLE(bytes, 48); // the digest follows the 48-byte BHS
        bytes[48] ^= 0x01; // corrupt the digest's first (least significant) byte
        int sent = good ^ 0x01;

        assertThatThrownBy(() -> ch.writeInbound(alloc.wrap(bytes)))
                .isInstanceOfSatisfying(IscsiProtocolException.class, e -> {
                    assertThat(e.closesConnection()).isTrue();
                    assertThat(e.scope()).isEqualTo(IscsiProtocolException.Scope.CONNECTION);
                })
                .hasMessage("HeaderDigest 0x%08x; expected CRC32C 0x%08x over the 48-byte header",
                        sent, good);

        // The stream position is lost: even a well-formed PDU after the error is not decoded.
        ch.writeInbound(alloc.wrap(wire(List.of(GoldenPdus.nopOut()), true, false)));
        assertThat(drain(ch)).isEmpty();
        ch.finishAndReleaseAll();
    }

    private static int intLE(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16
                | (b[at + 3] & 0xff) << 24;
    }

    @Test
    void dataSegmentLengthAboveTheLoginLimitFailsBeforeAnyAllocation() {
        PduFrameDecoder decoder = PduFrameDecoder.forTarget();
        EmbeddedChannel ch = channel(decoder);
        ByteBuf header = alloc.wrap(bhs(0x44, 0x80, 0, 8193, 1).toBytes());
        int before = alloc.allocations();

        assertThatThrownBy(() -> ch.writeInbound(header))
                .isInstanceOf(IscsiProtocolException.class)
                .hasMessage("DataSegmentLength 8193 of TEXT_REQUEST exceeds"
                        + " MaxRecvDataSegmentLength 8192");

        assertThat(alloc.allocations()).as("buffers allocated by the decoder").isEqualTo(before);
        assertThat(header.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void dataSegmentLengthAtTheLoginLimitIsAccepted() {
        EmbeddedChannel ch = channel(PduFrameDecoder.forTarget());
        byte[] text = new byte[8192];
        Arrays.fill(text, (byte) 'a');
        byte[] pdu = concat(new Wire()
                .u8(0x44).u8(0x80).zeros(2).u8(0).u24(8192)     // Text Request, 8192 bytes
                .zeros(8).u32(1).u32(0xffff_ffffL).u32(2).u32(3).zeros(16).toBytes(), text);

        feed(ch, pdu, 1000);

        List<Object> decoded = drain(ch);
        assertThat(decoded).hasSize(1);
        TextRequest req = (TextRequest) decoded.get(0);
        assertThat(req.data().readableBytes()).isEqualTo(8192);
        req.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void negotiatedMaxRecvDataSegmentLengthReplacesTheLoginLimit() {
        PduFrameDecoder decoder = PduFrameDecoder.forTarget();
        EmbeddedChannel ch = channel(decoder);
        decoder.setMaxRecvDataSegmentLength(512);

        assertThatThrownBy(() -> ch.writeInbound(alloc.wrap(bhs(0x05, 0x80, 0, 513, 1)
                .toBytes())))
                .isInstanceOf(IscsiProtocolException.class)
                .hasMessage("DataSegmentLength 513 of DATA_OUT exceeds MaxRecvDataSegmentLength"
                        + " 512");
        ch.finishAndReleaseAll();

        PduFrameDecoder larger = PduFrameDecoder.forTarget();
        larger.setMaxRecvDataSegmentLength(65536);
        EmbeddedChannel ch2 = channel(larger);
        feed(ch2, concat(bhs(0x05, 0x80, 0, 9000, 2).toBytes(), new byte[9000]), 4096);
        List<Object> decoded = drain(ch2);
        assertThat(decoded).hasSize(1);
        assertThat(((DataOut) decoded.get(0)).data().readableBytes()).isEqualTo(9000);
        ((Pdu) decoded.get(0)).release();
        assertThat(ch2.finish()).isFalse();
    }

    @Test
    void maxRecvDataSegmentLengthOutsideTheRfcRangeIsRefused() {
        PduFrameDecoder decoder = PduFrameDecoder.forInitiator();
        assertThatThrownBy(() -> decoder.setMaxRecvDataSegmentLength(511))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MaxRecvDataSegmentLength 511 out of range 512..16777215");
        assertThatThrownBy(() -> decoder.setMaxRecvDataSegmentLength(1 << 24))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(decoder.maxRecvDataSegmentLength()).isEqualTo(8192);
    }

    @Test
    void ahsOverrunningTotalAhsLengthClosesTheConnection() {
        EmbeddedChannel ch = channel(PduFrameDecoder.forTarget());
        byte[] pdu = concat(bhs(0x01, 0x80, 1, 0, 1).toBytes(), new Wire()
                .u16(9)                   // AHSLength 9: 12 bytes with its header...
                .u8(1)                    // AHSType: Extended CDB
                .u8(0)                    // reserved
                .toBytes());              // ...but TotalAHSLength is 1 word

        assertThatThrownBy(() -> ch.writeInbound(alloc.wrap(pdu)))
                .isInstanceOfSatisfying(IscsiProtocolException.class,
                        e -> assertThat(e.closesConnection()).isTrue())
                .hasMessage("AHSLength 9 at AHS offset 0 overruns TotalAHSLength 1 (4 bytes)");
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------- PDU errors: InvalidPdu

    private InvalidPdu decodeInvalid(PduFrameDecoder decoder, byte[] pdu) {
        EmbeddedChannel ch = channel(decoder);
        // A good PDU after the bad one proves that decoding goes on.
        Golden next = decoder.side() == Side.TARGET ? GoldenPdus.nopOut() : GoldenPdus.nopIn();
        byte[] follow = wire(List.of(next), decoder.headerDigest(), decoder.dataDigest());
        feed(ch, concat(pdu, follow), 1, 2, 3, 5, 8, 13);
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        assertDecodedEqual(out.subList(1, 2), List.of(next));
        assertThat(decoder.atPduBoundary()).isTrue();
        assertThat(ch.finish()).isFalse();
        InvalidPdu invalid = (InvalidPdu) out.get(0);
        // The header is the rejected PDU's BHS, ready to be the data of a Reject.
        assertThat(ByteBufUtil.hexDump(invalid.header()))
                .isEqualTo(ByteBufUtil.hexDump(pdu, 0, 48));
        assertThat(invalid.header().refCnt()).isEqualTo(1);
        return invalid;
    }

    @Test
    void unknownOpcodeBecomesInvalidPduCarryingItsHeader() {
        byte[] pdu = concat(bhs(0x07, 0x80, 0, 5, 0x77).toBytes(), GoldenPdus.ascii("hello"),
                new byte[3]);

        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(), pdu);

        assertThat(invalid.rejectReason()).isEqualTo(Reject.COMMAND_NOT_SUPPORTED);
        assertThat(invalid.opcodeValue()).isEqualTo(0x07);
        assertThat(invalid.itt()).isEqualTo(0x77);
        assertThat(invalid.message())
                .isEqualTo("Opcode 0x07 is not supported; expected one of RFC 7143 11.2.1.2");
        invalid.release();
        assertThat(invalid.header().refCnt()).isZero();
    }

    @Test
    void vendorOpcodeBecomesInvalidPdu() {
        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(),
                bhs(0x1c, 0x80, 0, 0, 0x1c1c).toBytes());
        assertThat(invalid.rejectReason()).isEqualTo(Reject.COMMAND_NOT_SUPPORTED);
        invalid.release();
    }

    @Test
    void targetRejectsAnOpcodeOnlyTargetsSend() {
        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(),
                wire(List.of(GoldenPdus.scsiResponse()), false, false));
        assertThat(invalid.rejectReason()).isEqualTo(Reject.PROTOCOL_ERROR);
        assertThat(invalid.message()).isEqualTo("Opcode 0x21 (SCSI_RESPONSE) is sent by a"
                + " target; expected an opcode sent by an initiator");
        invalid.release();
    }

    @Test
    void initiatorRejectsAnOpcodeOnlyInitiatorsSend() {
        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forInitiator(),
                wire(List.of(GoldenPdus.dataOut()), false, false));
        assertThat(invalid.rejectReason()).isEqualTo(Reject.PROTOCOL_ERROR);
        assertThat(invalid.message()).isEqualTo("Opcode 0x05 (DATA_OUT) is sent by an"
                + " initiator; expected an opcode sent by a target");
        invalid.release();
    }

    @Test
    void dataDigestMismatchBecomesInvalidPduAndDecodingGoesOn() {
        PduFrameDecoder decoder = decoder(Side.TARGET, true, true);
        byte[] pdu = wire(List.of(GoldenPdus.dataOut()), true, true);
        pdu[48 + 4 + 3] ^= 0x40; // flip a bit of the data segment, not of the digest

        InvalidPdu invalid = decodeInvalid(decoder, pdu);

        assertThat(invalid.rejectReason()).isEqualTo(Reject.DATA_DIGEST_ERROR);
        assertThat(invalid.itt()).isEqualTo(0x601);
        assertThat(invalid.message()).startsWith("DataDigest 0x").endsWith(
                " over the 8-byte data segment and padding");
        invalid.release();
    }

    // ---------------------------------------------------------------- policed fields

    static Stream<Golden> pdusWithoutDataSegment() {
        return Stream.of(GoldenPdus.taskMgmtRequest(), GoldenPdus.logoutRequest(),
                GoldenPdus.snack(), GoldenPdus.taskMgmtResponse(), GoldenPdus.logoutResponse(),
                GoldenPdus.readyToTransfer());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pdusWithoutDataSegment")
    void dataSegmentOnAPduThatHasNoneIsRejected(Golden golden) {
        byte[] pdu = concat(golden.wire(), GoldenPdus.ascii("junk"));
        pdu[7] = 4; // DataSegmentLength 4

        InvalidPdu invalid = decodeInvalid(new PduFrameDecoder(golden.receiver()), pdu);

        assertThat(invalid.rejectReason()).isEqualTo(Reject.INVALID_PDU_FIELD);
        Opcode opcode = Opcode.of(pdu[0] & 0x3f);
        assertThat(invalid.message()).isEqualTo("DataSegmentLength 4 of " + opcode
                + "; expected 0");
        invalid.release();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Opcode.class, names = {"SCSI_COMMAND"}, mode = EnumSource.Mode.EXCLUDE)
    void ahsOnAnyPduButScsiCommandIsRejected(Opcode opcode) {
        Side receiver = opcode.fromInitiator() ? Side.TARGET : Side.INITIATOR;
        byte[] pdu = concat(bhs(opcode.value(), 0x80, 1, 0, 9).toBytes(), new Wire()
                .u16(1).u8(60).u8(0)      // a 4-byte AHS of a non-iSCSI type
                .toBytes());

        InvalidPdu invalid = decodeInvalid(new PduFrameDecoder(receiver), pdu);

        assertThat(invalid.rejectReason()).isEqualTo(Reject.INVALID_PDU_FIELD);
        assertThat(invalid.message()).isEqualTo("TotalAHSLength 1 of " + opcode
                + "; expected 0 (only a SCSI Command carries AHS)");
        invalid.release();
    }

    @Test
    void scsiCommandWithFinalAndWriteBitsBothZeroIsRejected() {
        byte[] pdu = GoldenPdus.scsiCommandRead10().wire().clone();
        pdu[1] = 0x41; // F=0 R=1 W=0 ATTR=1

        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(), pdu);

        assertThat(invalid.rejectReason()).isEqualTo(Reject.INVALID_PDU_FIELD);
        assertThat(invalid.message())
                .isEqualTo("SCSI Command flags F=0 W=0; expected F=1 when no Data-Out follows");
        invalid.release();
    }

    private static byte[] scsiCommandWithAhs(byte[] ahs) {
        return concat(new Wire()
                .u8(0x01).u8(0xa1).zeros(2)           // SCSI Command, F=1 W=1, simple
                .u8(ahs.length / 4).u24(0)            // TotalAHSLength, no data
                .zeros(8).u32(0x55)                   // LUN 0, ITT
                .u32(512).u32(1).u32(1)               // EDTL, CmdSN, ExpStatSN
                .bytes(GoldenPdus.READ_10_CDB)        // CDB
                .toBytes(), ahs);
    }

    @Test
    void unknownAhsTypeIsRejected() {
        byte[] pdu = scsiCommandWithAhs(new Wire().u16(1).u8(3).u8(0).toBytes());

        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(), pdu);

        assertThat(invalid.rejectReason()).isEqualTo(Reject.INVALID_PDU_FIELD);
        assertThat(invalid.message()).isEqualTo("AHSType 3; expected 1 (Extended CDB) or 2"
                + " (Bidirectional Read Expected Data Transfer Length)");
        invalid.release();
    }

    @Test
    void extendedCdbAhsWithoutCdbBytesIsRejected() {
        byte[] pdu = scsiCommandWithAhs(new Wire().u16(1).u8(1).u8(0).toBytes());

        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(), pdu);

        assertThat(invalid.message()).isEqualTo("Extended CDB AHSLength 1; expected at least 2"
                + " (a CDB of 17 bytes or more)");
        invalid.release();
    }

    @Test
    void bidiReadLengthAhsOfTheWrongLengthIsRejected() {
        byte[] pdu = scsiCommandWithAhs(new Wire().u16(4).u8(2).u8(0).u32(7).toBytes());

        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(), pdu);

        assertThat(invalid.message()).isEqualTo("Bidirectional Read Expected Data Transfer"
                + " Length AHSLength 4; expected 5");
        invalid.release();
    }

    @Test
    void repeatedAhsTypeIsRejected() {
        byte[] bidi = new Wire().u16(5).u8(2).u8(0).u32(7).toBytes();
        byte[] pdu = scsiCommandWithAhs(concat(bidi, bidi));

        InvalidPdu invalid = decodeInvalid(PduFrameDecoder.forTarget(), pdu);

        assertThat(invalid.message()).isEqualTo("AHSType 2 appears twice; expected at most once");
        invalid.release();
    }
}
