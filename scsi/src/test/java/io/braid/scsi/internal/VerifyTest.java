package io.braid.scsi.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static io.braid.scsi.internal.Cdbs.pattern;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static io.braid.scsi.internal.SenseAssert.assertInvalidFieldInCdb;
import static org.assertj.core.api.Assertions.assertThat;

class VerifyTest {

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, 1000);
    private final Harness h = Harness.of(dev);
    private final byte[] data = pattern(4 * 512, 77);

    private static byte[] verify(LbaFields size, int flags, long lba, int blocks) {
        return switch (size) {
            case TEN -> Cdbs.ten(Cdbs.VERIFY10, flags, lba, blocks);
            case TWELVE -> Cdbs.twelve(Cdbs.VERIFY12, flags, lba, blocks);
            case SIXTEEN -> Cdbs.sixteen(Cdbs.VERIFY16, flags, lba, blocks);
            case SIX -> throw new IllegalArgumentException();
        };
    }

    private void seed() {
        assertThat(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 20, 4), data).status()).isZero();
        dev.clearOps();
    }

    @ParameterizedTest
    @EnumSource(value = LbaFields.class, names = {"TEN", "TWELVE", "SIXTEEN"})
    void mediumVerificationReadsTheRange(LbaFields size) {
        Harness.Reply r = h.run(0, verify(size, 0x10, 0, 1000));
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isZero();
        assertThat(dev.ops()).extracting(MemoryBlockDevice.Op::kind).containsOnly("read");
        assertThat(dev.ops().stream().mapToLong(MemoryBlockDevice.Op::length).sum()).isEqualTo(1000 * 512);
    }

    @ParameterizedTest
    @EnumSource(value = LbaFields.class, names = {"TEN", "TWELVE", "SIXTEEN"})
    void byteCheckMatch(LbaFields size) {
        seed();
        Harness.Reply r = h.run(0, verify(size, 0x02, 20, 4), data);
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isEqualTo(2048);
    }

    @ParameterizedTest
    @EnumSource(value = LbaFields.class, names = {"TEN", "TWELVE", "SIXTEEN"})
    void byteCheckMismatchReportsTheOffset(LbaFields size) {
        seed();
        byte[] wrong = data.clone();
        wrong[1300] ^= 0x58;
        Harness.Reply r = h.run(0, verify(size, 0x02, 20, 4), wrong);
        // MISCOMPARE / MISCOMPARE DURING VERIFY OPERATION, VALID with INFORMATION = 1300 (514h).
        assertThat(HexFormat.of().formatHex(r.sense())).isEqualTo("f0000e00000514" + "0a00000000" + "1d00" + "00000000");
    }

    @Test
    void byteCheckOneBlockPattern() {
        byte[] block = pattern(512, 5);
        byte[] four = new byte[2048];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(block, 0, four, i * 512, 512);
        }
        assertThat(h.run(0, Cdbs.ten(Cdbs.WRITE10, 0, 40, 4), four).status()).isZero();
        Harness.Reply ok = h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0x06, 40, 4), block);
        assertThat(ok.status()).isZero();
        assertThat(ok.transferLength()).isEqualTo(512);
        Harness.Reply bad = h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0x06, 40, 5), block);
        assertThat(bad.senseKey()).isEqualTo(0xE);
        assertThat(bad.asc()).isEqualTo(0x1D);
        assertThat(bad.sense()[6] & 0xFF).as("first byte of the block that differs").isEqualTo(0);
    }

    @Test
    void reservedByteCheckAndProtection() {
        assertInvalidFieldInCdb(h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0x04, 0, 1), new byte[512]), 1, 2);
        for (int p = 1; p < 8; p++) {
            assertInvalidFieldInCdb(h.run(0, Cdbs.ten(Cdbs.VERIFY10, p << 5 | 0x02, 0, 1), new byte[512]),
                    1, 31 - Integer.numberOfLeadingZeros(p << 5));
        }
        assertInvalidFieldInCdb(h.run(0, Cdbs.sixteen(Cdbs.VERIFY16, 0x01, 0, 1)), 1, 0);
    }

    @Test
    void rangeAndZeroLength() {
        assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0, 999, 2)), 0x5, 0x21, 0x00);
        assertCheckCondition(h.run(0, Cdbs.sixteen(Cdbs.VERIFY16, 0x02, -1L, 0)), 0x5, 0x21, 0x00);
        assertThat(h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0x02, 999, 0)).status()).isZero();
        assertThat(dev.ops()).isEmpty();
    }

    @Test
    void byteCheckWithShortDataOutComparesTheBlocksReceived() {
        seed();
        Harness.Reply r = h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0x02, 20, 4), Arrays.copyOf(data, 1024));
        assertThat(r.status()).isZero();
        assertThat(r.transferLength()).isEqualTo(2048);
        assertCheckCondition(h.run(0, Cdbs.ten(Cdbs.VERIFY10, 0x02, 20, 4), Arrays.copyOf(data, 1000)), 0x5, 0x0E, 0x03);
    }
}
