package io.braid.host.api;

import io.braid.host.discovery.Device;
import io.braid.host.multipath.DeviceStats;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathPathState;

import java.util.List;

/**
 * One multipath device in {@code GET /api/v1/devices}.
 *
 * @param name            the export name
 * @param id              the VPD 83h designator
 * @param vendor          T10 vendor identification
 * @param product         product identification
 * @param revision        product revision
 * @param lunSerial       VPD 80h serial
 * @param enclosureSerial the array's serial
 * @param arrayType       {@code braid}, {@code alua} or {@code generic}
 * @param sizeBytes       capacity
 * @param blockSize       logical block size
 * @param alua            whether the unit reports ALUA states
 * @param readOnly        write protected
 * @param trim            whether trim deallocates
 * @param policy          the path selection policy
 * @param noPathTimeout   seconds I/O waits without a path (may be fractional)
 * @param pathCount       paths known
 * @param activePaths     paths in use
 * @param inFlight        commands in flight
 * @param waiting         commands waiting for a path
 * @param fenced          writes waiting for a write of unknown outcome
 * @param ios             requests completed
 * @param errors          requests failed for their caller
 * @param retries         commands sent again
 * @param pathFailures    path failures
 * @param latencyMicros   mean request latency in microseconds
 * @param noPathSince     since when no path is usable (ISO-8601), or null
 * @param export          the NBD URI of the export on the Unix socket, or null
 * @param paths           every path, in the device's order
 */
public record DeviceView(String name, String id, String vendor, String product, String revision, String lunSerial,
                         String enclosureSerial, String arrayType, long sizeBytes, int blockSize, boolean alua,
                         boolean readOnly, boolean trim, String policy, double noPathTimeout, int pathCount,
                         int activePaths, int inFlight, int waiting, int fenced, long ios, long errors, long retries,
                         long pathFailures, long latencyMicros, String noPathSince, String export,
                         List<DevicePathView> paths) {

    public static DeviceView of(MultipathDevice d, double noPathTimeoutSeconds, String export) {
        Device x = d.device();
        DeviceStats s = d.stats();
        List<DevicePathView> paths = d.paths().stream().map(p -> DevicePathView.of(d, p)).toList();
        int active = (int) d.paths().stream().filter(p -> p.state() == MultipathPathState.ACTIVE).count();
        return new DeviceView(d.name(), d.id(), x.vendor().trim(), x.product().trim(), x.revision().trim(),
                x.lunSerial(), x.enclosureSerial(), x.arrayType(), d.size(), d.blockSize(), x.alua(), d.readOnly(),
                d.canTrim(), d.policy().name(), noPathTimeoutSeconds, paths.size(), active, s.inFlight(),
                s.waiting(), s.fenced(), s.ios(), s.errors(), s.retries(), s.pathFailures(),
                s.latency().toNanos() / 1000, s.noPathSince() == null ? null : s.noPathSince().toString(), export,
                paths);
    }
}
