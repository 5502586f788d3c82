package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.braid.store.BlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks every command goes through before its handler, and the table they come from. */
class DispatchTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 100);
    private final Harness h = Harness.of(dev);

    @Test
    void unsupportedOpcode() {
        Harness.Reply r = h.run(0, "c0 00 00 00 00 00 00 00 00 00");
        assertThat(HexFormat.of().formatHex(r.sense())).isEqualTo("700005000000000a" + "00000000" + "2000" + "00000000");
        assertCheckCondition(h.run(0, "01 00 00 00 00 00"), 0x5, 0x20, 0x00); // REZERO UNIT, obsolete
        // MAINTENANCE IN with a service action the core lacks (REPORT IDENTIFYING INFORMATION).
        assertInvalidFieldInCdb(h.run(0, "a3 05 00 00 00 00 00 00 ff ff 00 00"), 1, 4);
    }

    @Test
    void writeDataOutIsReleasedOnEveryErrorPath() {
        for (String cdb : List.of("c0 00 00 00 00 00", "2a 00 00 00 ff ff 00 00 01 00", "2a e0 00 00 00 00 00 00 01 00")) {
            ByteBuf out = Unpooled.wrappedBuffer(new byte[512]);
            Harness.Reply r = h.run(Harness.NEXUS_A, 0, Harness.cdb(cdb), out, TaskAttribute.SIMPLE);
            assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
            assertThat(out.refCnt()).isZero();
        }
        ByteBuf out = Unpooled.wrappedBuffer(new byte[512]);
        h.run(Harness.NEXUS_A, 9, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), out, TaskAttribute.SIMPLE);
        assertThat(out.refCnt()).isZero();
    }

    @Test
    void logicalUnitNotSupportedForMissingOrUnaddressableLuns() {
        assertCheckCondition(h.run(1, Cdbs.ten(Cdbs.READ10, 0, 0, 1)), 0x5, 0x25, 0x00);
        assertCheckCondition(h.run(1, "ff 00 00 00 00 00"), 0x5, 0x25, 0x00);
        ScsiResult secondLevel = h.target.execute(new ScsiTask(Harness.NEXUS_A, 0x0000_0001_0000_0000L,
                Harness.cdb("00 00 00 00 00 00"), 1, TaskAttribute.SIMPLE, 0, null));
        assertCheckCondition(Harness.unpack(secondLevel, null), 0x5, 0x25, 0x00);
        ScsiResult flatZero = h.target.execute(new ScsiTask(Harness.NEXUS_A, 0x4000_0000_0000_0000L,
                Harness.cdb("00 00 00 00 00 00"), 2, TaskAttribute.SIMPLE, 0, null));
        assertThat(flatZero.status()).as("flat space addressing of LUN 0").isZero();
    }

    @Test
    void emptyNullAndTruncatedCdbs() {
        assertCheckCondition(h.run(0, new byte[0]), 0x5, 0x20, 0x00);
        ScsiResult nullCdb = h.target.execute(new ScsiTask(Harness.NEXUS_A, 0, null, 3, TaskAttribute.SIMPLE, 0, null));
        assertCheckCondition(Harness.unpack(nullCdb, null), 0x5, 0x20, 0x00);
        assertCheckCondition(h.run(0, "28 00 00 00 00 00"), 0x5, 0x20, 0x00);
        assertCheckCondition(h.run(0, "9e"), 0x5, 0x20, 0x00);
        assertCheckCondition(h.run(0, "9e 10 00 00"), 0x5, 0x20, 0x00);
    }

    @Test
    void paddedCdbsAreFine() {
        byte[] padded = new byte[16];
        System.arraycopy(Cdbs.ten(Cdbs.READ10, 0, 0, 1), 0, padded, 0, 10);
        padded[12] = 0x55; // beyond the command: not looked at
        assertThat(h.run(0, padded).data()).hasSize(512);
    }

    @Test
    void acaTaskAttributeIsRefused() {
        Harness.Reply r = h.run(Harness.NEXUS_A, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.ACA);
        assertCheckCondition(r, 0x5, 0x0E, 0x03);
        Harness.Reply untagged = h.run(Harness.NEXUS_A, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.UNTAGGED);
        assertThat(untagged.status()).isZero();
    }

    @Test
    void aBugInTheCoreOrBackstoreIsAnInternalTargetFailure() {
        BlockDevice broken = new BlockDevice() {
            @Override
            public int blockSize() {
                return 512;
            }

            @Override
            public long blockCount() {
                return 10;
            }

            @Override
            public void read(long offset, ByteBuffer dst) {
                throw new IllegalStateException("bug");
            }

            @Override
            public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Harness b = Harness.of(broken);
        Harness.Reply r = b.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1));
        assertCheckCondition(r, 0x4, 0x44, 0x00);
        assertThat(r.transferLength()).isEqualTo(512);
        assertThat(b.target.tasksInFlight()).isZero();
    }

    @Test
    void everyAllocationLengthCommandTruncatesToOneByteAndToNothing() {
        List<String> commands = List.of("12 00 00 00 %02x 00", "12 01 83 00 %02x 00", "03 00 00 00 %02x 00",
                "1a 00 3f 00 %02x 00", "5a 00 3f 00 00 00 00 00 %02x 00", "a0 00 00 00 00 00 00 00 00 %02x 00 00",
                "9e 10 00 00 00 00 00 00 00 00 00 00 00 %02x 00 00");
        for (String c : commands) {
            Harness.Reply one = h.run(0, String.format(c, 1));
            assertThat(one.status()).as(c).isZero();
            assertThat(one.data()).as(c).hasSize(1);
            Harness.Reply none = h.run(0, String.format(c, 0));
            assertThat(none.status()).as(c).isZero();
            assertThat(none.data()).as(c).isNull();
            assertThat(none.transferLength()).as(c).isZero();
        }
    }

    @Test
    void tableInvariants() {
        CommandTable table = h.target.commandTable();
        Set<String> names = new HashSet<>();
        for (CommandDescriptor d : table.all()) {
            assertThat(names.add(d.name())).as("unique name " + d.name()).isTrue();
            int group = d.opcode() >>> 5;
            int expectedLength = switch (group) {
                case 0 -> 6;
                case 1, 2 -> 10;
                case 4 -> 16;
                case 5 -> 12;
                default -> d.cdbLength();
            };
            assertThat(d.cdbLength()).as(d.name() + " length from the group code").isEqualTo(expectedLength);
            byte[] usage = d.usage();
            byte[] ignored = d.ignored();
            for (int i = 0; i < d.cdbLength(); i++) {
                assertThat(usage[i] & ignored[i]).as(d.name() + " byte " + i + " both used and ignored").isZero();
            }
            assertThat(ignored[d.cdbLength() - 1] & 0xFF).as(d.name() + " CONTROL byte").isEqualTo(0xC2);
            byte[] cdb = new byte[d.cdbLength()];
            cdb[0] = (byte) d.opcode();
            if (d.serviceAction() >= 0) {
                cdb[1] = (byte) d.serviceAction();
            }
            assertThat(table.find(cdb)).isSameAs(d);
            assertThat(d.firstInvalidBit(cdb)).isNull();
        }
        assertThat(table.all()).extracting(CommandDescriptor::name).contains("INQUIRY", "REPORT LUNS", "REQUEST SENSE",
                "TEST UNIT READY", "MODE SENSE(6)", "MODE SENSE(10)", "READ CAPACITY(10)", "READ CAPACITY(16)",
                "READ(6)", "READ(10)", "READ(12)", "READ(16)", "WRITE(6)", "WRITE(10)", "WRITE(12)", "WRITE(16)",
                "VERIFY(10)", "VERIFY(12)", "VERIFY(16)", "SYNCHRONIZE CACHE(10)", "SYNCHRONIZE CACHE(16)");
    }

    @Test
    void invalidBitIsTheMostSignificantOfTheFirstOffendingByte() {
        CommandDescriptor read10 = h.target.commandTable().find(Cdbs.ten(Cdbs.READ10, 0, 0, 1));
        byte[] cdb = Cdbs.ten(Cdbs.READ10, 0x60, 0, 1);
        cdb[6] = (byte) 0xC0;
        assertThat(read10.firstInvalidBit(cdb)).isEqualTo(FieldPointer.cdb(1, 6));
        assertInvalidFieldInCdb(h.run(0, cdb), 1, 6);
        cdb[1] = 0;
        assertInvalidFieldInCdb(h.run(0, cdb), 6, 7);
    }
}
