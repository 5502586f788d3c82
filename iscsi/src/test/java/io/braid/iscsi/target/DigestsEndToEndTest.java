package io.braid.iscsi.target;

import io.braid.iscsi.login.TextKeys;
import io.braid.iscsi.pdu.DataIn;
import io.braid.iscsi.pdu.DataOut;
import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.ReadyToTransfer;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.store.FileBlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HeaderDigest and DataDigest CRC32C through the whole engine and the real SCSI core on a file:
 * a write with immediate data plus R2T-solicited Data-Out, then a read back over Data-In.
 */
class DigestsEndToEndTest {
    private static final String IQN = "iqn.2026-11.io.braid:digests";

    @Test
    void writeAndReadBackWithHeaderAndDataDigests(@TempDir Path dir) throws Exception {
        try (FileBlockDevice device = FileBlockDevice.open(dir.resolve("v0.img"), 8 << 20)) {
            var scsi = ScsiTargets.create(ScsiTargetIdentity.braid("test", "0001", "digest-test"),
                    List.of(new LogicalUnitSpec(0, "v0", UUID.randomUUID(), device, false)));
            IscsiTargetServer server = new IscsiTargetServer(TargetServerConfig.of(
                    List.of(new Portal("127.0.0.1", 0, 1)), List.of(new TargetDefinition(IQN, null, scsi, List.of())),
                    null));
            server.start();
            try (ScriptedInitiator ini = new ScriptedInitiator(server.boundAddresses().get(0))) {
                Map<String, String> keys = new LinkedHashMap<>();
                keys.put("InitiatorName", "iqn.2026-11.io.braid:test-initiator");
                keys.put("SessionType", "Normal");
                keys.put("TargetName", IQN);
                keys.put("HeaderDigest", "CRC32C");
                keys.put("DataDigest", "CRC32C");
                keys.put("InitialR2T", "Yes");
                keys.put("ImmediateData", "Yes");
                keys.put("MaxRecvDataSegmentLength", "8192");
                keys.put("FirstBurstLength", "4096");
                keys.put("MaxBurstLength", "16384");
                int cmdSn = 0x7ffffffe; // crosses the sign bit: serial arithmetic matters
                LoginResponse login = ini.login(0x400001230000L, cmdSn, keys);
                assertThat(login.statusClass()).isZero();
                Map<String, String> answer = TextKeys.parse(login.data());
                login.release();
                assertThat(answer).containsEntry("HeaderDigest", "CRC32C").containsEntry("DataDigest", "CRC32C");
                ini.digests(true, true);

                // The first command of a new nexus reports POWER ON, RESET (SAM-5 unit attention).
                ini.send(new ScsiCommand(false, true, false, false, 1, 0, 0x0f, 0, cmdSn++, 0, new byte[16], -1,
                        Unpooled.EMPTY_BUFFER));
                ScsiResponse ua = ini.take(ScsiResponse.class);
                assertThat(ua.status()).isEqualTo(2);
                assertThat(ua.data().getByte(2 + 2) & 0x0f).isEqualTo(6); // sense key UNIT ATTENTION
                ua.release();

                byte[] payload = new byte[64 * 512];
                new Random(42).nextBytes(payload);
                byte[] write10 = {0x2a, 0, 0, 0, 0, 16, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0};
                ini.send(new ScsiCommand(false, true, false, true, 1, 0, 0x10, payload.length, cmdSn++, 0,
                        write10, -1, Unpooled.wrappedBuffer(payload, 0, 4096)));
                int offset = 4096;
                while (offset < payload.length) {
                    ReadyToTransfer r2t = ini.take(ReadyToTransfer.class);
                    assertThat(r2t.bufferOffset()).isEqualTo(offset);
                    int end = r2t.bufferOffset() + r2t.desiredDataTransferLength();
                    int dataSn = 0;
                    for (int o = r2t.bufferOffset(); o < end; o += 8192) {
                        int n = Math.min(8192, end - o);
                        ini.send(new DataOut(o + n == end, 0, 0x10, r2t.ttt(), 0, dataSn++, o,
                                Unpooled.wrappedBuffer(payload, o, n)));
                    }
                    offset = end;
                }
                ScsiResponse written = ini.take(ScsiResponse.class);
                assertThat(written.status()).isZero();
                assertThat(written.itt()).isEqualTo(0x10);

                byte[] read10 = {0x28, 0, 0, 0, 0, 16, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0};
                ini.send(new ScsiCommand(false, true, true, false, 1, 0, 0x11, payload.length, cmdSn++, 0,
                        read10, -1, Unpooled.EMPTY_BUFFER));
                byte[] back = new byte[payload.length];
                int got = 0;
                while (true) {
                    DataIn in = ini.take(DataIn.class);
                    assertThat(in.data().readableBytes()).isLessThanOrEqualTo(8192);
                    in.data().readBytes(back, in.bufferOffset(), in.data().readableBytes());
                    got += in.data().capacity();
                    boolean last = in.statusPresent();
                    if (last) {
                        assertThat(in.status()).isZero();
                    }
                    in.release();
                    if (last) {
                        break;
                    }
                }
                assertThat(got).isEqualTo(payload.length);
                assertThat(back).isEqualTo(payload);
            } finally {
                server.close();
            }
        }
    }
}
