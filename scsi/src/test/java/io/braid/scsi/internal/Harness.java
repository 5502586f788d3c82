package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.braid.store.BlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** An in-memory transport for the core (the LIO {@code tcm_loop} idea): builds tasks, runs them, unpacks results. */
final class Harness {

    static final Nexus NEXUS_A = new Nexus("iqn.2024-01.test:host-a,i,0x400001370000", "iqn.2024-01.test:host-a",
            "iqn.2024-01.io.braid:t0,t,0x0001", 1, 0);
    static final Nexus NEXUS_B = new Nexus("iqn.2024-01.test:host-b,i,0x400001370001", "iqn.2024-01.test:host-b",
            "iqn.2024-01.io.braid:t0,t,0x0002", 2, 1);
    static final ScsiTargetIdentity IDENTITY = ScsiTargetIdentity.braid("Braid volume", "0001", "ARRAY0001");

    final CoreTarget target;
    private final AtomicLong tags = new AtomicLong(1);

    Harness(List<LogicalUnitSpec> units) {
        this(units, io.braid.scsi.AccessControl.OPEN);
    }

    Harness(List<LogicalUnitSpec> units, io.braid.scsi.AccessControl access) {
        this.target = new CoreTarget(IDENTITY, units, UnpooledByteBufAllocator.DEFAULT, TargetLimits.DEFAULT, access);
    }

    /** One writable unit at LUN 0 over {@code device}. */
    static Harness of(BlockDevice device) {
        return new Harness(List.of(unit(0, device)));
    }

    static LogicalUnitSpec unit(int lun, BlockDevice device) {
        return new LogicalUnitSpec(lun, "v" + lun, uuid(lun), device, false);
    }

    static LogicalUnitSpec readOnlyUnit(int lun, BlockDevice device) {
        return new LogicalUnitSpec(lun, "ro" + lun, uuid(lun), device, true);
    }

    static UUID uuid(int lun) {
        return UUID.nameUUIDFromBytes(("volume-" + lun).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] cdb(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** What a transport would get back, with the data-in copied out and its buffer released. */
    record Reply(int status, byte[] sense, byte[] data, int transferLength) {

        int senseKey() {
            return sense[0] == 0x72 ? sense[1] & 0x0F : sense[2] & 0x0F;
        }

        int asc() {
            return sense[0] == 0x72 ? sense[2] & 0xFF : sense[12] & 0xFF;
        }

        int ascq() {
            return sense[0] == 0x72 ? sense[3] & 0xFF : sense[13] & 0xFF;
        }
    }

    Reply run(int lun, String cdbHex) {
        return run(NEXUS_A, lun, cdb(cdbHex), null, TaskAttribute.SIMPLE);
    }

    Reply run(int lun, byte[] cdb) {
        return run(NEXUS_A, lun, cdb, null, TaskAttribute.SIMPLE);
    }

    Reply run(int lun, byte[] cdb, byte[] dataOut) {
        return run(NEXUS_A, lun, cdb, dataOut == null ? null : Unpooled.wrappedBuffer(dataOut), TaskAttribute.SIMPLE);
    }

    Reply run(Nexus nexus, int lun, byte[] cdb, ByteBuf dataOut, TaskAttribute attribute) {
        return unpack(execute(nexus, lun, cdb, dataOut, attribute, tags.getAndIncrement()), dataOut);
    }

    ScsiResult execute(Nexus nexus, int lun, byte[] cdb, ByteBuf dataOut, TaskAttribute attribute, long tag) {
        ByteBuf out = dataOut == null ? Unpooled.EMPTY_BUFFER : dataOut;
        int edtl = out.readableBytes();
        return target.execute(new ScsiTask(nexus, Lun.encode(lun), cdb, tag, attribute, edtl, out));
    }

    static Reply unpack(ScsiResult r, ByteBuf dataOut) {
        if (dataOut != null && dataOut != Unpooled.EMPTY_BUFFER) {
            assertThat(dataOut.refCnt()).as("the core releases data-out").isZero();
        }
        byte[] data = null;
        if (r.dataIn() != null) {
            ByteBuf in = r.dataIn();
            assertThat(in.readableBytes()).as("data-in length equals transferLength").isEqualTo(r.transferLength());
            data = new byte[in.readableBytes()];
            in.getBytes(in.readerIndex(), data);
            assertThat(in.release()).as("data-in is handed over with one reference").isTrue();
        }
        if (r.status() == ScsiResult.CHECK_CONDITION) {
            assertThat(r.sense()).as("sense with CHECK CONDITION").isNotNull();
            assertThat(r.dataIn()).isNull();
        } else {
            assertThat(r.sense()).as("sense only with CHECK CONDITION").isNull();
        }
        return new Reply(r.status(), r.sense(), data, r.transferLength());
    }

    /** Clears the power-on unit attention of {@code nexus} on every unit by announcing it and sending TUR. */
    void login(Nexus nexus, int... luns) {
        target.nexusAdded(nexus);
        for (int lun : luns) {
            Reply r = run(nexus, lun, cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE);
            assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
        }
    }
}
