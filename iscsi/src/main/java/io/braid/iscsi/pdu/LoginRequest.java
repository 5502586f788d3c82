package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Login Request (RFC 7143 11.12). {@code transit} is the T bit, {@code cont} the C bit;
 * {@code csg}/{@code nsg} are the 2-bit stage codes (0 security, 1 operational, 3 full feature).
 * {@code isid} is the 48-bit ISID in the low bits of a long. Data holds text key=value pairs.
 */
public record LoginRequest(boolean transit, boolean cont, int csg, int nsg, int versionMax,
                           int versionMin, long isid, int tsih, int itt, int cid, int cmdSn,
                           int expStatSn, ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_REQUEST;
    }
}
