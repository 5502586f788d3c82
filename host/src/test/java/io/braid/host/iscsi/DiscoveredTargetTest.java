package io.braid.host.iscsi;

import io.braid.iscsi.login.KeyValue;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiscoveredTargetTest {
    @Test
    void sendTargetsAnswer() {
        List<DiscoveredTarget> t = DiscoveredTarget.parseSendTargets(List.of(
                new KeyValue("TargetName", "iqn.2026-11.io.braid:a"),
                new KeyValue("TargetAddress", "127.0.0.1:3260,1"),
                new KeyValue("TargetAddress", "[fe80::1]:3261,2"),
                new KeyValue("TargetAddress", "array.example"),
                new KeyValue("TargetAddress", "bad:port:x,1"),
                new KeyValue("TargetName", "iqn.2026-11.io.braid:b"),
                new KeyValue("TargetAlias", "b")));
        assertThat(t).hasSize(2);
        assertThat(t.get(0).portals()).containsExactly(
                new DiscoveredTarget.TargetPortal("127.0.0.1", 3260, 1),
                new DiscoveredTarget.TargetPortal("fe80::1", 3261, 2),
                new DiscoveredTarget.TargetPortal("array.example", 3260, -1),
                new DiscoveredTarget.TargetPortal("bad:port:x", 3260, 1));
        assertThat(t.get(1).portals()).isEmpty();
        assertThatThrownBy(() -> DiscoveredTarget.parseSendTargets(List.of(new KeyValue("TargetAddress", "1.2.3.4"))))
                .hasMessage("TargetAddress=1.2.3.4 before any TargetName");
        assertThatThrownBy(() -> DiscoveredTarget.TargetPortal.parse("host:99999"))
                .hasMessage("port in TargetAddress=host:99999 is above 65535");
    }

    @Test
    void backoffGrowsToItsMaximum() {
        Backoff b = new Backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1), 2.0);
        assertThat(b.delay(0).toMillis()).isEqualTo(100);
        assertThat(b.delay(2).toMillis()).isEqualTo(400);
        assertThat(b.delay(10).toMillis()).isEqualTo(1000);
        assertThat(b.delay(1000).toMillis()).isEqualTo(1000);
    }
}
