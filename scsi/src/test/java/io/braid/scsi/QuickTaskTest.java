package io.braid.scsi;

import io.braid.store.MemoryBlockDevice;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ScsiTarget#quick}: only plain READ and WRITE may share a thread with other tasks. */
class QuickTaskTest {

    private static final ScsiTarget TARGET = ScsiTargets.create(
            ScsiTargetIdentity.braid("Braid volume", "0001", "ARRAY1"),
            List.of(new LogicalUnitSpec(0, "v0", UUID.randomUUID(), MemoryBlockDevice.ofSize(1 << 20), false)));
    private static final Nexus NEXUS = new Nexus("iqn.i,i,0x1", "iqn.i", "iqn.t,t,0x1", 1, 1);

    @ParameterizedTest(name = "opcode {0} byte1 {1} {2}: {3}")
    @CsvSource({
            "08, 00, SIMPLE, true",          // READ(6)
            "0a, 00, UNTAGGED, true",        // WRITE(6)
            "28, 00, SIMPLE, true",          // READ(10)
            "2a, 00, SIMPLE, true",          // WRITE(10)
            "a8, 00, SIMPLE, true",          // READ(12)
            "aa, 00, SIMPLE, true",          // WRITE(12)
            "88, 00, SIMPLE, true",          // READ(16)
            "8a, 00, SIMPLE, true",          // WRITE(16)
            "2a, 08, SIMPLE, false",         // WRITE(10) with FUA: a flush
            "88, 08, SIMPLE, false",         // READ(16) with FUA: a flush first
            "28, 00, ORDERED, false",        // waits for the tasks before it
            "28, 00, HEAD_OF_QUEUE, false",
            "35, 00, SIMPLE, false",         // SYNCHRONIZE CACHE(10)
            "48, 00, SIMPLE, false",         // SANITIZE
            "00, 00, SIMPLE, false",         // TEST UNIT READY
            "89, 00, SIMPLE, false",         // COMPARE AND WRITE
            "93, 00, SIMPLE, false",         // WRITE SAME(16)
    })
    void onlyPlainReadsAndWritesAreQuick(String opcode, String byte1, TaskAttribute attribute, boolean quick) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) Integer.parseInt(opcode, 16);
        cdb[1] = (byte) Integer.parseInt(byte1, 16);
        assertThat(TARGET.quick(new ScsiTask(NEXUS, 0, cdb, 1, attribute, 0, Unpooled.EMPTY_BUFFER))).isEqualTo(quick);
    }

    @ParameterizedTest(name = "{0}-byte CDB")
    @CsvSource({"0", "5"})
    void aCdbTooShortToReadIsNotQuick(int length) {
        byte[] cdb = new byte[length];
        if (length > 0) {
            cdb[0] = 0x28;
        }
        assertThat(TARGET.quick(new ScsiTask(NEXUS, 0, cdb, 1, TaskAttribute.SIMPLE, 0, Unpooled.EMPTY_BUFFER))).isFalse();
    }
}
