package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * A PDU that framed correctly but cannot be accepted (unknown opcode, opcode of the wrong side,
 * data digest error, a field this codec polices). The frame decoder emits it instead of a
 * {@link Pdu}; the engine answers with a Reject (RFC 7143 11.17) whose data is {@link #header()}
 * and reads on. It is not part of the sealed {@link Pdu} family because it is never written.
 *
 * @param header       the 48-byte Basic Header Segment of the bad PDU (without AHS, whose size
 *                     could exceed the peer's MaxRecvDataSegmentLength); owned by this object
 *                     until handed on, e.g. as the data of a {@link Reject}
 * @param rejectReason the Reject reason code (RFC 7143 11.17.1), a {@link Reject} constant
 * @param message      what was wrong, naming the field, the value and what was expected
 */
public record InvalidPdu(ByteBuf header, int rejectReason, String message) {

    /** The 6-bit opcode value of the bad PDU (it may be one {@link Opcode} does not know). */
    public int opcodeValue() {
        return header.getByte(header.readerIndex()) & 0x3f;
    }

    /** The Initiator Task Tag of the bad PDU, so the engine can fail the task it belongs to. */
    public int itt() {
        return header.getInt(header.readerIndex() + 16);
    }

    /** Releases the header; safe to call twice. */
    public void release() {
        if (header.refCnt() > 0) {
            header.release();
        }
    }
}
