package io.braid.policy.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IoErrorTest {
    @Test
    void fixedFormatSenseIsDecodedAndCopied() {
        byte[] sense = new byte[18];
        sense[0] = 0x70;
        sense[2] = 0x02; // NOT READY
        sense[7] = 10;
        sense[12] = 0x04;
        sense[13] = 0x0A; // asymmetric access state transition
        IoError e = new IoError(IoError.Kind.CHECK_CONDITION, 0x02, sense, null, null);
        sense[2] = 0x05;
        assertThat(e.senseKey()).isEqualTo(2);
        assertThat(e.asc()).isEqualTo(0x04);
        assertThat(e.ascq()).isEqualTo(0x0A);
        e.sense()[2] = 0x06;
        assertThat(e.senseKey()).as("the module gets copies").isEqualTo(2);
        assertThat(e.toString()).contains("sense 2/04/0a");
    }

    @Test
    void descriptorFormatSenseIsDecoded() {
        byte[] sense = {0x72, 0x06, 0x2A, 0x06, 0, 0, 0, 0};
        IoError e = new IoError(IoError.Kind.CHECK_CONDITION, 0x02, sense, null, null);
        assertThat(e.senseKey()).isEqualTo(6);
        assertThat(e.asc()).isEqualTo(0x2A);
        assertThat(e.ascq()).isEqualTo(0x06);
    }

    @Test
    void transportFailureHasNoSense() {
        IoError e = new IoError(IoError.Kind.TRANSPORT, -1, null, "CONNECTION_LOST", "reset");
        assertThat(e.senseKey()).isEqualTo(-1);
        assertThat(e.asc()).isEqualTo(-1);
        assertThat(e.toString()).isEqualTo("TRANSPORT CONNECTION_LOST: reset");
    }

    @Test
    void verdictDelayIsBounded() {
        assertThat(Verdict.retryOtherPath(Duration.ofMillis(5), "busy").delay()).isEqualTo(Duration.ofMillis(5));
        assertThatThrownBy(() -> Verdict.retrySamePath(Duration.ofMinutes(1), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Verdict.builtIn().action()).isEqualTo(Verdict.Action.DEFAULT);
    }

    @Test
    void deviceAttributesGroupPaths() {
        PathRef a = new PathRef("127.0.0.1", "127.0.0.1:3260", "iqn.t", 0);
        PathRef b = new PathRef("127.0.0.2", "127.0.0.1:3260", "iqn.t", 0);
        DeviceAttributes d = new DeviceAttributes("naa.1", " ACME ", "Box", "1", "", "", "alua", 1 << 20, 512, true,
                java.util.List.of(new PathAttributes(a, true, true, true, 1, AccessState.ACTIVE_OPTIMIZED),
                        new PathAttributes(b, false, false, false, 2, AccessState.STANDBY)));
        assertThat(d.vendor()).isEqualTo("ACME");
        assertThat(d.primaryPaths()).extracting(PathAttributes::ref).containsExactly(a);
        assertThat(d.disconnectedPaths()).extracting(PathAttributes::ref).containsExactly(b);
        assertThat(a.toString()).isEqualTo("127.0.0.1->127.0.0.1:3260 iqn.t lun 0");
    }
}
