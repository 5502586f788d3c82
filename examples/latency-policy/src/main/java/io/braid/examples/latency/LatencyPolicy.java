package io.braid.examples.latency;

import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.ErrorAnalysis;
import io.braid.policy.spi.FaultScope;
import io.braid.policy.spi.IoError;
import io.braid.policy.spi.IoRequest;
import io.braid.policy.spi.IoScheduling;
import io.braid.policy.spi.PathInfo;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.Verdict;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One device's latency-weighted policy: each path gets a share of the I/O inversely proportional
 * to its expected service time, (queue depth + 1) × mean latency, spread by smooth weighted
 * round-robin (each path's credit grows by its weight; the path with the most credit goes and
 * pays the total), so a slower path still gets some I/O and its latency keeps being measured.
 * At most {@value #MAX_PER_PATH} commands per path are in flight; commands that wait for room go
 * reads first (a reader waits on them, a writer usually does not).
 *
 * <p>Its error analysis: BUSY and TASK SET FULL go to another path after 2 ms; a command timeout
 * fails the path alone (not the whole session); RESERVATION CONFLICT asks for a reservation
 * action; everything else is left to the built-in analysis.
 *
 * <p>Calls come one at a time on the module's decision thread (the SPI's contract), so the state
 * here needs no locking.
 */
final class LatencyPolicy implements PathPolicy, IoScheduling, ErrorAnalysis {
    static final int MAX_PER_PATH = 32;
    private static final long MIN_LATENCY_NANOS = 20_000;
    private static final int BUSY = 0x08;
    private static final int RESERVATION_CONFLICT = 0x18;
    private static final int TASK_SET_FULL = 0x28;

    private final DeviceControl control;
    private final Map<PathRef, Double> credit = new HashMap<>();

    LatencyPolicy(DeviceControl control) {
        this.control = control;
    }

    @Override
    public PathRef select(List<PathInfo> candidates, IoRequest io) {
        if (candidates.size() == 1) {
            return candidates.get(0).ref();
        }
        double total = 0;
        PathInfo best = null;
        double bestCredit = Double.NEGATIVE_INFINITY;
        for (PathInfo p : candidates) {
            double w = 1.0 / ((p.queueDepth() + 1.0) * Math.max(MIN_LATENCY_NANOS, p.latencyNanos()));
            total += w;
            double c = credit.merge(p.ref(), w, Double::sum);
            if (c > bestCredit) {
                bestCredit = c;
                best = p;
            }
        }
        credit.merge(best.ref(), -total, Double::sum);
        if (credit.size() > 4 * candidates.size()) {
            // Paths come and go: forget credit of paths no longer offered.
            credit.keySet().retainAll(candidates.stream().map(PathInfo::ref).toList());
        }
        return best.ref();
    }

    @Override
    public int maxOutstandingPerPath() {
        return MAX_PER_PATH;
    }

    @Override
    public long queueRank(IoRequest io) {
        return io.op() == IoRequest.Op.READ ? 0 : 1;
    }

    @Override
    public Verdict analyze(IoRequest io, IoError error, PathInfo path) {
        return switch (error.kind()) {
            case STATUS -> switch (error.status()) {
                case BUSY, TASK_SET_FULL -> Verdict.retryOtherPath(Duration.ofMillis(2), "array busy on " + path.ref());
                case RESERVATION_CONFLICT -> Verdict.reservationAction("reservation conflict on " + path.ref());
                default -> Verdict.builtIn();
            };
            case TIMEOUT -> Verdict.pathFailed(FaultScope.PATH, "command timeout on " + path.ref());
            case CHECK_CONDITION, TRANSPORT -> Verdict.builtIn();
        };
    }

    /** The device this policy runs (for logs of a vendor's own). */
    String deviceId() {
        return control.deviceId();
    }
}
