package io.braid.scsi.internal;

import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static io.braid.scsi.internal.Cdbs.pattern;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CoreTarget#staysInMemory}: a plain WRITE whose bytes the unit's device would only copy
 * into memory, asked of the device with the write's byte range; never anything else.
 */
class StaysInMemoryTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 1000);
    private final Harness h = Harness.of(dev);

    private static ScsiTask task(byte[] cdb, int dataBytes, TaskAttribute attribute) {
        return new ScsiTask(Harness.NEXUS_A, Lun.encode(0), cdb, 7, attribute, dataBytes,
                dataBytes == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(pattern(dataBytes, 1)));
    }

    private static ScsiTask write10(long lba, int blocks) {
        return task(Cdbs.ten(Cdbs.WRITE10, 0, lba, blocks), blocks * 512, TaskAttribute.SIMPLE);
    }

    @Test
    void aPlainWriteAsksTheDeviceForItsBytes() {
        assertThat(h.target.staysInMemory(write10(10, 8))).as("the device says no").isFalse();
        dev.staysInMemory(true);
        assertThat(h.target.staysInMemory(write10(10, 8))).isTrue();
        assertThat(dev.asked()).extracting(r -> r[0] + "+" + r[1]).containsExactly("5120+4096", "5120+4096");
    }

    @Test
    void nothingButAPlainWriteStaysInMemory() {
        dev.staysInMemory(true);
        assertThat(h.target.staysInMemory(task(Cdbs.ten(Cdbs.READ10, 0, 0, 8), 0, TaskAttribute.SIMPLE)))
                .as("a read").isFalse();
        assertThat(h.target.staysInMemory(task(Cdbs.ten(Cdbs.WRITE10, 0x08, 0, 8), 4096, TaskAttribute.SIMPLE)))
                .as("FUA: a sync").isFalse();
        assertThat(h.target.staysInMemory(task(Cdbs.ten(Cdbs.WRITE10, 0, 0, 8), 4096, TaskAttribute.ORDERED)))
                .as("an ORDERED task").isFalse();
        assertThat(h.target.staysInMemory(task(Cdbs.ten(Cdbs.WRITE10, 0, 0, 8), 2048, TaskAttribute.SIMPLE)))
                .as("data-out short of the blocks named").isFalse();
        assertThat(h.target.staysInMemory(write10(0, (CoreTarget.COMBINED_WRITE_MAX / 512) + 1)))
                .as("larger than a combined write").isFalse();
        assertThat(h.target.staysInMemory(write10(996, 8))).as("past the end").isFalse();
        assertThat(dev.asked()).as("none of them reached the device").isEmpty();
    }

    @Test
    void notWhileAnOrderedTaskHoldsTheUnit() throws Exception {
        dev.staysInMemory(true);
        LogicalUnit unit = h.target.unit(Harness.NEXUS_A, 0);
        assertThat(h.target.staysInMemory(write10(0, 8))).isTrue();

        Lock ordered = unit.taskOrder().writeLock();
        assertThat(ordered.tryLock(1, TimeUnit.SECONDS)).isTrue();
        try {
            assertThat(h.target.staysInMemory(write10(0, 8))).as("it would wait for the ORDERED task").isFalse();
        } finally {
            ordered.unlock();
        }
    }
}
