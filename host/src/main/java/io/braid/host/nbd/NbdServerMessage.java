package io.braid.host.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * What the server sends (proto.md "Handshake", "Simple reply message", "Structured reply chunk
 * message"), encoded by {@link NbdServerEncoder}. A message carrying a buffer owns it until the
 * encoder passes it on to the channel.
 */
public sealed interface NbdServerMessage {

    /** Releases the buffer the message carries, if any (for a message that is never written). */
    default void release() {
    }

    /** NBDMAGIC, IHAVEOPT and the handshake flags. */
    record Greeting(int handshakeFlags) implements NbdServerMessage {
    }

    /** A reply to an option: magic, option, reply type, length, data. */
    record OptionReply(int option, OptionReplyType type, ByteBuf data) implements NbdServerMessage {

        /** NBD_REP_ACK without data. */
        public static OptionReply ack(int option) {
            return new OptionReply(option, OptionReplyType.ACK, Unpooled.EMPTY_BUFFER);
        }

        /** An error reply carrying {@code message} for the user (proto.md: error replies MAY). */
        public static OptionReply error(int option, OptionReplyType type, String message) {
            if (!type.isError()) {
                throw new IllegalArgumentException(type + " is not an error reply");
            }
            return new OptionReply(option, type, Unpooled.wrappedBuffer(utf8(message, NbdWire.MAX_STRING_BYTES)));
        }

        /** NBD_REP_SERVER: the name's length, the name, then the description for humans. */
        public static OptionReply server(int option, String name, String description) {
            byte[] n = utf8(name, NbdWire.MAX_STRING_BYTES);
            byte[] d = utf8(description, NbdWire.MAX_STRING_BYTES);
            ByteBuf data = Unpooled.buffer(4 + n.length + d.length);
            data.writeInt(n.length).writeBytes(n).writeBytes(d);
            return new OptionReply(option, OptionReplyType.SERVER, data);
        }

        /** NBD_REP_INFO with NBD_INFO_EXPORT: size and transmission flags. */
        public static OptionReply infoExport(int option, long size, int transmissionFlags) {
            ByteBuf data = Unpooled.buffer(12);
            data.writeShort(InfoType.EXPORT.value()).writeLong(size).writeShort(transmissionFlags);
            return new OptionReply(option, OptionReplyType.INFO, data);
        }

        /** NBD_REP_INFO with NBD_INFO_NAME or NBD_INFO_DESCRIPTION. */
        public static OptionReply infoString(int option, InfoType type, String text) {
            if (type != InfoType.NAME && type != InfoType.DESCRIPTION) {
                throw new IllegalArgumentException(type + " is not a string information type");
            }
            byte[] t = utf8(text, NbdWire.MAX_STRING_BYTES);
            ByteBuf data = Unpooled.buffer(2 + t.length);
            data.writeShort(type.value()).writeBytes(t);
            return new OptionReply(option, OptionReplyType.INFO, data);
        }

        /** NBD_REP_INFO with NBD_INFO_BLOCK_SIZE: minimum, preferred and maximum block size. */
        public static OptionReply infoBlockSize(int option, int minimum, int preferred, int maximum) {
            ByteBuf data = Unpooled.buffer(14);
            data.writeShort(InfoType.BLOCK_SIZE.value()).writeInt(minimum).writeInt(preferred).writeInt(maximum);
            return new OptionReply(option, OptionReplyType.INFO, data);
        }

        @Override
        public void release() {
            data.release();
        }
    }

    /** The reply to NBD_OPT_EXPORT_NAME: size, transmission flags and, unless left out, 124 zeroes. */
    record ExportNameReply(long size, int transmissionFlags, boolean zeroes) implements NbdServerMessage {
    }

    /**
     * A simple reply: magic, error (zero for success), handle, then for a successful
     * NBD_CMD_READ the data; {@code data} is null otherwise.
     */
    record SimpleReply(NbdError error, long handle, ByteBuf data) implements NbdServerMessage {
        @Override
        public void release() {
            if (data != null) {
                data.release();
            }
        }
    }

    /** A structured NBD_REPLY_TYPE_OFFSET_DATA chunk: the data read at {@code offset}. */
    record DataChunk(long handle, long offset, ByteBuf data, boolean done) implements NbdServerMessage {
        @Override
        public void release() {
            data.release();
        }
    }

    /** A structured NBD_REPLY_TYPE_ERROR chunk, always the last of its reply. */
    record ErrorChunk(long handle, NbdError error, String message) implements NbdServerMessage {
    }

    /** A structured NBD_REPLY_TYPE_NONE chunk: the reply is done (a success unless errors came). */
    record NoneChunk(long handle) implements NbdServerMessage {
    }

    /**
     * {@code s} in UTF-8, cut at a character boundary to at most {@code max} bytes, because the
     * protocol caps strings at 4096 bytes.
     */
    static byte[] utf8(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return b;
        }
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // b[end] continues a character that starts before it
        }
        return java.util.Arrays.copyOf(b, end);
    }
}
