package io.braid.host.multipath;

import java.time.Duration;
import java.time.Instant;

/**
 * Counters of one multipath device since it was created.
 *
 * @param inFlight     commands sent and not yet ended
 * @param waiting      commands waiting for a path (none usable)
 * @param fenced       writes waiting for an overlapping write of unknown outcome (see docs)
 * @param ios          requests completed for callers (successfully or not)
 * @param errors       requests that failed for their caller
 * @param retries      commands sent again (same path, other path, after a path failure)
 * @param pathFailures times a path of the device was failed
 * @param latency      mean time from a request to its completion (weight 1/8)
 * @param bytesRead    bytes read for callers
 * @param bytesWritten bytes written for callers
 * @param noPathSince  since when no path has been usable, or null
 */
public record DeviceStats(int inFlight, int waiting, int fenced, long ios, long errors, long retries,
                          long pathFailures, Duration latency, long bytesRead, long bytesWritten,
                          Instant noPathSince) {
}
