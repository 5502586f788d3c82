package io.braid.iscsi.login;

import io.braid.iscsi.target.TargetDefinition;

/**
 * A successful login (RFC 7143 6.3): who logged in to what, with which parameters, and the
 * sequence numbers the full feature phase continues from.
 *
 * @param sessionType        Normal or Discovery
 * @param initiatorName      InitiatorName
 * @param initiatorAlias     InitiatorAlias, or null
 * @param target             the target logged into; null for a discovery session
 * @param isid               the ISID (48 bits in a long)
 * @param tsih               the session's TSIH (new or joined)
 * @param cid                the connection's CID
 * @param newSession         true when TSIH was 0 in the request: the engine creates the session
 *                           (reinstating any with the same initiator, ISID and target)
 * @param parameters         the negotiated parameters
 * @param authenticatedUser  the CHAP user name the initiator proved, or null without CHAP
 * @param mutualChap         whether the target also authenticated itself to the initiator
 * @param expCmdSn           the CmdSN the target expects next (the leading login's CmdSN)
 * @param nextStatSn         the StatSN for the next response on this connection
 */
public record LoginResult(SessionType sessionType, String initiatorName, String initiatorAlias,
                          TargetDefinition target, long isid, int tsih, int cid, boolean newSession,
                          NegotiatedParameters parameters, String authenticatedUser,
                          boolean mutualChap, int expCmdSn, int nextStatSn) {
}
