package io.braid.scsi.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LunTest {

    @Test
    void peripheralBelow256FlatAbove() {
        assertThat(Lun.encode(0)).isZero();
        assertThat(Lun.encode(5)).isEqualTo(0x0005_0000_0000_0000L);
        assertThat(Lun.encode(300)).isEqualTo(0x412C_0000_0000_0000L);
        assertThat(Lun.encode(16383)).isEqualTo(0x7FFF_0000_0000_0000L);
    }

    @Test
    void decodesBothAddressingMethods() {
        assertThat(Lun.decode(0x0005_0000_0000_0000L)).isEqualTo(5);
        assertThat(Lun.decode(0x4005_0000_0000_0000L)).isEqualTo(5);
        assertThat(Lun.decode(0x412C_0000_0000_0000L)).isEqualTo(300);
    }

    @Test
    void otherStructuresAreNotAddressed() {
        assertThat(Lun.decode(0x0105_0000_0000_0000L)).as("bus identifier 1").isEqualTo(Lun.UNSUPPORTED);
        assertThat(Lun.decode(0x0005_0001_0000_0000L)).as("second level").isEqualTo(Lun.UNSUPPORTED);
        assertThat(Lun.decode(0x8005_0000_0000_0000L)).as("logical unit addressing").isEqualTo(Lun.UNSUPPORTED);
        assertThat(Lun.decode(0xC101_0000_0000_0000L)).as("well known LU").isEqualTo(Lun.UNSUPPORTED);
        assertThatThrownBy(() -> Lun.encode(16384)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void encodeDecodeRoundTrip(@ForAll @IntRange(min = 0, max = 16383) int lun) {
        assertThat(Lun.decode(Lun.encode(lun))).isEqualTo(lun);
    }
}
