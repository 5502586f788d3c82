package io.braid.scsi;

import io.braid.store.BlockDevice;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScsiTargetsTest {

    private static final ScsiTargetIdentity ID = ScsiTargetIdentity.braid("Braid volume", "0001", "ARRAY1");

    private static BlockDevice device(int blockSize, long blocks) {
        return new BlockDevice() {
            @Override
            public int blockSize() {
                return blockSize;
            }

            @Override
            public long blockCount() {
                return blocks;
            }

            @Override
            public void read(long offset, ByteBuffer dst) {
                dst.position(dst.limit());
            }

            @Override
            public void write(long offset, ByteBuffer src, boolean fua) {
                src.position(src.limit());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void createsATargetListingItsLuns() {
        ScsiTarget t = ScsiTargets.create(ID, List.of(
                new LogicalUnitSpec(3, "b", UUID.randomUUID(), device(512, 10), false),
                new LogicalUnitSpec(0, "a", UUID.randomUUID(), device(4096, 10), true)));
        Nexus n = new Nexus("i", "i", "t", 1, 0);
        assertThat(t.luns(n)).containsExactly(0L, 0x0003_0000_0000_0000L);
        ScsiResult r = t.execute(new ScsiTask(n, 0, new byte[] {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1,
                TaskAttribute.SIMPLE, 8, null));
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        assertThat(r.dataIn().getInt(4)).isEqualTo(4096);
        r.dataIn().release();
    }

    @Test
    void refusesCollidingLunsAndVolumeIds() {
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> ScsiTargets.create(ID, List.of(
                new LogicalUnitSpec(0, "a", UUID.randomUUID(), device(512, 10), false),
                new LogicalUnitSpec(0, "b", UUID.randomUUID(), device(512, 10), false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lun 0 used twice");
        assertThatThrownBy(() -> ScsiTargets.create(ID, List.of(
                new LogicalUnitSpec(0, "a", id, device(512, 10), false),
                new LogicalUnitSpec(1, "b", id, device(512, 10), false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("used twice");
    }

    @Test
    void refusesDevicesItCannotPresent() {
        assertThatThrownBy(() -> ScsiTargets.create(ID, List.of(
                new LogicalUnitSpec(0, "a", UUID.randomUUID(), device(520, 10), false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size 520");
        assertThatThrownBy(() -> ScsiTargets.create(ID, List.of(
                new LogicalUnitSpec(0, "a", UUID.randomUUID(), device(512, 0), false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no blocks");
    }

    @Test
    void anEmptyTargetStillAnswersForLunZero() {
        ScsiTarget t = ScsiTargets.create(ID, List.of());
        Nexus n = new Nexus("i", "i", "t", 1, 0);
        ScsiResult r = t.execute(new ScsiTask(n, 0, new byte[] {0x12, 0, 0, 0, 36, 0}, 1, TaskAttribute.SIMPLE, 36, null));
        assertThat(r.dataIn().getByte(0)).isEqualTo((byte) 0x7F);
        r.dataIn().release();
    }

    @Test
    void identityFieldsAreCheckedAgainstTheirInquiryWidths() {
        assertThat(ScsiTargetIdentity.braid("p", "1", "s").vendorId()).isEqualTo("BRAID");
        assertThatThrownBy(() -> ScsiTargetIdentity.braid("a product name too long", "1", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("productId");
        assertThatThrownBy(() -> ScsiTargetIdentity.braid("p", "12345", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("revision");
        assertThatThrownBy(() -> ScsiTargetIdentity.braid("p", "1", "x".repeat(33)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serial");
        assertThatThrownBy(() -> ScsiTargetIdentity.braid("p\u00e9", "1", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> new ScsiTargetIdentity("VENDORTOOLONG", "p", "1", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vendorId");
    }
}
