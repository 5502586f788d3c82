package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.braid.scsi.internal.Cdbs.pattern;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CoreTarget#executeAll}: plain WRITEs of one nexus to consecutive blocks reach the device
 * as one write, and every task still gets the status, sense and release it would get alone.
 */
class CombinedWritesTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 1000);
    private final Harness h = Harness.of(dev);
    private final List<ByteBuf> dataOuts = new ArrayList<>();
    private long tag = 100;

    private static MemoryBlockDevice.Op write(long lba, int blocks) {
        return new MemoryBlockDevice.Op("write", lba * 512, blocks * 512, false);
    }

    private ScsiTask task(Nexus nexus, byte[] cdb, byte[] data) {
        ByteBuf out = data == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(data);
        if (data != null) {
            dataOuts.add(out);
        }
        return new ScsiTask(nexus, Lun.encode(0), cdb, tag++, TaskAttribute.SIMPLE, out.readableBytes(), out);
    }

    private ScsiTask write10(long lba, int blocks, int seed) {
        return task(Harness.NEXUS_A, Cdbs.ten(Cdbs.WRITE10, 0, lba, blocks), pattern(blocks * 512, seed));
    }

    private List<Harness.Reply> run(Set<Integer> abandoned, ScsiTask... tasks) {
        Harness.Reply[] replies = new Harness.Reply[tasks.length];
        List<Integer> order = new ArrayList<>();
        h.target.executeAll(tasks, new ScsiTarget.Completion() {
            @Override
            public void completed(int index, ScsiResult result) {
                assertThat(replies[index]).as("one result per task").isNull();
                order.add(index);
                replies[index] = Harness.unpack(result, null);
            }

            @Override
            public boolean abandoned(int index) {
                return abandoned.contains(index);
            }
        });
        assertThat(order).as("results in task order").isSorted().hasSize(tasks.length);
        for (ByteBuf b : dataOuts) {
            assertThat(b.refCnt()).as("the core releases every data-out").isZero();
        }
        return List.of(replies);
    }

    private List<Harness.Reply> run(ScsiTask... tasks) {
        return run(Set.of(), tasks);
    }

    @Test
    void consecutiveWritesReachTheDeviceAsOneWrite() {
        List<Harness.Reply> r = run(write10(10, 2, 1), write10(12, 1, 2), write10(13, 4, 3), write10(17, 1, 4));
        assertThat(r).allSatisfy(x -> {
            assertThat(x.status()).isEqualTo(ScsiResult.GOOD);
            assertThat(x.transferLength()).isPositive();
        });
        assertThat(r.get(2).transferLength()).isEqualTo(4 * 512);
        assertThat(dev.ops()).containsExactly(write(10, 8));
        assertThat(dev.content(10, 2)).isEqualTo(pattern(1024, 1));
        assertThat(dev.content(12, 1)).isEqualTo(pattern(512, 2));
        assertThat(dev.content(13, 4)).isEqualTo(pattern(2048, 3));
        assertThat(dev.content(17, 1)).isEqualTo(pattern(512, 4));
    }

    @Test
    void aGapAnotherCommandOrAnotherNexusEndsTheRun() {
        ScsiTask read = task(Harness.NEXUS_A, Cdbs.ten(Cdbs.READ10, 0, 0, 2), null);
        ScsiTask otherNexus = task(Harness.NEXUS_B, Cdbs.ten(Cdbs.WRITE10, 0, 7, 1), pattern(512, 9));
        List<Harness.Reply> r = run(write10(0, 1, 1), write10(1, 1, 2), read, write10(2, 1, 3), write10(3, 1, 4),
                write10(5, 1, 5), write10(6, 1, 6), otherNexus);
        assertThat(r).allSatisfy(x -> assertThat(x.status()).isEqualTo(ScsiResult.GOOD));
        assertThat(r.get(2).data()).as("the read runs between the two runs").isEqualTo(
                concat(pattern(512, 1), pattern(512, 2)));
        assertThat(dev.ops()).containsExactly(write(0, 2), new MemoryBlockDevice.Op("read", 0, 1024, false),
                write(2, 2), write(5, 2), write(7, 1));
    }

    @Test
    void fuaWritesGoAlone() {
        ScsiTask a = task(Harness.NEXUS_A, Cdbs.ten(Cdbs.WRITE10, 0x08, 0, 1), pattern(512, 1));
        ScsiTask b = task(Harness.NEXUS_A, Cdbs.ten(Cdbs.WRITE10, 0x08, 1, 1), pattern(512, 2));
        run(a, b);
        assertThat(dev.ops()).containsExactly(new MemoryBlockDevice.Op("write", 0, 512, true),
                new MemoryBlockDevice.Op("write", 512, 512, true));
    }

    @Test
    void writesAboveTheBoundGoAlone() {
        int most = CoreTarget.COMBINED_WRITE_MAX / 512;
        run(write10(0, most, 1), write10(most, most, 2));
        assertThat(dev.ops()).containsExactly(write(0, 2 * most));
        dev.clearOps();
        run(write10(200, most + 1, 3), write10(201 + most, 1, 4));
        assertThat(dev.ops()).containsExactly(write(200, most + 1), write(201 + most, 1));
    }

    @Test
    void aUnitAttentionGoesToItsTaskAndTheOthersAreStillWritten() {
        h.target.nexusAdded(Harness.NEXUS_A); // POWER ON, RESET, OR BUS DEVICE RESET OCCURRED pending
        List<Harness.Reply> r = run(write10(0, 1, 1), write10(1, 1, 2), write10(2, 1, 3));
        assertCheckCondition(r.get(0), 0x6, 0x29, 0x00);
        assertThat(r.get(1).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(r.get(2).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(dev.ops()).containsExactly(write(1, 2));
        assertThat(dev.content(0, 1)).isEqualTo(new byte[512]);
    }

    @Test
    void aWriteBeyondTheEndGetsItsOwnErrorAndTheRestAreWritten() {
        List<Harness.Reply> r = run(write10(996, 2, 1), write10(998, 2, 2), write10(1000, 2, 3));
        assertThat(r.get(0).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(r.get(1).status()).isEqualTo(ScsiResult.GOOD);
        assertCheckCondition(r.get(2), 0x5, 0x21, 0x00);
        assertThat(dev.ops()).containsExactly(write(996, 4));
    }

    @Test
    void anAbandonedTaskIsNeitherRunNorWritten() {
        List<Harness.Reply> r = run(Set.of(1), write10(0, 1, 1), write10(1, 1, 2), write10(2, 1, 3));
        assertThat(r.get(1).status()).isEqualTo(ScsiResult.TASK_ABORTED);
        assertThat(r.get(0).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(r.get(2).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(dev.ops()).containsExactly(write(0, 1), write(2, 1));
        assertThat(dev.content(1, 1)).isEqualTo(new byte[512]);
    }

    @Test
    void aFailedCombinedWriteIsRetriedOneByOneSoEachTaskReportsItsOwnLba() {
        dev.failWith(new IOException("disk on fire"));
        List<Harness.Reply> r = run(write10(7, 1, 1), write10(8, 1, 2));
        assertThat(r).allSatisfy(x -> {
            assertThat(x.senseKey()).isEqualTo(0x3);
            assertThat(x.asc()).isEqualTo(0x0C);
        });
        assertThat(r.get(0).sense()[6]).as("INFORMATION = LBA").isEqualTo((byte) 7);
        assertThat(r.get(1).sense()[6]).as("INFORMATION = LBA").isEqualTo((byte) 8);
    }

    @Test
    void aReusedTagIsRefusedAloneAndTheRunGoesOn() {
        ScsiTask a = write10(0, 1, 1);
        ScsiTask twin = new ScsiTask(Harness.NEXUS_A, Lun.encode(0), Cdbs.ten(Cdbs.WRITE10, 0, 1, 1), a.tag(),
                TaskAttribute.SIMPLE, 512, Unpooled.wrappedBuffer(pattern(512, 2)));
        dataOuts.add(twin.dataOut());
        List<Harness.Reply> r = run(a, twin, write10(2, 1, 3));
        assertThat(r.get(0).status()).isEqualTo(ScsiResult.GOOD);
        assertCheckCondition(r.get(1), 0xB, 0x4E, 0x00);
        assertThat(r.get(2).status()).isEqualTo(ScsiResult.GOOD);
        assertThat(dev.ops()).containsExactly(write(0, 1), write(2, 1));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
