package io.braid.host.module;

import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.multipath.DevicePolicy;
import io.braid.host.multipath.ErrorAnalyzer;
import io.braid.host.multipath.ErrorDecision;
import io.braid.host.multipath.FailureScope;
import io.braid.host.multipath.IoInfo;
import io.braid.host.multipath.IoOperation;
import io.braid.host.multipath.IoScheduler;
import io.braid.host.multipath.Multipath;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathEvent;
import io.braid.host.multipath.MultipathPathState;
import io.braid.host.multipath.PathFault;
import io.braid.host.multipath.PathSelector;
import io.braid.host.multipath.PathStatus;
import io.braid.host.multipath.PathView;
import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.ErrorAnalysis;
import io.braid.policy.spi.FailureScoping;
import io.braid.policy.spi.FaultScope;
import io.braid.policy.spi.IoError;
import io.braid.policy.spi.IoRequest;
import io.braid.policy.spi.IoScheduling;
import io.braid.policy.spi.PathInfo;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.Verdict;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One device's policy from a module, as the driver's hooks: path selection, error analysis,
 * failure scope and (when the module schedules I/O) a per-path limit and order. Every call into
 * the module goes through {@link LoadedModule#decide}; when it gives no usable decision the
 * device's built-in policy (its host.yaml rule) decides instead. Also the module's
 * {@link DeviceControl} of the device.
 */
final class ModulePolicy implements PathSelector, ErrorAnalyzer, FailureScope, IoScheduler, DeviceControl {
    final LoadedModule module;
    final String deviceId;
    private final int blockSize;
    private final DevicePolicy fallback;
    private final Multipath driver;
    private final String name;
    private volatile PathPolicy policy;
    private volatile int maxOutstanding;
    private volatile PathRef pinned;
    private volatile MultipathDevice device;
    private volatile DevicePolicy asDevicePolicy;

    /** Builds the adapter; {@link #open} gives it the module's policy of the device. */
    ModulePolicy(LoadedModule module, String deviceId, int blockSize, DevicePolicy fallback, Multipath driver,
                 String name) {
        this.module = module;
        this.deviceId = deviceId;
        this.blockSize = blockSize;
        this.fallback = fallback;
        this.driver = driver;
        this.name = name;
    }

    /** Sets the module's policy of the device (created by the caller under the guard). */
    void open(PathPolicy p) {
        policy = p;
        asDevicePolicy = new DevicePolicy(name, this, this, this, p instanceof IoScheduling ? this : null);
        if (p instanceof IoScheduling s) {
            try {
                maxOutstanding = Math.max(0, module.decide("maxOutstandingPerPath", s::maxOutstandingPerPath,
                        LoadedModule.SETUP_BUDGET_NANOS));
            } catch (LoadedModule.NoDecision e) {
                maxOutstanding = 0;
            }
        }
    }

    PathPolicy spiPolicy() {
        return policy;
    }

    DevicePolicy devicePolicy() {
        return asDevicePolicy;
    }

    DevicePolicy fallback() {
        return fallback;
    }

    void bind(MultipathDevice d) {
        device = d;
    }

    // ------------------------------------------------------------------ PathSelector

    @Override
    public String name() {
        return name;
    }

    @Override
    public PathView select(List<? extends PathView> candidates, IoInfo io) {
        PathRef pin = pinned;
        if (pin != null) {
            for (PathView p : candidates) {
                if (pin.equals(SpiViews.ref(p.id()))) {
                    return p;
                }
            }
        }
        if (module.builtin) {
            // A built-in module's policy is the device's built-in selector (the same host.yaml
            // rule): it decides directly, without the SPI's views of every candidate per command.
            module.decisions.increment();
            return fallback.selector().select(candidates, io);
        }
        PathPolicy p = policy;
        if (p != null && (module.active() || module.builtin)) {
            List<PathInfo> infos = new ArrayList<>(candidates.size());
            for (PathView v : candidates) {
                infos.add(SpiViews.info(v));
            }
            IoRequest req = SpiViews.request(deviceId, io, blockSize);
            try {
                PathRef chosen = module.decide("select", () -> p.select(infos, req));
                for (int i = 0; i < infos.size(); i++) {
                    if (infos.get(i).ref().equals(chosen)) {
                        return candidates.get(i);
                    }
                }
                module.errors.increment();
                module.fault("select returned " + chosen + ", which is not one of the " + infos.size()
                        + " candidate paths");
            } catch (LoadedModule.NoDecision e) {
                // The built-in policy decides.
            }
        }
        return fallback.selector().select(candidates, io);
    }

    @Override
    public void completed(PathView path, IoInfo io, long nanos, boolean ok) {
        fallback.selector().completed(path, io, nanos, ok);
        PathPolicy p = policy;
        if (p != null && !module.builtin) {
            PathRef ref = SpiViews.ref(path.id());
            IoRequest req = SpiViews.request(deviceId, io, blockSize);
            module.notify("completed", () -> p.completed(ref, req, nanos, ok));
        }
    }

    @Override
    public void acquire(IoInfo io) {
        module.commands.incrementAndGet();
    }

    @Override
    public void release(IoInfo io) {
        module.commands.decrementAndGet();
    }

    // ------------------------------------------------------------------ ErrorAnalyzer

    @Override
    public ErrorDecision analyze(IoInfo io, ScsiOutcome outcome, PathView path) {
        if (policy instanceof ErrorAnalysis a && outcome != null && !outcome.isGood()) {
            IoError error = SpiViews.error(outcome);
            IoRequest req = SpiViews.request(deviceId, io, blockSize);
            PathInfo at = SpiViews.info(path);
            try {
                Verdict v = module.decide("analyze", () -> a.analyze(req, error, at));
                ErrorDecision d = decision(io, v, outcome, path);
                if (d != null) {
                    return d;
                }
            } catch (LoadedModule.NoDecision e) {
                // The built-in analysis decides.
            }
        }
        return fallback.analyzer().analyze(io, outcome, path);
    }

    /** The module's verdict as the driver's decision; null for the built-in analysis. */
    private ErrorDecision decision(IoInfo io, Verdict v, ScsiOutcome outcome, PathView path) {
        if (v == null) {
            module.errors.increment();
            module.fault("analyze returned null");
            return null;
        }
        return switch (v.action()) {
            case DEFAULT -> null;
            // A read that did not end GOOD brought no data: only the built-in analysis may complete it.
            case COMPLETE -> io.operation() == IoOperation.READ ? null : new ErrorDecision.Complete();
            case PATH_FAILED -> new ErrorDecision.FailPath(fault(v.scope()), module.name + ": " + v.reason());
            case RETRY_SAME_PATH -> new ErrorDecision.RetrySamePath(v.delay(), module.name + ": " + v.reason(), false);
            case RETRY_OTHER_PATH -> new ErrorDecision.RetryOtherPath(v.delay(), module.name + ": " + v.reason());
            case FAIL_IO -> new ErrorDecision.FailIo(new IOException(io + ": " + module.name + ": " + v.reason()));
            // The driver asks the host's reservation keeper to restore what the path lost, then retries once.
            case RESERVATION_ACTION -> new ErrorDecision.ReservationAction(module.name + ": " + v.reason(),
                    conflict(io, v, outcome, path));
        };
    }

    /**
     * The error of a reservation action that restores nothing: the built-in analysis's own for
     * the outcome when it fails the I/O (a RESERVATION CONFLICT keeps its SCSI status), else one
     * naming the module's reason.
     */
    private IOException conflict(IoInfo io, Verdict v, ScsiOutcome outcome, PathView path) {
        ErrorDecision builtIn = fallback.analyzer().analyze(io, outcome, path);
        return switch (builtIn) {
            case ErrorDecision.ReservationAction r -> r.conflict();
            case ErrorDecision.FailIo f -> f.error();
            default -> new IOException(io + ": reservation action (" + module.name + ": " + v.reason() + ")");
        };
    }

    private static PathFault fault(FaultScope s) {
        return switch (s) {
            case NEXUS -> PathFault.NEXUS;
            case PORT_GROUP -> PathFault.PORT_GROUP;
            case PATH -> PathFault.PATH;
        };
    }

    private static FaultScope scope(PathFault f) {
        return switch (f) {
            case NEXUS -> FaultScope.NEXUS;
            case PORT_GROUP -> FaultScope.PORT_GROUP;
            case PATH -> FaultScope.PATH;
        };
    }

    // ------------------------------------------------------------------ FailureScope

    @Override
    public Set<PathId> affected(PathView failed, PathFault fault, Collection<? extends PathView> known) {
        if (policy instanceof FailureScoping s) {
            List<FailureScoping.DevicePath> views = new ArrayList<>(known.size());
            for (PathView v : known) {
                views.add(new FailureScoping.DevicePath(v.deviceId(), SpiViews.info(v)));
            }
            PathInfo at = SpiViews.info(failed);
            FaultScope sc = scope(fault);
            try {
                Set<PathRef> refs = module.decide("affected", () -> s.affected(at, sc, List.copyOf(views)));
                if (refs != null) {
                    Set<PathId> out = new HashSet<>();
                    out.add(failed.id());
                    for (PathView v : known) {
                        if (refs.contains(SpiViews.ref(v.id()))) {
                            out.add(v.id());
                        }
                    }
                    return out;
                }
            } catch (LoadedModule.NoDecision e) {
                // The built-in scope decides.
            }
        }
        return fallback.scope().affected(failed, fault, known);
    }

    // ------------------------------------------------------------------ IoScheduler

    @Override
    public int maxOutstandingPerPath() {
        return module.active() || module.state() == ModuleState.RETIRING ? maxOutstanding : 0;
    }

    @Override
    public long rank(IoInfo io) {
        if (policy instanceof IoScheduling s) {
            IoRequest req = SpiViews.request(deviceId, io, blockSize);
            try {
                return module.decide("queueRank", () -> s.queueRank(req));
            } catch (LoadedModule.NoDecision e) {
                return 0;
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ DeviceControl

    @Override
    public String deviceId() {
        return deviceId;
    }

    @Override
    public List<PathInfo> paths() {
        MultipathDevice d = device;
        if (d == null) {
            return List.of();
        }
        List<PathInfo> out = new ArrayList<>();
        int order = 0;
        for (PathStatus p : d.paths()) {
            if (p.state() == MultipathPathState.ACTIVE) {
                out.add(new PathInfo(SpiViews.ref(p.id()), SpiViews.access(p.aluaState()),
                        p.priority() == io.braid.host.discovery.PathPriority.PRIMARY, p.preferred(),
                        p.targetPortGroup(), order, p.queueDepth(), p.latency().toNanos(), p.ios()));
            }
            order++;
        }
        return out;
    }

    @Override
    public boolean switchPath(PathRef to, String reason) {
        if (to == null || paths().stream().noneMatch(p -> p.ref().equals(to))) {
            return false;
        }
        pinned = to;
        driver.report(MultipathEvent.Type.PATH_SWITCHED, deviceId, module.name + " switched the device to " + to
                + (reason == null || reason.isBlank() ? "" : ": " + reason));
        return true;
    }

    @Override
    public void clearSwitch() {
        if (pinned != null) {
            pinned = null;
            driver.report(MultipathEvent.Type.PATH_SWITCHED, deviceId, module.name + " ended its switch; selection"
                    + " decides again");
        }
    }

    PathRef pinned() {
        return pinned;
    }

    @Override
    public String toString() {
        return name + " on " + deviceId;
    }
}
