package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One iSCSI PDU (RFC 7143 11): an immutable record per type. The data segment is a
 * reference-counted buffer that is never copied; whoever holds the PDU last releases it with
 * {@link #release()}. PDUs without data carry {@link io.netty.buffer.Unpooled#EMPTY_BUFFER}.
 *
 * <p>Sequence-number fields are unsigned 32-bit values held in an {@code int}
 * (serial arithmetic per RFC 1982, see {@link SerialNumbers}).
 */
public sealed interface Pdu permits NopOut, ScsiCommand, TaskMgmtRequest, LoginRequest, TextRequest,
        DataOut, LogoutRequest, Snack, NopIn, ScsiResponse, TaskMgmtResponse, LoginResponse,
        TextResponse, DataIn, LogoutResponse, ReadyToTransfer, AsyncMessage, Reject {

    /** The reserved tag value 0xffffffff (RFC 7143 11.2.1.8). */
    int RESERVED_TAG = 0xffffffff;

    Opcode opcode();

    /** Initiator Task Tag; {@link #RESERVED_TAG} where the PDU has none. */
    int itt();

    /** The data segment; never null. */
    ByteBuf data();

    /** Releases the data segment; safe to call on PDUs without data. */
    default void release() {
        ReferenceCounted d = data();
        if (d.refCnt() > 0) {
            d.release();
        }
    }
}
