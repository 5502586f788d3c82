package io.braid.host.nbd;

import io.netty.handler.codec.DecoderException;

/**
 * A breach of the protocol after which the byte stream cannot be trusted (a wrong magic, unknown
 * client flags): the connection is closed, the hard disconnect of proto.md. Errors that concern
 * one option or one request are replies instead and never become this exception.
 */
public final class NbdProtocolException extends DecoderException {
    public NbdProtocolException(String message) {
        super(message);
    }
}
