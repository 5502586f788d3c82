package io.braid.node;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.UnitFeature;
import io.braid.store.FileBlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * APTPL (SPC-5 "Persist Through Power Loss") through the node's own file-backed state store:
 * registrations and the reservation made with APTPL 1 are there after the volume is opened again.
 */
class PersistentReservationRestartTest {

    private static final Nexus HOST = new Nexus("iqn.2024-01.test:host,i,0x400001370000", "iqn.2024-01.test:host",
            "iqn.2024-01.io.braid:t,t,0x0001", 1, 1);
    private static final UUID ID = UUID.fromString("6f1d8d3c-3a0e-4b7e-9a55-0d1c2b3a4f50");

    private static ScsiTarget open(FileBlockDevice device, Path dir) {
        return ScsiTargets.create(ScsiTargetIdentity.braid("test", "1", "SERIAL"), List.of(new LogicalUnitSpec(0, "v0", ID,
                device, false, new FileUnitStateStore(dir, "v0"), EnumSet.allOf(UnitFeature.class))));
    }

    private static ScsiResult run(ScsiTarget t, String cdb, byte[] out) {
        ByteBuf data = out == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(out);
        return t.execute(new ScsiTask(HOST, 0, HexFormat.of().parseHex(cdb.replace(" ", "")), 1,
                TaskAttribute.SIMPLE, data.readableBytes(), data));
    }

    private static byte[] dataIn(ScsiResult r) {
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        byte[] b = new byte[r.dataIn().readableBytes()];
        r.dataIn().readBytes(b);
        r.dataIn().release();
        return b;
    }

    @Test
    void registrationAndReservationSurviveReopening(@TempDir Path dir) throws Exception {
        FileBlockDevice first = FileBlockDevice.open(dir.resolve("v0.img"), 1 << 20);
        ScsiTarget before = open(first, dir);
        // REGISTER AND IGNORE EXISTING KEY, key 0xABCD, APTPL 1; then RESERVE Exclusive Access.
        byte[] register = ByteBuffer.allocate(24).putLong(0).putLong(0xABCD).putInt(0).put((byte) 0x01).array();
        assertThat(run(before, "5f 06 00 00 00 00 00 00 18 00", register).status()).isEqualTo(ScsiResult.GOOD);
        byte[] reserve = ByteBuffer.allocate(24).putLong(0xABCD).array();
        assertThat(run(before, "5f 01 03 00 00 00 00 00 18 00", reserve).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(Files.exists(dir.resolve("v0.pr.state"))).isTrue();
        first.close();

        FileBlockDevice second = FileBlockDevice.open(dir.resolve("v0.img"), 1 << 20);
        ScsiTarget after = open(second, dir);
        byte[] keys = dataIn(run(after, "5e 00 00 00 00 00 00 00 40 00", null));
        assertThat(HexFormat.of().formatHex(keys)).isEqualTo("00000001" + "00000008" + "000000000000abcd");
        byte[] res = dataIn(run(after, "5e 01 00 00 00 00 00 00 40 00", null));
        assertThat(res[21]).as("scope/type: Exclusive Access").isEqualTo((byte) 0x03);
        assertThat(ByteBuffer.wrap(res).getLong(8)).isEqualTo(0xABCD);
        byte[] caps = dataIn(run(after, "5e 02 00 00 00 00 00 00 40 00", null));
        assertThat(caps[3] & 0x01).as("PTPL_A").isEqualTo(1);
        second.close();
    }
}
