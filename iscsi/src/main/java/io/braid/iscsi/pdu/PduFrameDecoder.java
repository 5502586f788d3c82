package io.braid.iscsi.pdu;

import static io.braid.iscsi.pdu.PduReader.BHS_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the TCP byte stream into PDUs (RFC 7143 11.1): BHS, AHS, header digest, data segment
 * with padding, data digest. Emits a {@link Pdu} per well-formed PDU, or an {@link InvalidPdu}
 * for a PDU that framed correctly but must be rejected (unknown or vendor opcode, an opcode the
 * other side sends, a data digest error, a field {@link PduReader} polices). Throws an
 * {@link IscsiProtocolException} of {@link IscsiProtocolException.Scope#CONNECTION CONNECTION}
 * scope when the stream can no longer be trusted (header digest error, DataSegmentLength above
 * MaxRecvDataSegmentLength, AHS lengths contradicting TotalAHSLength); after that it discards
 * every further byte, and the engine closes the connection.
 *
 * <p>Safe for any fragmentation: a state that lacks bytes returns without consuming them. The
 * DataSegmentLength is checked as soon as the BHS is complete, before anything is allocated or
 * buffered for the PDU. The data segment becomes a retained slice of the received bytes.
 *
 * <p>Threading: confined to the channel's event loop, like the setters, which the engine calls
 * when login completes. One PDU is emitted per {@code decode} call, so a setter called while the
 * engine handles a PDU in {@code channelRead} applies from the next PDU on.
 */
public final class PduFrameDecoder extends ByteToMessageDecoder {
    /**
     * MaxRecvDataSegmentLength in force until login completes: its default, which the Login
     * phase uses (RFC 7143 13.12).
     */
    public static final int LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;
    /** Smallest MaxRecvDataSegmentLength a side may declare (RFC 7143 13.12). */
    public static final int MIN_MAX_RECV_DATA_SEGMENT_LENGTH = 512;
    /** Largest MaxRecvDataSegmentLength a side may declare (RFC 7143 13.12). */
    public static final int MAX_MAX_RECV_DATA_SEGMENT_LENGTH = 0xff_ffff;

    private enum State { BHS, AHS, HEADER_DIGEST, DATA, DATA_DIGEST, BAD_MESSAGE }

    private final Side side;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxRecvDataSegmentLength = LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH;

    private State state = State.BHS;
    /** BHS + AHS of the PDU being framed; owned here. */
    private ByteBuf header;
    private int ahsLength;
    private int dataSegmentLength;
    /** The data segment once framed, until the data digest is checked; owned here. */
    private ByteBuf data;
    private int computedDataDigest;

    /** A decoder for {@code side}: a target decodes initiator PDUs, an initiator target PDUs. */
    public PduFrameDecoder(Side side) {
        if (side == null) {
            throw new IllegalArgumentException("side is null");
        }
        this.side = side;
    }

    /** A decoder for a target: it accepts the initiator's opcodes. */
    public static PduFrameDecoder forTarget() {
        return new PduFrameDecoder(Side.TARGET);
    }

    /** A decoder for an initiator: it accepts the target's opcodes. */
    public static PduFrameDecoder forInitiator() {
        return new PduFrameDecoder(Side.INITIATOR);
    }

    public Side side() {
        return side;
    }

    /** Expects a CRC32C header digest after each header from the next PDU on (RFC 7143 13.1). */
    public void setHeaderDigest(boolean enabled) {
        this.headerDigest = enabled;
    }

    /** Expects a CRC32C data digest after each data segment from the next PDU on (RFC 7143 13.1). */
    public void setDataDigest(boolean enabled) {
        this.dataDigest = enabled;
    }

    /**
     * The MaxRecvDataSegmentLength this side declared (RFC 7143 13.12), in force from the next
     * PDU on; {@value #LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH} until called.
     */
    public void setMaxRecvDataSegmentLength(int length) {
        if (length < MIN_MAX_RECV_DATA_SEGMENT_LENGTH || length > MAX_MAX_RECV_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("MaxRecvDataSegmentLength " + length
                    + " out of range " + MIN_MAX_RECV_DATA_SEGMENT_LENGTH + ".."
                    + MAX_MAX_RECV_DATA_SEGMENT_LENGTH);
        }
        this.maxRecvDataSegmentLength = length;
    }

    public boolean headerDigest() {
        return headerDigest;
    }

    public boolean dataDigest() {
        return dataDigest;
    }

    public int maxRecvDataSegmentLength() {
        return maxRecvDataSegmentLength;
    }

    /** Whether the decoder stands between two PDUs with no byte of a next one buffered. */
    boolean atPduBoundary() {
        return state == State.BHS && header == null && !internalBuffer().isReadable();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (true) {
                switch (state) {
                    case BHS -> {
                        if (!readBhs(ctx, in)) {
                            return;
                        }
                    }
                    case AHS -> {
                        if (!readAhs(in)) {
                            return;
                        }
                    }
                    case HEADER_DIGEST -> {
                        if (!checkHeaderDigest(in)) {
                            return;
                        }
                    }
                    case DATA -> {
                        if (!readData(in)) {
                            return;
                        }
                        if (state == State.DATA) {
                            complete(out);
                            return;
                        }
                    }
                    case DATA_DIGEST -> {
                        if (in.readableBytes() < Crc32c.DIGEST_LENGTH) {
                            return;
                        }
                        int received = Crc32c.readDigest(in);
                        if (received == computedDataDigest) {
                            complete(out);
                        } else {
                            // RFC 7143 7.8: a payload digest error is answered with a Reject
                            // and the PDU is dropped; the framing is intact.
                            reject(out, Reject.DATA_DIGEST_ERROR, String.format(
                                    "DataDigest 0x%08x; expected CRC32C 0x%08x over the %d-byte"
                                            + " data segment and padding", received,
                                    computedDataDigest,
                                    dataSegmentLength + PduWriter.padding(dataSegmentLength)));
                        }
                        return;
                    }
                    case BAD_MESSAGE -> {
                        in.skipBytes(in.readableBytes());
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            // A connection error, or a bug: either way the position in the stream is lost.
            discardPdu();
            state = State.BAD_MESSAGE;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private boolean readBhs(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < BHS_LENGTH) {
            return false;
        }
        int at = in.readerIndex();
        int length = in.getUnsignedMedium(at + 5);
        if (length > maxRecvDataSegmentLength) {
            int opcodeValue = in.getByte(at) & 0x3f;
            Opcode opcode = Opcode.of(opcodeValue);
            throw IscsiProtocolException.connectionError(
                    "DataSegmentLength %d of %s exceeds MaxRecvDataSegmentLength %d", length,
                    opcode != null ? opcode : String.format("opcode 0x%02x", opcodeValue),
                    maxRecvDataSegmentLength);
        }
        // TotalAHSLength is one byte of 4-byte words, so the header is at most 1068 bytes.
        ahsLength = in.getUnsignedByte(at + 4) * 4;
        dataSegmentLength = length;
        header = ctx.alloc().buffer(BHS_LENGTH + ahsLength);
        header.writeBytes(in, BHS_LENGTH);
        state = State.AHS;
        return true;
    }

    private boolean readAhs(ByteBuf in) {
        if (ahsLength > 0) {
            if (in.readableBytes() < ahsLength) {
                return false;
            }
            header.writeBytes(in, ahsLength);
        }
        state = State.HEADER_DIGEST;
        return true;
    }

    private boolean checkHeaderDigest(ByteBuf in) {
        if (headerDigest) {
            if (in.readableBytes() < Crc32c.DIGEST_LENGTH) {
                return false;
            }
            int received = Crc32c.readDigest(in);
            int computed = Crc32c.compute(header);
            if (received != computed) {
                // Every length in the header is suspect now: there is no next PDU to find.
                throw IscsiProtocolException.connectionError(
                        "HeaderDigest 0x%08x; expected CRC32C 0x%08x over the %d-byte header",
                        received, computed, header.readableBytes());
            }
        }
        state = State.DATA;
        return true;
    }

    private boolean readData(ByteBuf in) {
        if (dataSegmentLength == 0) {
            // No data segment, so no padding and no data digest either (RFC 7143 11.1).
            data = Unpooled.EMPTY_BUFFER;
            return true;
        }
        int padded = dataSegmentLength + PduWriter.padding(dataSegmentLength);
        if (in.readableBytes() < padded) {
            return false;
        }
        if (dataDigest) {
            // The digest covers the padding as received (RFC 7143 13.1).
            computedDataDigest = Crc32c.compute(in, in.readerIndex(), padded);
        }
        data = in.readRetainedSlice(dataSegmentLength);
        in.skipBytes(padded - dataSegmentLength);
        if (dataDigest) {
            state = State.DATA_DIGEST;
        }
        return true;
    }

    /**
     * Hands the framed PDU on, decoded or as an {@link InvalidPdu}; the state is DATA or
     * DATA_DIGEST here and goes back to BHS.
     */
    private void complete(List<Object> out) {
        ByteBuf payload = data;
        data = null;
        int opcodeValue = header.getByte(0) & 0x3f;
        Opcode opcode = Opcode.of(opcodeValue);
        if (opcode != null && !side.receives(opcode)) {
            payload.release();
            reject(out, Reject.PROTOCOL_ERROR, String.format(
                    "Opcode 0x%02x (%s) is sent by %s; expected an opcode sent by %s",
                    opcodeValue, opcode, side == Side.TARGET ? "a target" : "an initiator",
                    side == Side.TARGET ? "an initiator" : "a target"));
            return;
        }
        Pdu pdu;
        try {
            pdu = PduReader.read(header.slice(0, BHS_LENGTH), header.slice(BHS_LENGTH, ahsLength),
                    payload);
        } catch (IscsiProtocolException e) {
            if (e.closesConnection()) {
                throw e;
            }
            reject(out, e.rejectReason(), e.getMessage());
            return;
        }
        releaseHeader();
        state = State.BHS;
        out.add(pdu);
    }

    /** Emits an {@link InvalidPdu} for the current PDU and drops its data. */
    private void reject(List<Object> out, int reason, String message) {
        out.add(new InvalidPdu(header.retainedSlice(0, BHS_LENGTH), reason, message));
        discardPdu();
        state = State.BHS;
    }

    private void releaseHeader() {
        if (header != null) {
            header.release();
            header = null;
        }
    }

    private void discardPdu() {
        releaseHeader();
        if (data != null) {
            data.release();
            data = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        discardPdu();
    }
}
