package io.braid.host.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Frames what a client sends into {@link NbdClientMessage}s: the client flags, then options
 * (proto.md "Newstyle negotiation"), then, once {@link #enterTransmission()} is called, requests
 * (proto.md "Request message"). A wrong magic throws an {@link NbdProtocolException}, after which
 * every further byte is discarded and the connection is closed by its handler.
 *
 * <p>Lengths are checked before anything is buffered: option data longer than
 * {@code maxOptionLength} and write payloads longer than {@code maxWritePayload} are skipped as
 * they arrive, never stored, and reported as {@link NbdClientMessage.OversizedOption} or
 * {@link NbdClientMessage.OversizedWrite} so that the handler can answer with an error and the
 * session go on. Missing bytes: return without consuming. Option data and write payloads become
 * retained slices of the received bytes, never copies.
 *
 * <p>Threading: confined to the channel's event loop. One message is emitted per {@code decode}
 * call, so {@link #enterTransmission()} called while the handler processes NBD_OPT_GO applies to
 * the very next bytes.
 */
public final class NbdServerDecoder extends ByteToMessageDecoder {

    private enum State {
        CLIENT_FLAGS, OPTION_HEADER, OPTION_DATA, OPTION_SKIP,
        REQUEST_HEADER, WRITE_PAYLOAD, WRITE_SKIP, BAD_MESSAGE
    }

    private final int maxOptionLength;
    private final int maxWritePayload;

    private State state = State.CLIENT_FLAGS;
    private int option;
    private long length;
    /** Bytes still to skip in OPTION_SKIP and WRITE_SKIP. */
    private long skipRemaining;
    private int requestFlags;
    private int requestType;
    private long handle;
    private long offset;

    /**
     * @param maxOptionLength longest option data that is buffered
     * @param maxWritePayload longest NBD_CMD_WRITE payload that is buffered
     */
    public NbdServerDecoder(int maxOptionLength, int maxWritePayload) {
        if (maxOptionLength < NbdWire.MAX_STRING_BYTES + 6) {
            throw new IllegalArgumentException("maxOptionLength " + maxOptionLength
                    + " cannot hold an NBD_OPT_GO with a " + NbdWire.MAX_STRING_BYTES + "-byte name");
        }
        if (maxWritePayload <= 0) {
            throw new IllegalArgumentException("maxWritePayload " + maxWritePayload + " is not positive");
        }
        this.maxOptionLength = maxOptionLength;
        this.maxWritePayload = maxWritePayload;
    }

    /** Switches from options to requests; only valid between two options. */
    public void enterTransmission() {
        if (state != State.OPTION_HEADER) {
            throw new IllegalStateException("cannot enter transmission in decoder state " + state);
        }
        state = State.REQUEST_HEADER;
    }

    /** Whether the decoder stands in the transmission phase. */
    public boolean inTransmission() {
        return state == State.REQUEST_HEADER || state == State.WRITE_PAYLOAD || state == State.WRITE_SKIP;
    }

    /** Bytes received and held back for a message not yet complete. */
    int bufferedBytes() {
        return actualReadableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case CLIENT_FLAGS -> {
                // C: 32 bits, client flags
                if (in.readableBytes() < NbdWire.CLIENT_FLAGS_LENGTH) {
                    return;
                }
                out.add(new NbdClientMessage.ClientFlags(in.readInt()));
                state = State.OPTION_HEADER;
            }
            case OPTION_HEADER -> decodeOptionHeader(in, out);
            case OPTION_DATA -> {
                if (in.readableBytes() < length) {
                    return;
                }
                out.add(new NbdClientMessage.Option(option, in.readRetainedSlice((int) length)));
                state = State.OPTION_HEADER;
            }
            case OPTION_SKIP -> {
                if (skip(in)) {
                    out.add(new NbdClientMessage.OversizedOption(option, length));
                    state = State.OPTION_HEADER;
                }
            }
            case REQUEST_HEADER -> decodeRequestHeader(in, out);
            case WRITE_PAYLOAD -> {
                if (in.readableBytes() < length) {
                    return;
                }
                out.add(new NbdClientMessage.Request(requestFlags, requestType, handle, offset, length,
                        in.readRetainedSlice((int) length)));
                state = State.REQUEST_HEADER;
            }
            case WRITE_SKIP -> {
                if (skip(in)) {
                    out.add(new NbdClientMessage.OversizedWrite(requestFlags, handle, offset, length));
                    state = State.REQUEST_HEADER;
                }
            }
            case BAD_MESSAGE -> in.skipBytes(in.readableBytes());
        }
    }

    private void decodeOptionHeader(ByteBuf in, List<Object> out) {
        // C: 64 bits, IHAVEOPT
        // C: 32 bits, option
        // C: 32 bits, length of option data (unsigned)
        if (in.readableBytes() < NbdWire.OPTION_HEADER_LENGTH) {
            return;
        }
        long magic = in.readLong();
        if (magic != NbdWire.IHAVEOPT) {
            state = State.BAD_MESSAGE;
            throw new NbdProtocolException("option magic 0x" + Long.toHexString(magic)
                    + " is not IHAVEOPT 0x" + Long.toHexString(NbdWire.IHAVEOPT));
        }
        option = in.readInt();
        length = in.readUnsignedInt();
        if (length == 0) {
            out.add(new NbdClientMessage.Option(option, Unpooled.EMPTY_BUFFER));
        } else if (length > maxOptionLength) {
            skipRemaining = length;
            state = State.OPTION_SKIP;
        } else {
            state = State.OPTION_DATA;
        }
    }

    private void decodeRequestHeader(ByteBuf in, List<Object> out) {
        // C: 32 bits, 0x25609513, magic (NBD_REQUEST_MAGIC)
        // C: 16 bits, command flags
        // C: 16 bits, type
        // C: 64 bits, handle
        // C: 64 bits, offset (unsigned)
        // C: 32 bits, length (unsigned)
        // C: (length bytes of data if the request is of type NBD_CMD_WRITE)
        if (in.readableBytes() < NbdWire.REQUEST_HEADER_LENGTH) {
            return;
        }
        int magic = in.readInt();
        if (magic != NbdWire.REQUEST_MAGIC) {
            state = State.BAD_MESSAGE;
            throw new NbdProtocolException("request magic 0x" + Integer.toHexString(magic)
                    + " is not NBD_REQUEST_MAGIC 0x" + Integer.toHexString(NbdWire.REQUEST_MAGIC));
        }
        requestFlags = in.readUnsignedShort();
        requestType = in.readUnsignedShort();
        handle = in.readLong();
        offset = in.readLong();
        length = in.readUnsignedInt();
        if (requestType != NbdCommand.WRITE.value()) {
            out.add(new NbdClientMessage.Request(requestFlags, requestType, handle, offset, length, null));
        } else if (length == 0) {
            out.add(new NbdClientMessage.Request(requestFlags, requestType, handle, offset, 0,
                    Unpooled.EMPTY_BUFFER));
        } else if (length > maxWritePayload) {
            skipRemaining = length;
            state = State.WRITE_SKIP;
        } else {
            state = State.WRITE_PAYLOAD;
        }
    }

    /** Skips what is there of the bytes to skip; true once all are gone. */
    private boolean skip(ByteBuf in) {
        int n = (int) Math.min(in.readableBytes(), skipRemaining);
        in.skipBytes(n);
        skipRemaining -= n;
        return skipRemaining == 0;
    }
}
