package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Logout Request (RFC 7143 11.14); {@code reasonCode} 0 close session, 1 close connection,
 * 2 remove connection for recovery.
 */
public record LogoutRequest(boolean immediate, int reasonCode, int itt, int cid, int cmdSn,
                            int expStatSn) implements Pdu {
    public static final int CLOSE_SESSION = 0;
    public static final int CLOSE_CONNECTION = 1;
    public static final int REMOVE_FOR_RECOVERY = 2;

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_REQUEST;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }
}
