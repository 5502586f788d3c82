package io.braid.iscsi.login;

import io.braid.iscsi.target.TargetServerConfig;

/**
 * What this target is willing to use, the "own value" of each negotiation (RFC 7143 6.2, 13):
 * upper bounds for the MIN keys, preferences for the Boolean keys. ErrorRecoveryLevel is 0 and
 * MaxConnections 1 because the engine implements neither recovery levels 1/2 nor multiple
 * connections per session yet; both are fields so that can change without touching the
 * negotiator.
 *
 * @param maxRecvDataSegmentLength what the target declares it can receive (512..2^24-1)
 * @param maxBurstLength           upper bound for MaxBurstLength
 * @param firstBurstLength         upper bound for FirstBurstLength
 * @param maxOutstandingR2T        upper bound for MaxOutstandingR2T
 * @param maxConnections           upper bound for MaxConnections
 * @param errorRecoveryLevel       upper bound for ErrorRecoveryLevel
 * @param initialR2T               our InitialR2T (OR): false lets the initiator choose unsolicited Data-Out
 * @param immediateData            our ImmediateData (AND): true lets the initiator choose immediate data
 * @param dataPduInOrder           our DataPDUInOrder (OR): true forces in-order Data PDUs
 * @param dataSequenceInOrder      our DataSequenceInOrder (OR): true forces in-order sequences
 * @param defaultTime2Wait         our DefaultTime2Wait (MAX)
 * @param defaultTime2Retain       our DefaultTime2Retain (MIN)
 * @param iscsiProtocolLevel       the highest iSCSIProtocolLevel implemented (MIN)
 */
public record TargetLimits(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                           int maxOutstandingR2T, int maxConnections, int errorRecoveryLevel,
                           boolean initialR2T, boolean immediateData, boolean dataPduInOrder,
                           boolean dataSequenceInOrder, int defaultTime2Wait, int defaultTime2Retain,
                           int iscsiProtocolLevel) {
    public TargetLimits {
        check(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH, maxRecvDataSegmentLength);
        check(OperationalKey.MAX_BURST_LENGTH, maxBurstLength);
        check(OperationalKey.FIRST_BURST_LENGTH, firstBurstLength);
        check(OperationalKey.MAX_OUTSTANDING_R2T, maxOutstandingR2T);
        check(OperationalKey.MAX_CONNECTIONS, maxConnections);
        check(OperationalKey.ERROR_RECOVERY_LEVEL, errorRecoveryLevel);
        check(OperationalKey.DEFAULT_TIME_2_WAIT, defaultTime2Wait);
        check(OperationalKey.DEFAULT_TIME_2_RETAIN, defaultTime2Retain);
        check(OperationalKey.ISCSI_PROTOCOL_LEVEL, iscsiProtocolLevel);
        if (firstBurstLength > maxBurstLength) {
            throw new IllegalArgumentException("FirstBurstLength " + firstBurstLength
                    + " exceeds MaxBurstLength " + maxBurstLength + " (RFC 7143 13.14)");
        }
    }

    /**
     * The server's limits; ErrorRecoveryLevel 0, MaxConnections 1, unsolicited and immediate
     * data allowed, data in order, iSCSIProtocolLevel 1 (RFC 7143).
     */
    public static TargetLimits from(TargetServerConfig config) {
        // Clamped into the RFC ranges rather than refused: a bad value here would otherwise fail
        // every login on every connection; validating the configuration is the loader's job.
        int mrdsl = clamp(config.maxRecvDataSegmentLength(), OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH);
        int mbl = clamp(config.maxBurstLength(), OperationalKey.MAX_BURST_LENGTH);
        int fbl = Math.min(clamp(config.firstBurstLength(), OperationalKey.FIRST_BURST_LENGTH), mbl);
        int r2t = clamp(config.maxOutstandingR2T(), OperationalKey.MAX_OUTSTANDING_R2T);
        return new TargetLimits(mrdsl, mbl, fbl, r2t, 1, 0, false, true, true, true, 2, 20, 1);
    }

    private static int clamp(int value, OperationalKey key) {
        return (int) Math.max(key.min(), Math.min(key.max(), value));
    }

    /** RFC defaults everywhere, ErrorRecoveryLevel 0, MaxConnections 1; for tests and tools. */
    public static TargetLimits defaults() {
        return new TargetLimits(8192, 262144, 65536, 1, 1, 0, false, true, true, true, 2, 20, 1);
    }

    private static void check(OperationalKey key, long value) {
        if (value < key.min() || value > key.max()) {
            throw new IllegalArgumentException(key.wireName() + " limit " + value + " out of range "
                    + key.min() + ".." + key.max());
        }
    }
}
