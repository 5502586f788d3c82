package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;

import static io.braid.scsi.internal.Cdbs.pattern;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static org.assertj.core.api.Assertions.assertThat;

/** FUA, SYNCHRONIZE CACHE and backstore failures, observed on a recording device. */
class DeviceCallsTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 1000);
    private final Harness h = Harness.of(dev);

    private static MemoryBlockDevice.Op write(long offset, int length, boolean fua) {
        return new MemoryBlockDevice.Op("write", offset, length, fua);
    }

    private static final MemoryBlockDevice.Op FLUSH = new MemoryBlockDevice.Op("flush", 0, 0, false);

    @Test
    void fuaReachesTheDeviceWrite() {
        assertThat(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0x08, 4, 2), pattern(1024, 1)).status()).isZero();
        assertThat(h.run(0, Cdbs.twelve(Cdbs.WRITE12, 0x00, 6, 1), pattern(512, 1)).status()).isZero();
        assertThat(h.run(0, Cdbs.sixteen(Cdbs.WRITE16, 0x18, 7, 1), pattern(512, 1)).status()).isZero();
        assertThat(h.run(0, Cdbs.six(Cdbs.WRITE6, 8, 1), pattern(512, 1)).status()).isZero();
        assertThat(dev.ops()).containsExactly(write(2048, 1024, true), write(3072, 512, false),
                write(3584, 512, true), write(4096, 512, false));
    }

    @Test
    void fuaOverSeveralDataOutPiecesEndsWithOneFlush() {
        io.netty.buffer.CompositeByteBuf parts = io.netty.buffer.Unpooled.compositeBuffer();
        byte[] d = pattern(1024, 2);
        parts.addComponents(true, io.netty.buffer.Unpooled.wrappedBuffer(d, 0, 512), io.netty.buffer.Unpooled.wrappedBuffer(d, 512, 512));
        assertThat(h.run(Harness.NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0x08, 0, 2), parts, io.braid.scsi.TaskAttribute.SIMPLE)
                .status()).isZero();
        assertThat(dev.ops()).containsExactly(write(0, 512, false), write(512, 512, false), FLUSH);
        assertThat(dev.content(0, 2)).isEqualTo(d);
    }

    @Test
    void fuaReadFlushesFirst() {
        assertThat(h.run(0, Cdbs.ten(Cdbs.READ10, 0x08, 0, 1)).status()).isZero();
        assertThat(dev.ops()).containsExactly(FLUSH, new MemoryBlockDevice.Op("read", 0, 512, false));
    }

    @Test
    void synchronizeCacheFlushes() {
        assertThat(h.run(0, Cdbs.ten(Cdbs.SYNC10, 0, 0, 0)).status()).isZero();
        assertThat(h.run(0, Cdbs.ten(Cdbs.SYNC10, 0x02, 10, 990)).status()).as("IMMED").isZero();
        Harness.Reply r = h.run(0, Cdbs.sixteen(Cdbs.SYNC16, 0, 999, 1));
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isZero();
        assertThat(dev.ops()).containsExactly(FLUSH, FLUSH, FLUSH);
    }

    @Test
    void synchronizeCacheRangeIsChecked() {
        assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.SYNC10, 0, 1000, 0)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.SYNC10, 0, 999, 2)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.sixteen(Cdbs.SYNC16, 0, -1L, 1)), 0x5, 0x21, 0x00);
        assertThat(dev.ops()).isEmpty();
    }

    @Test
    void readFailureIsUnrecoveredReadErrorAtTheLba() {
        dev.failWith(new IOException("disk on fire"));
        Harness.Reply r = h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0x123, 1));
        assertThat(HexFormat.of().formatHex(r.sense())).isEqualTo("f0000300000123" + "0a00000000" + "1100" + "00000000");
    }

    @Test
    void writeAndFlushFailuresAreWriteErrors() {
        dev.failWith(new IOException("disk on fire"));
        Harness.Reply w = h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 7, 1), new byte[512]);
        assertThat(w.senseKey()).isEqualTo(0x3);
        assertThat(w.asc()).isEqualTo(0x0C);
        assertThat(w.sense()[6]).as("INFORMATION = LBA").isEqualTo((byte) 7);
        Harness.Reply f = h.run(0, Cdbs.ten(Cdbs.SYNC10, 0, 0, 0));
        assertThat(f.senseKey()).isEqualTo(0x3);
        assertThat(f.asc()).isEqualTo(0x0C);
    }

    @Test
    void closedDeviceIsNotReady() {
        dev.closeForTest();
        assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.READ10, 0, 0, 1)), 0x2, 0x04, 0x00);
    }

    @Test
    void readCapacity10() {
        Harness.Reply r = h.run(0, "25 00 00 00 00 00 00 00 00 00");
        assertThat(r.status()).isZero();
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("000003e7" + "00000200");
        assertThat(h.run(0, "25 01 00 00 00 05 00 00 01 00").data()).as("obsolete RELADR, LBA and PMI ignored")
                .isEqualTo(r.data());
        assertThat(h.run(0, "25 00 00 00 00 00 00 00 00 00").transferLength()).isEqualTo(8);
    }

    @Test
    void readCapacity10SaysFfffffffWhenTheLastLbaDoesNotFit() {
        Harness huge = new Harness(List.of(Harness.unit(0, new MemoryBlockDevice(4096, 0x1_0000_0001L))));
        assertThat(HexFormat.of().formatHex(huge.run(0, "25 00 00 00 00 00 00 00 00 00").data())).isEqualTo("ffffffff00001000");
        assertThat(HexFormat.of().formatHex(huge.run(0, "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00").data(), 0, 12))
                .isEqualTo("0000000100000000" + "00001000");
    }

    @Test
    void readCapacity16() {
        Harness.Reply r = h.run(0, "9e 10 00 00 00 00 00 00 00 00 00 00 00 60 00 00");
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isEqualTo(32);
        assertThat(HexFormat.of().formatHex(r.data())).isEqualTo("00000000000003e7" + "00000200"
                + "00" // no protection
                + "00" // no exponent, LBPPBE 0
                + "0000" // LBPME 0, LBPRZ 0, lowest aligned LBA 0
                + "00".repeat(16));
    }

    @Test
    void readCapacity16AllocationLength() {
        byte[] full = h.run(0, "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00").data();
        for (int alloc = 0; alloc < 16; alloc++) {
            Harness.Reply r = h.run(0, String.format("9e 10 00 00 00 00 00 00 00 00 %08x 00 00", alloc));
            assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
            assertThat(r.transferLength()).isEqualTo(alloc);
            if (alloc > 0) {
                assertThat(r.data()).isEqualTo(java.util.Arrays.copyOf(full, alloc));
            }
        }
    }

    @Test
    void unknownServiceActionPointsAtIt() {
        SenseAssert.assertInvalidFieldInCdb(h.run(0, "9e 11 00 00 00 00 00 00 00 00 00 00 00 20 00 00"), 1, 4);
    }
}
