package io.braid.iscsi.login;

/**
 * The operational parameters in force after login (RFC 7143 13), every one with its final
 * value. The two MaxRecvDataSegmentLength declarations are kept apart: each side declares what
 * it can receive, so the target sends PDUs of at most {@link #initiatorMaxRecvDataSegmentLength}
 * and accepts PDUs of up to {@link #targetMaxRecvDataSegmentLength}.
 *
 * @param headerDigest                       HeaderDigest (CO)
 * @param dataDigest                         DataDigest (CO)
 * @param maxConnections                     MaxConnections
 * @param initialR2T                         InitialR2T: true means no unsolicited Data-Out
 * @param immediateData                      ImmediateData
 * @param initiatorMaxRecvDataSegmentLength  the initiator's declaration: the most the target may send per PDU (CO)
 * @param targetMaxRecvDataSegmentLength     the target's declaration: the most the initiator may send per PDU (CO)
 * @param maxBurstLength                     MaxBurstLength
 * @param firstBurstLength                   FirstBurstLength (meaningless when initialR2T and !immediateData)
 * @param defaultTime2Wait                   DefaultTime2Wait, seconds
 * @param defaultTime2Retain                 DefaultTime2Retain, seconds
 * @param maxOutstandingR2T                  MaxOutstandingR2T
 * @param dataPduInOrder                     DataPDUInOrder
 * @param dataSequenceInOrder                DataSequenceInOrder
 * @param errorRecoveryLevel                 ErrorRecoveryLevel
 * @param taskReporting                      TaskReporting (RFC3720, ResponseFence or FastAbort)
 * @param iscsiProtocolLevel                 iSCSIProtocolLevel
 */
public record NegotiatedParameters(Digest headerDigest, Digest dataDigest, int maxConnections,
                                   boolean initialR2T, boolean immediateData,
                                   int initiatorMaxRecvDataSegmentLength,
                                   int targetMaxRecvDataSegmentLength, int maxBurstLength,
                                   int firstBurstLength, int defaultTime2Wait,
                                   int defaultTime2Retain, int maxOutstandingR2T,
                                   boolean dataPduInOrder, boolean dataSequenceInOrder,
                                   int errorRecoveryLevel, String taskReporting,
                                   int iscsiProtocolLevel) {

    /** Every key at its RFC 7143 default. */
    public static final NegotiatedParameters DEFAULTS = new NegotiatedParameters(Digest.NONE, Digest.NONE, 1,
            true, true, 8192, 8192, 262144, 65536, 2, 20, 1, true, true, 0, "RFC3720", 1);

    public boolean headerDigestCrc32c() {
        return headerDigest == Digest.CRC32C;
    }

    public boolean dataDigestCrc32c() {
        return dataDigest == Digest.CRC32C;
    }

    /** Whether the initiator may send unsolicited data at all (immediate or Data-Out). */
    public boolean unsolicitedDataAllowed() {
        return immediateData || !initialR2T;
    }
}
