package io.braid.host.pr;

import io.braid.host.discovery.PathId;
import io.braid.host.discovery.PathPriority;
import io.braid.host.discovery.PathState;
import io.braid.host.iscsi.SessionState;
import io.braid.host.multipath.MultipathPathState;
import io.braid.host.multipath.PathStatus;
import io.braid.host.scsi.AluaState;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.ReservationHandling;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A policy module's ReservationHandling consulted through the keeper's strategy, and guarded. */
class ReservationStrategiesTest {
    static PathStatus path(String host, String storage) {
        return new PathStatus(new PathId(host, storage, "iqn.t", 0), "naa.1", MultipathPathState.ACTIVE,
                PathState.CONNECTED, SessionState.LOGGED_IN, AluaState.ACTIVE_OPTIMIZED, PathPriority.PRIMARY, false, 1, 0,
                Duration.ZERO, 0, 0, 0, null, Instant.now());
    }

    final List<PathStatus> usable = List.of(path("h1", "s1:3260"), path("h2", "s2:3260"));

    @Test
    void defaultsWithoutACapability() {
        assertThat(ReservationStrategies.of(null)).isNull();
        ReservationStrategy s = ReservationStrategies.of(new ReservationHandling() {
        });
        assertThat(s.reservePath(usable)).isSameAs(usable.get(0));
        assertThat(s.registerNewPaths()).isTrue();
        assertThat(s.reestablishAfterFailover(PrType.WRITE_EXCLUSIVE)).isTrue();
        assertThat(s.reestablishAfterFailover(PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS)).isFalse();
    }

    @Test
    void theModuleChoosesAndIsGuarded() {
        ReservationStrategy s = ReservationStrategies.of(new ReservationHandling() {
            @Override
            public PathRef reservePath(List<PathRef> paths) {
                return paths.get(1);
            }

            @Override
            public boolean registerOnNewPaths() {
                return false;
            }

            @Override
            public boolean reestablishAfterFailover() {
                return false;
            }
        });
        assertThat(s.reservePath(usable)).isSameAs(usable.get(1));
        assertThat(s.registerNewPaths()).isFalse();
        assertThat(s.reestablishAfterFailover(PrType.EXCLUSIVE_ACCESS)).isFalse();

        ReservationStrategy wrong = ReservationStrategies.of(new ReservationHandling() {
            @Override
            public PathRef reservePath(List<PathRef> paths) {
                return new PathRef("elsewhere", "x:1", "iqn.t", 0);
            }

            @Override
            public boolean registerOnNewPaths() {
                throw new IllegalStateException("broken module");
            }
        });
        assertThat(wrong.reservePath(usable)).isSameAs(usable.get(0));
        assertThat(wrong.registerNewPaths()).isTrue();
    }
}
