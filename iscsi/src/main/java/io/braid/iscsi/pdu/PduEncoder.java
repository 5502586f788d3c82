package io.braid.iscsi.pdu;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes PDUs to the channel (RFC 7143 11.1) through {@link PduWriter}: a small header buffer
 * (BHS, AHS, header digest), the data segment itself (a retained slice, never copied) and a
 * trailer (padding, data digest), which the transport sends with one gathering write.
 *
 * <p>Ownership: the encoder takes over the written PDU and releases its data once the bytes have
 * been written. Threading: confined to the channel's event loop; the digest switches apply to
 * PDUs written after the call, so the engine writes the final Login Response first and then turns
 * digests on (RFC 7143 13.1: digests cover the Full Feature Phase).
 */
public final class PduEncoder extends MessageToMessageEncoder<Pdu> {
    private boolean headerDigest;
    private boolean dataDigest;

    public PduEncoder() {
        super(Pdu.class);
    }

    /** Appends a CRC32C header digest to PDUs written from now on. */
    public void setHeaderDigest(boolean enabled) {
        this.headerDigest = enabled;
    }

    /** Appends a CRC32C data digest to data segments written from now on. */
    public void setDataDigest(boolean enabled) {
        this.dataDigest = enabled;
    }

    public boolean headerDigest() {
        return headerDigest;
    }

    public boolean dataDigest() {
        return dataDigest;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        // Pdu is not ReferenceCounted, so MessageToMessageEncoder cannot release it for us.
        try {
            PduWriter.write(pdu, ctx.alloc(), headerDigest, dataDigest, out);
        } finally {
            pdu.release();
        }
    }
}
