package io.braid.iscsi.pdu;

import io.netty.handler.codec.DecoderException;

/**
 * An iSCSI protocol violation (RFC 7143 7), typed by scope like Netty's
 * {@code Http2Exception.connectionError/streamError}: a {@link Scope#PDU PDU} error is answered
 * with a Reject (RFC 7143 11.17) and the connection goes on; a {@link Scope#CONNECTION CONNECTION}
 * error means the byte stream can no longer be trusted and the connection must be closed.
 *
 * <p>It extends {@link DecoderException} so that Netty's {@code ByteToMessageDecoder} passes it to
 * {@code exceptionCaught} as is, instead of wrapping it. The frame decoder never lets a PDU-scope
 * error escape: it turns it into an {@link InvalidPdu}.
 */
public final class IscsiProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    /** How far the damage reaches. */
    public enum Scope {
        /** One PDU framed correctly but cannot be accepted: reject it and continue. */
        PDU,
        /** Framing is lost or the header cannot be trusted: close the connection. */
        CONNECTION
    }

    private final Scope scope;
    private final int rejectReason;

    private IscsiProtocolException(Scope scope, int rejectReason, String message) {
        super(message);
        this.scope = scope;
        this.rejectReason = rejectReason;
    }

    /** An error after which the connection must be closed. */
    public static IscsiProtocolException connectionError(String format, Object... args) {
        return new IscsiProtocolException(Scope.CONNECTION, -1, String.format(format, args));
    }

    /** An error in one PDU, answered with a Reject carrying {@code rejectReason} (RFC 7143 11.17.1). */
    public static IscsiProtocolException pduError(int rejectReason, String format, Object... args) {
        return new IscsiProtocolException(Scope.PDU, rejectReason, String.format(format, args));
    }

    public Scope scope() {
        return scope;
    }

    /** The Reject reason code (a {@code Reject} constant) for PDU errors; -1 for connection errors. */
    public int rejectReason() {
        return rejectReason;
    }

    public boolean closesConnection() {
        return scope == Scope.CONNECTION;
    }
}
