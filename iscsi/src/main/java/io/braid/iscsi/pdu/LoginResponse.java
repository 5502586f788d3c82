package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Login Response (RFC 7143 11.13); status class/detail per 11.13.5. */
public record LoginResponse(boolean transit, boolean cont, int csg, int nsg, int versionMax,
                            int versionActive, long isid, int tsih, int itt, int statSn,
                            int expCmdSn, int maxCmdSn, int statusClass, int statusDetail,
                            ByteBuf data) implements Pdu {
    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_RESPONSE;
    }
}
