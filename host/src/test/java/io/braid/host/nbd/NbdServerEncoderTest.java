package io.braid.host.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden bytes for every message the server writes (proto.md, field by field). */
class NbdServerEncoderTest {

    private static String encode(NbdServerMessage m) {
        EmbeddedChannel ch = new EmbeddedChannel(new NbdServerEncoder());
        ch.writeOutbound(m);
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = ch.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        ch.finish();
        return ByteBufUtil.hexDump(all);
    }

    private static String hex(String spaced) {
        return spaced.replace(" ", "").replace("\n", "");
    }

    @Test
    void greeting() {
        assertThat(encode(new NbdServerMessage.Greeting(3))).isEqualTo(hex(
                "4e42444d41474943"      // NBDMAGIC
                + "49484156454f5054"    // IHAVEOPT
                + "0003"));             // FIXED_NEWSTYLE | NO_ZEROES
    }

    @Test
    void optionReplies() {
        assertThat(encode(NbdServerMessage.OptionReply.ack(7))).isEqualTo(hex(
                "0003e889045565a9"      // reply magic
                + "00000007"            // NBD_OPT_GO
                + "00000001"            // NBD_REP_ACK
                + "00000000"));         // no data
        assertThat(encode(NbdServerMessage.OptionReply.error(42, OptionReplyType.ERR_UNSUP, "no"))).isEqualTo(hex(
                "0003e889045565a9 0000002a 80000001 00000002 6e6f"));
        assertThat(encode(NbdServerMessage.OptionReply.server(3, "v0", "x"))).isEqualTo(hex(
                "0003e889045565a9 00000003 00000002 00000007"
                + "00000002 7630 78"));  // name length, "v0", description "x"
        assertThat(encode(NbdServerMessage.OptionReply.infoExport(7, 1 << 20, 0x012d))).isEqualTo(hex(
                "0003e889045565a9 00000007 00000003 0000000c"
                + "0000"                // NBD_INFO_EXPORT
                + "0000000000100000"    // size
                + "012d"));             // transmission flags
        assertThat(encode(NbdServerMessage.OptionReply.infoBlockSize(6, 512, 4096, 32 << 20))).isEqualTo(hex(
                "0003e889045565a9 00000006 00000003 0000000e"
                + "0003 00000200 00001000 02000000"));
        assertThat(encode(NbdServerMessage.OptionReply.infoString(7, InfoType.NAME, "v0"))).isEqualTo(hex(
                "0003e889045565a9 00000007 00000003 00000004 0001 7630"));
    }

    @Test
    void exportNameReply() {
        assertThat(encode(new NbdServerMessage.ExportNameReply(512, 0x0001, false)))
                .isEqualTo(hex("0000000000000200 0001"));
        assertThat(encode(new NbdServerMessage.ExportNameReply(512, 0x0001, true)))
                .isEqualTo(hex("0000000000000200 0001") + "00".repeat(124));
    }

    @Test
    void simpleReplies() {
        assertThat(encode(new NbdServerMessage.SimpleReply(null, 0x0102030405060708L, null))).isEqualTo(hex(
                "67446698"              // NBD_SIMPLE_REPLY_MAGIC
                + "00000000"            // error: none
                + "0102030405060708")); // handle
        assertThat(encode(new NbdServerMessage.SimpleReply(NbdError.EINVAL, 1, null)))
                .isEqualTo(hex("67446698 00000016 0000000000000001"));
        assertThat(encode(new NbdServerMessage.SimpleReply(null, 1, Unpooled.wrappedBuffer(new byte[] {(byte) 0xab}))))
                .isEqualTo(hex("67446698 00000000 0000000000000001 ab"));
    }

    @Test
    void structuredChunks() {
        assertThat(encode(new NbdServerMessage.DataChunk(9, 4096, Unpooled.wrappedBuffer(new byte[] {1, 2}), true)))
                .isEqualTo(hex(
                        "668e33ef"              // NBD_STRUCTURED_REPLY_MAGIC
                        + "0001"                // NBD_REPLY_FLAG_DONE
                        + "0001"                // NBD_REPLY_TYPE_OFFSET_DATA
                        + "0000000000000009"    // handle
                        + "0000000a"            // length: offset + 2 bytes
                        + "0000000000001000"    // offset
                        + "0102"));
        assertThat(encode(new NbdServerMessage.ErrorChunk(9, NbdError.ENOSPC, "full"))).isEqualTo(hex(
                "668e33ef 0001 8001 0000000000000009 0000000a"
                + "0000001c"            // NBD_ENOSPC
                + "0004 66756c6c"));    // message length, "full"
        assertThat(encode(new NbdServerMessage.NoneChunk(9))).isEqualTo(hex(
                "668e33ef 0001 0000 0000000000000009 00000000"));
    }

    @Test
    void errorMessagesAreCutToTheProtocolLimitAtACharacterBoundary() {
        String longMessage = "é".repeat(3000); // 6000 bytes of UTF-8
        String wire = encode(new NbdServerMessage.ErrorChunk(1, NbdError.EIO, longMessage));
        int messageLength = Integer.parseInt(wire.substring(48, 52), 16);
        assertThat(messageLength).isEqualTo(4096);
        byte[] m = ByteBufUtil.decodeHexDump(wire.substring(52));
        assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo("é".repeat(2048));
        assertThat(NbdServerMessage.utf8("aé", 2)).containsExactly('a');
    }
}
