package io.braid.host.iscsi;

import java.time.Duration;

/**
 * Counters of one session since it was created, for path listings and path selection.
 *
 * @param outstanding     commands in the session now (sent or waiting for the CmdSN window)
 * @param completed       commands that ended with a SCSI status
 * @param failed          commands that ended with a transport failure
 * @param bytesRead       Data-In bytes of GOOD commands
 * @param bytesWritten    Data-Out bytes of GOOD commands
 * @param logins          successful logins (the first and every reconnection)
 * @param averageLatency  exponentially weighted mean time from submit to status (weight 1/16)
 * @param lastPingRoundTrip round trip of the last answered NOP-Out ping, or null
 */
public record SessionStats(int outstanding, long completed, long failed, long bytesRead, long bytesWritten,
                           long logins, Duration averageLatency, Duration lastPingRoundTrip) {
}
