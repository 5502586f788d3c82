package io.braid.host.pr;

import io.braid.host.discovery.PathId;
import io.braid.host.multipath.PathStatus;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.ReservationHandling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A device policy module's {@link ReservationHandling} capability as the keeper's
 * {@link ReservationStrategy}. The keeper protects itself: a module that throws, or returns a
 * path it was not offered, gets the default answer (the module's monitoring is the driver's).
 */
public final class ReservationStrategies {
    private static final Logger log = LoggerFactory.getLogger(ReservationStrategies.class);

    private ReservationStrategies() {
    }

    /** The strategy that asks {@code handling}; null gives null (the keeper's defaults). */
    public static ReservationStrategy of(ReservationHandling handling) {
        if (handling == null) {
            return null;
        }
        return new ReservationStrategy() {
            @Override
            public PathStatus reservePath(List<PathStatus> usable) {
                try {
                    PathRef chosen = handling.reservePath(usable.stream().map(p -> ref(p.id())).toList());
                    for (PathStatus p : usable) {
                        if (ref(p.id()).equals(chosen)) {
                            return p;
                        }
                    }
                    log.warn("pr: reservation handling {} chose {}, not one of the usable paths; using the first",
                            handling.getClass().getName(), chosen);
                } catch (RuntimeException e) {
                    log.warn("pr: reservation handling {} failed: {}; using the first path",
                            handling.getClass().getName(), e.toString());
                }
                return DEFAULT.reservePath(usable);
            }

            @Override
            public boolean registerNewPaths() {
                try {
                    return handling.registerOnNewPaths();
                } catch (RuntimeException e) {
                    log.warn("pr: reservation handling {} failed: {}", handling.getClass().getName(), e.toString());
                    return DEFAULT.registerNewPaths();
                }
            }

            /** The module may turn the move off; it cannot move an all registrants reservation, which has no single holder. */
            @Override
            public boolean reestablishAfterFailover(PrType type) {
                try {
                    return handling.reestablishAfterFailover() && DEFAULT.reestablishAfterFailover(type);
                } catch (RuntimeException e) {
                    log.warn("pr: reservation handling {} failed: {}", handling.getClass().getName(), e.toString());
                    return DEFAULT.reestablishAfterFailover(type);
                }
            }
        };
    }

    /** The SPI's name of a path. */
    public static PathRef ref(PathId id) {
        return new PathRef(id.hostPort(), id.storagePort(), id.targetName(), id.lun());
    }
}
