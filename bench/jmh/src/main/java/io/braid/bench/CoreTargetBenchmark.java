package io.braid.bench;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.braid.store.BlockDevice;
import io.braid.store.MemoryBlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.UUID;

/**
 * CDB dispatch in the SCSI core (SBC-4 READ(10) and WRITE(10)) through {@link ScsiTarget#execute}
 * against an in-memory device: the LUN lookup, task set registration, the shared checks (unit
 * attention, reserved bits, reservations, write protection), the LBA range lock, the handler, the
 * data-in buffer and the result. {@code device} is {@code heap} (the benchmark's own array, one
 * copy and nothing else) or {@code memory} (the store's {@link MemoryBlockDevice}, what
 * {@code braid up --volume NAME:SIZE:memory} serves); {@code size} is the transfer in bytes; LBAs
 * walk the 64 MiB device.
 */
@State(Scope.Thread)
public class CoreTargetBenchmark {

    private static final int BLOCK = 512;
    private static final int CAPACITY = 64 << 20;

    @Param({"4096", "131072"})
    public int size;

    @Param({"heap", "memory"})
    public String device;

    private ScsiTarget target;
    private Nexus nexus;
    private ByteBuf dataOut;
    private long lba;
    private long tag;

    @Setup(Level.Trial)
    public void setUp() {
        BlockDevice dev = device.equals("memory")
                ? new MemoryBlockDevice(BLOCK, CAPACITY / BLOCK) : new HeapBlockDevice(BLOCK, CAPACITY);
        target = ScsiTargets.create(ScsiTargetIdentity.braid("bench", "1", "bench0001"),
                List.of(new LogicalUnitSpec(0, "bench", UUID.nameUUIDFromBytes(new byte[]{1}), dev, false)));
        nexus = new Nexus("iqn.2026-11.io.braid:bench,i,0x000000000001", "iqn.2026-11.io.braid:bench",
                "iqn.2026-11.io.braid:target,t,0x0001", 1, 1);
        target.nexusAdded(nexus);
        // The first command reports the power-on unit attention; take it out of the way.
        ScsiResult r = target.execute(task(new byte[6], 0, Unpooled.EMPTY_BUFFER));
        if (r.status() != ScsiResult.CHECK_CONDITION) {
            throw new IllegalStateException("expected the power-on unit attention, got status " + r.status());
        }
        dataOut = PooledByteBufAllocator.DEFAULT.directBuffer(size).writeZero(size);
        ScsiResult check = execute(false);
        if (check.status() != ScsiResult.GOOD) {
            throw new IllegalStateException("READ(10) status " + check.status());
        }
        check.dataIn().release();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dataOut.release();
        target.nexusRemoved(nexus);
    }

    private ScsiTask task(byte[] cdb, int edtl, ByteBuf data) {
        return new ScsiTask(nexus, 0L, cdb, tag++ & 0xffff_ffffL, TaskAttribute.SIMPLE, edtl, data);
    }

    private ScsiResult execute(boolean write) {
        int blocks = size / BLOCK;
        lba = (lba + blocks) % (CAPACITY / BLOCK - blocks);
        byte[] cdb = new byte[16];
        cdb[0] = (byte) (write ? 0x2a : 0x28);
        cdb[2] = (byte) (lba >>> 24);
        cdb[3] = (byte) (lba >>> 16);
        cdb[4] = (byte) (lba >>> 8);
        cdb[5] = (byte) lba;
        cdb[7] = (byte) (blocks >>> 8);
        cdb[8] = (byte) blocks;
        return target.execute(task(cdb, size, write ? dataOut.retainedDuplicate() : Unpooled.EMPTY_BUFFER));
    }

    @Benchmark
    public int read10() {
        ScsiResult r = execute(false);
        r.dataIn().release();
        return r.status();
    }

    @Benchmark
    public int write10() {
        return execute(true).status();
    }
}
