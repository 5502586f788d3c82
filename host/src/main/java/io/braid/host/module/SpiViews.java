package io.braid.host.module;

import io.braid.host.discovery.Device;
import io.braid.host.discovery.Path;
import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathPriority;
import io.braid.host.iscsi.FailureKind;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.multipath.IoInfo;
import io.braid.host.multipath.PathView;
import io.braid.host.scsi.AluaState;
import io.braid.policy.spi.AccessState;
import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.IoError;
import io.braid.policy.spi.IoRequest;
import io.braid.policy.spi.PathAttributes;
import io.braid.policy.spi.PathInfo;
import io.braid.policy.spi.PathRef;

import java.util.ArrayList;
import java.util.List;

/** Turns the agent's internals into the SPI's plain records (and back): modules never see host classes. */
public final class SpiViews {
    private SpiViews() {
    }

    /** The SPI's name of a path. */
    public static PathRef ref(PathId id) {
        return new PathRef(id.hostPort(), id.storagePort(), id.targetName(), id.lun());
    }

    static AccessState access(AluaState s) {
        return switch (s) {
            case ACTIVE_OPTIMIZED -> AccessState.ACTIVE_OPTIMIZED;
            case ACTIVE_NON_OPTIMIZED -> AccessState.ACTIVE_NON_OPTIMIZED;
            case STANDBY -> AccessState.STANDBY;
            case UNAVAILABLE -> AccessState.UNAVAILABLE;
            case LBA_DEPENDENT -> AccessState.LBA_DEPENDENT;
            case OFFLINE -> AccessState.OFFLINE;
            case TRANSITIONING -> AccessState.TRANSITIONING;
            case NOT_REPORTED -> AccessState.NOT_REPORTED;
        };
    }

    static DeviceAttributes attributes(Device d) {
        List<PathAttributes> paths = new ArrayList<>(d.paths().size());
        for (Path p : d.paths()) {
            paths.add(new PathAttributes(ref(p.id()), p.connected(), p.priority() == PathPriority.PRIMARY,
                    p.preferred(), p.targetPortGroup(), access(p.aluaState())));
        }
        return new DeviceAttributes(d.id(), d.vendor(), d.product(), d.revision(), d.lunSerial(),
                d.enclosureSerial(), d.arrayType(), d.capacityBytes(), d.blockSize(), d.alua(), paths);
    }

    static PathInfo info(PathView p) {
        return new PathInfo(ref(p.id()), access(p.aluaState()), p.priority() == PathPriority.PRIMARY, p.preferred(),
                p.targetPortGroup(), p.order(), p.queueDepth(), p.latencyNanos(), p.ios());
    }

    static IoRequest request(String deviceId, IoInfo io, int blockSize) {
        IoRequest.Op op = switch (io.operation()) {
            case READ -> IoRequest.Op.READ;
            case WRITE -> IoRequest.Op.WRITE;
            case FLUSH -> IoRequest.Op.FLUSH;
            case UNMAP -> IoRequest.Op.UNMAP;
            case WRITE_SAME -> IoRequest.Op.WRITE_SAME;
            case TEST_UNIT_READY -> IoRequest.Op.OTHER;
        };
        return new IoRequest(deviceId, op, io.lba() * blockSize, io.blocks() * blockSize);
    }

    /** The outcome as an {@link IoError}; its sense bytes are a copy. */
    static IoError error(ScsiOutcome o) {
        return switch (o) {
            case ScsiOutcome.CheckCondition c -> new IoError(IoError.Kind.CHECK_CONDITION, 0x02,
                    c.sense() == null ? null : c.sense().raw(), null, c.sense() == null ? "no sense data"
                    : c.sense().description());
            case ScsiOutcome.OtherStatus s -> new IoError(IoError.Kind.STATUS, s.status(), null, null,
                    s.scsiStatus() == null ? String.format("status 0x%02x", s.status()) : s.scsiStatus().toString());
            case ScsiOutcome.TransportFailure t -> new IoError(t.kind() == FailureKind.COMMAND_TIMEOUT
                    ? IoError.Kind.TIMEOUT : IoError.Kind.TRANSPORT, -1, null, t.kind().name(), t.message());
            case ScsiOutcome.Good g -> new IoError(IoError.Kind.STATUS, 0, null, null, "GOOD");
        };
    }
}
