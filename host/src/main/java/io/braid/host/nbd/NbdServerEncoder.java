package io.braid.host.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Writes {@link NbdServerMessage}s: one exhaustive switch, a small header buffer per message, and
 * the message's own data buffer passed on behind it, never copied. Stateless, so one instance
 * serves every channel.
 */
@ChannelHandler.Sharable
public final class NbdServerEncoder extends MessageToMessageEncoder<NbdServerMessage> {

    /** Longest message in an NBD_REPLY_TYPE_ERROR chunk (its length field has 16 bits; strings 4096). */
    static final int MAX_ERROR_MESSAGE_BYTES = NbdWire.MAX_STRING_BYTES;

    public NbdServerEncoder() {
        super(NbdServerMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, NbdServerMessage msg, List<Object> out) {
        encode(ctx.alloc(), msg, out);
    }

    /**
     * Appends the buffers that make up {@code msg} to {@code out}; ownership of the message's data
     * moves to {@code out}.
     */
    public static void encode(ByteBufAllocator alloc, NbdServerMessage msg, List<Object> out) {
        switch (msg) {
            case NbdServerMessage.Greeting g -> {
                // S: 64 bits, NBDMAGIC; 64 bits, IHAVEOPT; 16 bits, handshake flags
                ByteBuf b = alloc.buffer(NbdWire.GREETING_LENGTH);
                b.writeLong(NbdWire.NBDMAGIC).writeLong(NbdWire.IHAVEOPT).writeShort(g.handshakeFlags());
                out.add(b);
            }
            case NbdServerMessage.OptionReply r -> {
                // S: 64 bits, reply magic; 32 bits, option; 32 bits, reply type; 32 bits, length; data
                ByteBuf b = alloc.buffer(NbdWire.OPTION_REPLY_HEADER_LENGTH);
                b.writeLong(NbdWire.OPTION_REPLY_MAGIC).writeInt(r.option()).writeInt(r.type().value())
                        .writeInt(r.data().readableBytes());
                out.add(b);
                addData(r.data(), out);
            }
            case NbdServerMessage.ExportNameReply r -> {
                // S: 64 bits, size; 16 bits, transmission flags; 124 bytes, zeroes (unless NO_ZEROES)
                int len = 10 + (r.zeroes() ? NbdWire.EXPORT_NAME_ZEROES : 0);
                ByteBuf b = alloc.buffer(len);
                b.writeLong(r.size()).writeShort(r.transmissionFlags());
                if (r.zeroes()) {
                    b.writeZero(NbdWire.EXPORT_NAME_ZEROES);
                }
                out.add(b);
            }
            case NbdServerMessage.SimpleReply r -> {
                // S: 32 bits, NBD_SIMPLE_REPLY_MAGIC; 32 bits, error; 64 bits, handle; (read data)
                ByteBuf b = alloc.buffer(NbdWire.SIMPLE_REPLY_HEADER_LENGTH);
                b.writeInt(NbdWire.SIMPLE_REPLY_MAGIC).writeInt(r.error() == null ? 0 : r.error().value())
                        .writeLong(r.handle());
                out.add(b);
                if (r.data() != null) {
                    addData(r.data(), out);
                }
            }
            case NbdServerMessage.DataChunk c -> {
                // S: 32 bits, NBD_STRUCTURED_REPLY_MAGIC; 16 bits, flags; 16 bits, type;
                //    64 bits, handle; 32 bits, length; then 64 bits, offset; data
                ByteBuf b = alloc.buffer(NbdWire.STRUCTURED_REPLY_HEADER_LENGTH + 8);
                chunkHeader(b, c.done(), ReplyChunkType.OFFSET_DATA, c.handle(), 8 + c.data().readableBytes());
                b.writeLong(c.offset());
                out.add(b);
                addData(c.data(), out);
            }
            case NbdServerMessage.ErrorChunk c -> {
                // ... header; 32 bits, error; 16 bits, message length; message
                byte[] m = NbdServerMessage.utf8(c.message(), MAX_ERROR_MESSAGE_BYTES);
                ByteBuf b = alloc.buffer(NbdWire.STRUCTURED_REPLY_HEADER_LENGTH + 6 + m.length);
                chunkHeader(b, true, ReplyChunkType.ERROR, c.handle(), 6 + m.length);
                b.writeInt(c.error().value()).writeShort(m.length).writeBytes(m);
                out.add(b);
            }
            case NbdServerMessage.NoneChunk c -> {
                ByteBuf b = alloc.buffer(NbdWire.STRUCTURED_REPLY_HEADER_LENGTH);
                chunkHeader(b, true, ReplyChunkType.NONE, c.handle(), 0);
                out.add(b);
            }
        }
    }

    private static void chunkHeader(ByteBuf b, boolean done, ReplyChunkType type, long handle, int length) {
        b.writeInt(NbdWire.STRUCTURED_REPLY_MAGIC).writeShort(done ? NbdWire.REPLY_FLAG_DONE : 0)
                .writeShort(type.value()).writeLong(handle).writeInt(length);
    }

    private static void addData(ByteBuf data, List<Object> out) {
        if (data.isReadable()) {
            out.add(data);
        } else {
            data.release();
        }
    }
}
