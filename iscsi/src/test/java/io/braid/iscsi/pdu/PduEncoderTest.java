package io.braid.iscsi.pdu;

import static io.braid.iscsi.pdu.PduAssert.assertPdu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.iscsi.pdu.GoldenPdus.Golden;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The outbound side: gathering writes without copying, digests, and field validation. */
class PduEncoderTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void noLeaks() {
        alloc.assertAllReleased();
    }

    private EmbeddedChannel channel(PduEncoder encoder) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(encoder);
        return ch;
    }

    private static List<ByteBuf> drain(EmbeddedChannel ch) {
        List<ByteBuf> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.add(b);
        }
        return out;
    }

    @Test
    void writesHeaderDataAndTrailerWithoutCopyingTheData() {
        PduEncoder encoder = new PduEncoder();
        EmbeddedChannel ch = channel(encoder);
        Golden golden = GoldenPdus.dataIn(); // 6 data bytes, so 2 bytes of padding
        Pdu pdu = golden.pdu().apply(alloc);
        ByteBuf data = pdu.data();

        ch.writeOutbound(pdu);

        List<ByteBuf> parts = drain(ch);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).readableBytes()).isEqualTo(48);
        assertThat(PduCodecGoldenTest.sharesMemory(parts.get(1), data)).isTrue();
        assertThat(ByteBufUtil.hexDump(parts.get(2))).isEqualTo("0000");
        assertThat(PduCodecGoldenTest.hex(new ArrayList<>(parts)))
                .isEqualTo(ByteBufUtil.hexDump(golden.wire()));
        // Until the transport has written the parts, the data is still referenced by them.
        assertThat(data.refCnt()).isEqualTo(1);
        parts.forEach(ByteBuf::release);
        assertThat(data.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void appendsDigestsOnceSwitchedOn() {
        PduEncoder encoder = new PduEncoder();
        EmbeddedChannel ch = channel(encoder);
        assertThat(encoder.headerDigest()).isFalse();
        assertThat(encoder.dataDigest()).isFalse();
        encoder.setHeaderDigest(true);
        encoder.setDataDigest(true);
        Golden golden = GoldenPdus.dataIn();

        ch.writeOutbound(golden.pdu().apply(alloc));

        List<ByteBuf> parts = drain(ch);
        assertThat(parts).hasSize(3);
        ByteBuf header = parts.get(0);
        assertThat(header.readableBytes()).isEqualTo(52);
        assertThat(header.getIntLE(48)).isEqualTo(Crc32c.compute(header, 0, 48));
        ByteBuf trailer = parts.get(2);
        assertThat(trailer.readableBytes()).isEqualTo(2 + 4);
        ByteBuf padded = alloc.wrap(java.util.Arrays.copyOfRange(golden.wire(), 48, 56));
        assertThat(trailer.getIntLE(2)).isEqualTo(Crc32c.compute(padded));
        padded.release();
        parts.forEach(ByteBuf::release);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void pduWithoutDataGetsNoDataDigest() {
        PduEncoder encoder = new PduEncoder();
        encoder.setHeaderDigest(true);
        encoder.setDataDigest(true);
        EmbeddedChannel ch = channel(encoder);

        ch.writeOutbound(GoldenPdus.readyToTransfer().pdu().apply(alloc));

        List<ByteBuf> parts = drain(ch);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).readableBytes()).isEqualTo(48 + 4);
        parts.forEach(ByteBuf::release);
        assertThat(ch.finish()).isFalse();
    }

    static List<Golden> goldens() {
        return GoldenPdus.all();
    }

    /** What one side's encoder writes, the other side's decoder reads back, with digests. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void encoderAndDecoderRoundTripWithDigests(Golden golden) {
        PduEncoder encoder = new PduEncoder();
        encoder.setHeaderDigest(true);
        encoder.setDataDigest(true);
        EmbeddedChannel sender = channel(encoder);
        PduFrameDecoder decoder = new PduFrameDecoder(golden.receiver());
        decoder.setHeaderDigest(true);
        decoder.setDataDigest(true);
        EmbeddedChannel receiver = new EmbeddedChannel();
        receiver.config().setAllocator(alloc);
        receiver.pipeline().addLast(decoder);

        sender.writeOutbound(golden.pdu().apply(alloc));
        for (ByteBuf part : drain(sender)) {
            receiver.writeInbound(part);
        }

        Pdu got = receiver.readInbound();
        Pdu want = golden.pdu().apply(alloc);
        assertPdu(got, want);
        got.release();
        want.release();
        Object rest = receiver.readInbound();
        assertThat(rest).isNull();
        assertThat(decoder.atPduBoundary()).isTrue();
        assertThat(sender.finish()).isFalse();
        assertThat(receiver.finish()).isFalse();
    }

    // ---------------------------------------------------------------- writer validation

    private void assertRefused(Pdu pdu, String message) {
        List<Object> out = new ArrayList<>();
        assertThatThrownBy(() -> PduWriter.write(pdu, alloc, true, true, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThat(out).isEmpty();
        pdu.release();
    }

    @Test
    void taskManagementFunctionBeyondSevenBitsIsRefused() {
        assertRefused(new TaskMgmtRequest(true, 0x80, 0, 1, 2, 3, 4, 5, 6),
                "TASK_MGMT_REQUEST function 128 out of range 0..127");
    }

    @Test
    void loginStageBeyondTwoBitsIsRefused() {
        assertRefused(new LoginRequest(true, false, 4, 3, 0, 0, 1, 0, 1, 0, 1, 1,
                Unpooled.EMPTY_BUFFER), "LOGIN_REQUEST csg 4 out of range 0..3");
    }

    @Test
    void isidBeyondFortyEightBitsIsRefused() {
        assertRefused(new LoginResponse(true, false, 1, 3, 0, 0, 1L << 48, 0, 1, 1, 1, 1, 0, 0,
                Unpooled.EMPTY_BUFFER), "LOGIN_RESPONSE isid 281474976710656 out of range"
                + " 0..281474976710655");
    }

    @Test
    void statusBeyondOneByteIsRefused() {
        assertRefused(new ScsiResponse(false, false, false, false, 0, 0x100, 1, 0, 1, 1, 1, 0, 0,
                0, Unpooled.EMPTY_BUFFER), "SCSI_RESPONSE byte 3 256 out of range 0..255");
    }

    @Test
    void snackTypeBeyondFourBitsIsRefused() {
        assertRefused(new Snack(16, 0, 1, 2, 3, 4, 5), "SNACK type 16 out of range 0..15");
    }

    @Test
    void cdbTooLongForTheAhsIsRefused() {
        assertRefused(new ScsiCommand(false, true, false, false, 1, 0, 1, 0, 1, 1, new byte[1033],
                -1, Unpooled.EMPTY_BUFFER), "SCSI_COMMAND cdb length 1033 needs 1024 AHS bytes;"
                + " at most 1020 fit");
    }

    @Test
    void longestCdbThatFitsIsWrittenAndReadBack() {
        byte[] cdb = new byte[1032];
        cdb[0] = (byte) 0x7f;
        cdb[1031] = 0x55;
        ScsiCommand command = new ScsiCommand(false, true, false, false, 1, 0, 1, 0, 1, 1, cdb,
                -1, Unpooled.EMPTY_BUFFER);
        List<Object> out = new ArrayList<>();
        PduWriter.write(command, alloc, false, false, out);
        ByteBuf wire = (ByteBuf) out.get(0);
        assertThat((int) wire.getUnsignedByte(4)).as("TotalAHSLength").isEqualTo(255);

        ScsiCommand read = (ScsiCommand) PduReader.read(wire.slice(0, 48),
                wire.slice(48, 1020), Unpooled.EMPTY_BUFFER);

        assertThat(read.cdb()).isEqualTo(cdb);
        wire.release();
    }

    @Test
    void dataSegmentBeyondTwentyFourBitsIsRefused() {
        ByteBuf huge = Unpooled.wrappedBuffer(new byte[1 << 24]);
        assertRefused(new Reject(9, 1, 1, 1, 0, huge),
                "REJECT DataSegmentLength 16777216 out of range 0..16777215");
        assertThat(huge.refCnt()).isZero();
    }
}
