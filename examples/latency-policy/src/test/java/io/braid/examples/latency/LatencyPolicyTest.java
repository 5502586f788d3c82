package io.braid.examples.latency;

import io.braid.policy.spi.AccessState;
import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.IoError;
import io.braid.policy.spi.IoRequest;
import io.braid.policy.spi.PathAttributes;
import io.braid.policy.spi.PathInfo;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.Verdict;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyPolicyTest {
    private static final PathRef A = new PathRef("127.0.0.1", "127.0.0.1:3260", "iqn.t", 0);
    private static final PathRef B = new PathRef("127.0.0.2", "127.0.0.1:3260", "iqn.t", 0);
    private static final IoRequest READ = new IoRequest("naa.1", IoRequest.Op.READ, 0, 4096);

    private static final DeviceControl CONTROL = new DeviceControl() {
        @Override
        public String deviceId() {
            return "naa.1";
        }

        @Override
        public List<PathInfo> paths() {
            return List.of();
        }

        @Override
        public boolean switchPath(PathRef to, String reason) {
            return false;
        }

        @Override
        public void clearSwitch() {
        }
    };

    private static PathInfo path(PathRef r, int qd, long latency) {
        return new PathInfo(r, AccessState.ACTIVE_OPTIMIZED, true, false, 1, 0, qd, latency, 100);
    }

    @Test
    void claimsBraidDevicesWithTwoPaths() {
        LatencyPolicyModule m = new LatencyPolicyModule();
        PathAttributes pa = new PathAttributes(A, true, true, false, 1, AccessState.ACTIVE_OPTIMIZED);
        PathAttributes pb = new PathAttributes(B, true, true, false, 1, AccessState.ACTIVE_OPTIMIZED);
        assertThat(m.claims(new DeviceAttributes("naa.1", "BRAID", "vol", "1", "", "", "braid", 1, 512, true,
                List.of(pa, pb)))).isTrue();
        assertThat(m.claims(new DeviceAttributes("naa.1", "BRAID", "vol", "1", "", "", "braid", 1, 512, true,
                List.of(pa)))).isFalse();
        assertThat(m.claims(new DeviceAttributes("naa.1", "ACME", "vol", "1", "", "", "alua", 1, 512, true,
                List.of(pa, pb)))).isFalse();
    }

    @Test
    void sharesFollowTheInverseOfTheServiceTime() {
        LatencyPolicy p = new LatencyPolicy(CONTROL);
        Map<PathRef, Integer> counts = new HashMap<>();
        List<PathInfo> candidates = List.of(path(A, 0, 100_000), path(B, 0, 300_000));
        for (int i = 0; i < 400; i++) {
            counts.merge(p.select(candidates, READ), 1, Integer::sum);
        }
        assertThat(counts.get(A)).isEqualTo(300);
        assertThat(counts.get(B)).as("the slower path still gets a quarter").isEqualTo(100);
    }

    @Test
    void analysesBusyTimeoutAndReservationConflict() {
        LatencyPolicy p = new LatencyPolicy(CONTROL);
        PathInfo at = path(A, 1, 1000);
        assertThat(p.analyze(READ, new IoError(IoError.Kind.STATUS, 0x08, null, null, null), at).action())
                .isEqualTo(Verdict.Action.RETRY_OTHER_PATH);
        assertThat(p.analyze(READ, new IoError(IoError.Kind.TIMEOUT, -1, null, "COMMAND_TIMEOUT", null), at).action())
                .isEqualTo(Verdict.Action.PATH_FAILED);
        assertThat(p.analyze(READ, new IoError(IoError.Kind.STATUS, 0x18, null, null, null), at).action())
                .isEqualTo(Verdict.Action.RESERVATION_ACTION);
        assertThat(p.analyze(READ, new IoError(IoError.Kind.TRANSPORT, -1, null, "CONNECTION_LOST", null), at)
                .action()).isEqualTo(Verdict.Action.DEFAULT);
        assertThat(p.queueRank(READ)).isLessThan(p.queueRank(new IoRequest("naa.1", IoRequest.Op.WRITE, 0, 512)));
    }
}
