package io.braid.iscsi.pdu;

import static io.braid.iscsi.pdu.PduAssert.assertPdu;
import static org.assertj.core.api.Assertions.assertThat;

import io.braid.iscsi.pdu.GoldenPdus.Golden;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden vectors: the writer produces them byte for byte, the reader reads them back equal. */
class PduCodecGoldenTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void noLeaks() {
        alloc.assertAllReleased();
    }

    static List<Golden> goldens() {
        return GoldenPdus.all();
    }

    @Test
    void everyOpcodeHasAGoldenVector() {
        Set<Opcode> covered = GoldenPdus.all().stream()
                .map(g -> {
                    Pdu pdu = g.pdu().apply(new TrackingAllocator());
                    pdu.release();
                    return pdu.opcode();
                })
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Opcode.class)));
        assertThat(covered).containsExactlyInAnyOrder(Opcode.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void writerProducesTheGoldenBytes(Golden golden) {
        Pdu pdu = golden.pdu().apply(alloc);
        List<Object> out = new ArrayList<>();
        PduWriter.write(pdu, alloc, false, false, out);

        assertThat(hex(out)).isEqualTo(ByteBufUtil.hexDump(golden.wire()));
        if (pdu.data().isReadable()) {
            // The data segment goes out as a slice of the PDU's own buffer: no copy.
            ByteBuf dataPart = (ByteBuf) out.get(1);
            assertThat(sharesMemory(dataPart, pdu.data())).isTrue();
            assertThat(pdu.data().refCnt()).isEqualTo(2);
        }
        release(out);
        pdu.release();
        assertThat(pdu.data().refCnt()).isLessThanOrEqualTo(1); // 1 only for EMPTY_BUFFER
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void readerReadsTheGoldenBytesBack(Golden golden) {
        ByteBuf wire = alloc.wrap(golden.wire());
        int ahsLength = wire.getUnsignedByte(4) * 4;
        int dataLength = wire.getUnsignedMedium(5);
        ByteBuf data = wire.retainedSlice(48 + ahsLength, dataLength);

        Pdu read = PduReader.read(wire.slice(0, 48), wire.slice(48, ahsLength), data);

        Pdu expected = golden.pdu().apply(alloc);
        assertPdu(read, expected);
        if (read.data() != Unpooled.EMPTY_BUFFER) {
            assertThat(read.data().refCnt()).as("data is a retained view of the wire").isEqualTo(2);
        }
        expected.release();
        read.release();
        wire.release();
        assertThat(wire.refCnt()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void writeHeaderWritesBhsAndAhsOnly(Golden golden) {
        Pdu pdu = golden.pdu().apply(alloc);
        ByteBuf header = alloc.buffer(48);
        PduWriter.writeHeader(pdu, header);
        int headerLength = 48 + golden.wire()[4] * 4;
        assertThat(ByteBufUtil.hexDump(header))
                .isEqualTo(ByteBufUtil.hexDump(golden.wire(), 0, headerLength));
        header.release();
        pdu.release();
    }

    /** Whether {@code a} is a view of {@code b}: a write through b shows in a. */
    static boolean sharesMemory(ByteBuf a, ByteBuf b) {
        byte before = b.getByte(b.readerIndex());
        b.setByte(b.readerIndex(), before ^ 0x5a);
        boolean shared = a.getByte(a.readerIndex()) == (byte) (before ^ 0x5a);
        b.setByte(b.readerIndex(), before);
        return shared;
    }

    static String hex(List<Object> parts) {
        StringBuilder sb = new StringBuilder();
        for (Object part : parts) {
            sb.append(ByteBufUtil.hexDump((ByteBuf) part));
        }
        return sb.toString();
    }

    static void release(List<Object> parts) {
        for (Object part : parts) {
            ((ByteBuf) part).release();
        }
    }
}
