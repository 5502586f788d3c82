package io.braid.host.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Framing of the client's bytes: golden vectors, every fragmentation, limits before buffering. */
class NbdServerDecoderTest {
    private static final int MAX_OPTION = 16 << 10;
    private static final int MAX_WRITE = 64 << 10;

    /** A session as a client sends it, written field by field. */
    private static byte[] session() {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(0x00000003);                     // client flags: FIXED_NEWSTYLE | NO_ZEROES
        b.writeLong(0x49484156454F5054L);           // IHAVEOPT
        b.writeInt(8);                              // NBD_OPT_STRUCTURED_REPLY
        b.writeInt(0);                              // no data
        b.writeLong(0x49484156454F5054L);           // IHAVEOPT
        b.writeInt(7);                              // NBD_OPT_GO
        b.writeInt(12);                             // data length
        b.writeInt(4).writeBytes("disk".getBytes(StandardCharsets.US_ASCII)); // name
        b.writeShort(1).writeShort(3);              // one request: NBD_INFO_BLOCK_SIZE
        b.writeInt(0x25609513);                     // NBD_REQUEST_MAGIC
        b.writeShort(0x0001);                       // flags: FUA
        b.writeShort(1);                            // NBD_CMD_WRITE
        b.writeLong(0x1122334455667788L);           // handle
        b.writeLong(4096);                          // offset
        b.writeInt(4);                              // length
        b.writeBytes(new byte[] {9, 8, 7, 6});      // payload
        b.writeInt(0x25609513);
        b.writeShort(0);
        b.writeShort(0);                            // NBD_CMD_READ
        b.writeLong(2);
        b.writeLong(0xffff_ffff_ffff_fe00L);        // offset 2^64 - 512 (unsigned)
        b.writeInt(0xffff_ff00);                    // length 4294967040 (unsigned)
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    @Test
    void decodesAWholeSessionInOnePiece() {
        assertDecodesSession(List.of(session()));
    }

    @Test
    void decodesASessionFedOneByteAtATime() {
        List<byte[]> pieces = new ArrayList<>();
        for (byte b : session()) {
            pieces.add(new byte[] {b});
        }
        assertDecodesSession(pieces);
    }

    @Test
    void decodesASessionFedInUnevenChunks() {
        byte[] s = session();
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        int n = 1;
        while (at < s.length) {
            int len = Math.min(n, s.length - at);
            pieces.add(java.util.Arrays.copyOfRange(s, at, at + len));
            at += len;
            n = n * 3 % 17 + 1;
        }
        assertDecodesSession(pieces);
    }

    private static void assertDecodesSession(List<byte[]> pieces) {
        NbdServerDecoder decoder = new NbdServerDecoder(MAX_OPTION, MAX_WRITE);
        List<NbdClientMessage> got = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                NbdClientMessage m = (NbdClientMessage) msg;
                got.add(m);
                if (m instanceof NbdClientMessage.Option o && o.option() == NbdOption.GO.value()) {
                    decoder.enterTransmission(); // what the connection does once GO succeeded
                }
            }
        });
        for (byte[] p : pieces) {
            ch.writeInbound(Unpooled.wrappedBuffer(p));
        }
        assertThat(got).hasSize(5);
        assertThat(got.get(0)).isEqualTo(new NbdClientMessage.ClientFlags(3));
        NbdClientMessage.Option sr = (NbdClientMessage.Option) got.get(1);
        assertThat(sr.option()).isEqualTo(8);
        assertThat(sr.data().readableBytes()).isZero();
        NbdClientMessage.Option go = (NbdClientMessage.Option) got.get(2);
        assertThat(go.option()).isEqualTo(7);
        assertThat(go.data().readableBytes()).isEqualTo(12);
        NbdClientMessage.Request w = (NbdClientMessage.Request) got.get(3);
        assertThat(w.command()).isEqualTo(NbdCommand.WRITE);
        assertThat(w.has(CommandFlag.FUA)).isTrue();
        assertThat(w.handle()).isEqualTo(0x1122334455667788L);
        assertThat(w.offset()).isEqualTo(4096);
        assertThat(w.length()).isEqualTo(4);
        byte[] payload = new byte[4];
        w.payload().getBytes(w.payload().readerIndex(), payload);
        assertThat(payload).containsExactly(9, 8, 7, 6);
        NbdClientMessage.Request r = (NbdClientMessage.Request) got.get(4);
        assertThat(r.command()).isEqualTo(NbdCommand.READ);
        assertThat(r.payload()).isNull();
        assertThat(Long.toUnsignedString(r.offset())).isEqualTo("18446744073709551104");
        assertThat(r.length()).isEqualTo(4294967040L);
        assertThat(decoder.inTransmission()).isTrue();
        got.forEach(NbdClientMessage::release);
        assertThat(go.data().refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anOversizedOptionIsSkippedAsItArrivesNeverBuffered() {
        NbdServerDecoder decoder = new NbdServerDecoder(MAX_OPTION, MAX_WRITE);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.buffer().writeInt(1));
        assertThat(ch.<Object>readInbound()).isInstanceOf(NbdClientMessage.ClientFlags.class);
        long length = 100L << 20;
        ch.writeInbound(Unpooled.buffer().writeLong(NbdWire.IHAVEOPT).writeInt(6).writeInt((int) length));
        long sent = 0;
        byte[] chunk = new byte[1 << 20];
        while (sent < length) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
            sent += chunk.length;
            if (sent < length) {
                assertThat(ch.<Object>readInbound()).isNull();
                // Nothing accumulates: each chunk is discarded as it comes.
                assertThat(cumulated(decoder)).isZero();
            }
        }
        assertThat(ch.<Object>readInbound()).isEqualTo(new NbdClientMessage.OversizedOption(6, length));
        // The stream is still in step: the next option decodes.
        ch.writeInbound(Unpooled.buffer().writeLong(NbdWire.IHAVEOPT).writeInt(3).writeInt(0));
        NbdClientMessage.Option list = ch.readInbound();
        assertThat(list.option()).isEqualTo(3);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anOversizedWriteIsSkippedAndReported() {
        NbdServerDecoder decoder = new NbdServerDecoder(MAX_OPTION, MAX_WRITE);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.buffer().writeInt(1));
        ch.readInbound();
        decoder.enterTransmission();
        int length = MAX_WRITE + 512;
        ch.writeInbound(Unpooled.buffer().writeInt(NbdWire.REQUEST_MAGIC).writeShort(0).writeShort(1)
                .writeLong(5).writeLong(0).writeInt(length));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[length - 1]));
        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(cumulated(decoder)).isZero();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1]));
        assertThat(ch.<Object>readInbound()).isEqualTo(new NbdClientMessage.OversizedWrite(0, 5, 0, length));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aWrongRequestMagicIsAProtocolErrorAndTheRestIsDiscarded() {
        NbdServerDecoder decoder = new NbdServerDecoder(MAX_OPTION, MAX_WRITE);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.buffer().writeInt(1));
        ch.readInbound();
        decoder.enterTransmission();
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.buffer().writeInt(0x12560953).writeZero(24)))
                .isInstanceOf(NbdProtocolException.class)
                .hasMessage("request magic 0x12560953 is not NBD_REQUEST_MAGIC 0x25609513");
        ch.writeInbound(Unpooled.buffer().writeInt(NbdWire.REQUEST_MAGIC).writeZero(24));
        assertThat(ch.<Object>readInbound()).isNull();
        ch.finish();
    }

    @Test
    void aWrongOptionMagicIsAProtocolError() {
        EmbeddedChannel ch = new EmbeddedChannel(new NbdServerDecoder(MAX_OPTION, MAX_WRITE));
        ch.writeInbound(Unpooled.buffer().writeInt(1));
        ch.readInbound();
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.buffer().writeLong(NbdWire.NBDMAGIC).writeLong(0)))
                .isInstanceOf(DecoderException.class)
                .hasMessage("option magic 0x4e42444d41474943 is not IHAVEOPT 0x49484156454f5054");
        ch.finish();
    }

    @Test
    void transmissionStartsOnlyBetweenOptions() {
        NbdServerDecoder decoder = new NbdServerDecoder(MAX_OPTION, MAX_WRITE);
        assertThatThrownBy(decoder::enterTransmission).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new NbdServerDecoder(100, MAX_WRITE)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Bytes the decoder holds back. */
    private static int cumulated(NbdServerDecoder decoder) {
        return decoder.bufferedBytes();
    }
}
