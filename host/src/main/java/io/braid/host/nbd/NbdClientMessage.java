package io.braid.host.nbd;

import io.netty.buffer.ByteBuf;

/**
 * What a client sends, as {@link NbdServerDecoder} frames it: the client flags, options of the
 * handshake phase and requests of the transmission phase (proto.md "Handshake",
 * "Request message"). A message carrying a buffer owns it; whoever takes the message
 * {@linkplain #release() releases} it.
 */
public sealed interface NbdClientMessage {

    /** Releases the buffer the message carries, if any. */
    default void release() {
    }

    /** The 32 bits of client flags after the greeting. */
    record ClientFlags(int flags) implements NbdClientMessage {
    }

    /**
     * An option with its data. {@code option} is the raw wire value, so that one this server does
     * not know can still be answered with NBD_REP_ERR_UNSUP.
     */
    record Option(int option, ByteBuf data) implements NbdClientMessage {
        @Override
        public void release() {
            data.release();
        }
    }

    /** An option whose data was longer than the decoder's limit: the data was skipped, unread. */
    record OversizedOption(int option, long length) implements NbdClientMessage {
    }

    /**
     * A request. {@code type} is the raw wire value (an unknown one is answered NBD_EINVAL);
     * {@code offset} is unsigned (a negative value is beyond any export); {@code length} is the
     * unsigned 32-bit field. {@code payload} holds the data of an NBD_CMD_WRITE and is null for
     * every other type.
     */
    record Request(int flags, int type, long handle, long offset, long length, ByteBuf payload)
            implements NbdClientMessage {
        /** The command, or null when {@link #type} is unknown. */
        public NbdCommand command() {
            return NbdCommand.of(type);
        }

        /** Whether the command flags include {@code flag}. */
        public boolean has(CommandFlag flag) {
            return flag.in(flags);
        }

        @Override
        public void release() {
            if (payload != null) {
                payload.release();
            }
        }
    }

    /**
     * An NBD_CMD_WRITE whose length exceeded the decoder's limit: its payload was skipped without
     * being stored, and the request is answered NBD_EINVAL.
     */
    record OversizedWrite(int flags, long handle, long offset, long length) implements NbdClientMessage {
    }
}
