package io.braid.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The iSCSI CRC32C examples of RFC 3720 appendix B.4 (carried into RFC 7143), bytes as sent. */
class Crc32cTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void noLeaks() {
        alloc.assertAllReleased();
    }

    /** The digest as it goes on the wire. */
    private String wireDigest(byte[] bytes) {
        ByteBuf in = alloc.wrap(bytes);
        ByteBuf out = alloc.buffer(4);
        Crc32c.writeDigest(out, Crc32c.compute(in));
        String hex = ByteBufUtil.hexDump(out);
        in.release();
        out.release();
        return hex;
    }

    @Test
    void thirtyTwoBytesOfZeros() {
        assertThat(wireDigest(new byte[32])).isEqualTo("aa36918a");
    }

    @Test
    void thirtyTwoBytesOfOnes() {
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        assertThat(wireDigest(ones)).isEqualTo("43aba862");
    }

    @Test
    void thirtyTwoIncrementingBytes() {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) i;
        }
        assertThat(wireDigest(b)).isEqualTo("4e79dd46");
    }

    @Test
    void thirtyTwoDecrementingBytes() {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (31 - i);
        }
        assertThat(wireDigest(b)).isEqualTo("5cdb3f11");
    }

    /** The example "iSCSI - SCSI Read (10) Command PDU" header. */
    static final byte[] READ_COMMAND_PDU = Wire.hex("""
            01 c0 00 00  00 00 00 00  00 00 00 00  00 00 00 00
            14 00 00 00  00 00 04 00  00 00 00 14  00 00 00 18
            28 00 00 00  00 00 00 00  02 00 00 00  00 00 00 00
            """);

    @Test
    void iscsiReadCommandPdu() {
        assertThat(wireDigest(READ_COMMAND_PDU)).isEqualTo("563a96d9");
    }

    @Test
    void readDigestIsTheInverseOfWriteDigest() {
        ByteBuf out = alloc.buffer(4);
        Crc32c.writeDigest(out, 0x8a9136aa);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("aa36918a");
        assertThat(Crc32c.readDigest(out)).isEqualTo(0x8a9136aa);
        out.release();
    }

    @Test
    void heapDirectSliceAndCompositeBuffersGiveTheSameDigestWithoutMovingIndices() {
        int expected = 0x8a9136aa;
        ByteBuf direct = alloc.directBuffer(40).writeZero(40);
        ByteBuf heap = alloc.heapBuffer(40).writeZero(40);
        direct.readerIndex(8);
        heap.readerIndex(8);
        CompositeByteBuf composite = alloc.compositeDirectBuffer();
        composite.addComponent(true, alloc.directBuffer(5).writeZero(5));
        composite.addComponent(true, alloc.heapBuffer(20).writeZero(20));
        composite.addComponent(true, alloc.directBuffer(7).writeZero(7));

        assertThat(Crc32c.compute(direct)).isEqualTo(expected);
        assertThat(Crc32c.compute(heap)).isEqualTo(expected);
        assertThat(Crc32c.compute(heap.slice(8, 32))).isEqualTo(expected);
        assertThat(Crc32c.compute(composite)).isEqualTo(expected);
        assertThat(direct.readerIndex()).isEqualTo(8);
        assertThat(composite.readerIndex()).isZero();

        direct.release();
        heap.release();
        composite.release();
    }

    @Test
    void paddedDigestCoversTheZeroPadding() {
        ByteBuf data = alloc.wrap(new byte[29]);
        assertThat(Crc32c.computePadded(data, 3)).isEqualTo(0x8a9136aa);
        data.release();
    }
}
