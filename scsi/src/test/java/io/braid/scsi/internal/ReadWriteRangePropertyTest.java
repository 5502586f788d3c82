package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** LBA and transfer length checking of every READ/WRITE size, against exact arithmetic. */
class ReadWriteRangePropertyTest {

    private static final long CAPACITY = 20_000;
    private static final long MAX_BLOCKS = TargetLimits.DEFAULT.maxTransferBlocks(512);

    private final MemoryBlockDevice dev = new MemoryBlockDevice(512, CAPACITY);
    private final Harness h = Harness.of(dev);

    @Property(tries = 400)
    void readOutcomeFollowsTheRange(@ForAll("sizes") LbaFields size, @ForAll("lbas") long lba,
                                    @ForAll("lengths") long blocks) {
        long maxLba = switch (size) {
            case SIX -> 0x1F_FFFF;
            case TEN, TWELVE -> 0xFFFF_FFFFL;
            case SIXTEEN -> -1L;
        };
        long maxLength = switch (size) {
            case SIX -> 256;
            case TEN -> 0xFFFF;
            default -> 0xFFFF_FFFFL;
        };
        if (Long.compareUnsigned(lba, maxLba) > 0 || blocks > maxLength || (size == LbaFields.SIX && blocks == 0)) {
            return; // not expressible in this CDB size
        }
        byte[] cdb = switch (size) {
            case SIX -> Cdbs.six(Cdbs.READ6, (int) lba, (int) (blocks & 0xFF));
            case TEN -> Cdbs.ten(Cdbs.READ10, 0, lba, (int) blocks);
            case TWELVE -> Cdbs.twelve(Cdbs.READ12, 0, lba, blocks);
            case SIXTEEN -> Cdbs.sixteen(Cdbs.READ16, 0, lba, blocks);
        };
        Harness.Reply r = h.run(0, cdb);
        BigInteger end = new BigInteger(Long.toUnsignedString(lba)).add(BigInteger.valueOf(blocks));
        boolean inside = Long.compareUnsigned(lba, CAPACITY) < 0 && end.compareTo(BigInteger.valueOf(CAPACITY)) <= 0;
        if (!inside) {
            assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
            assertThat(r.asc()).as("LBA OUT OF RANGE").isEqualTo(0x21);
        } else if (blocks > MAX_BLOCKS) {
            assertThat(r.asc()).as("INVALID FIELD IN CDB").isEqualTo(0x24);
            assertThat(r.sense()[17]).as("field pointer at the length").isEqualTo((byte) size.lengthByte());
        } else {
            assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
            assertThat(r.transferLength()).isEqualTo((int) blocks * 512);
        }
    }

    @Property(tries = 100)
    void writeThenReadRoundTrips(@ForAll("sizes") LbaFields write, @ForAll("sizes") LbaFields read,
                                 @ForAll @IntRange(min = 0, max = 19_900) int lba,
                                 @ForAll @IntRange(min = 1, max = 64) int blocks,
                                 @ForAll @IntRange(min = 0, max = 255) int seed) {
        byte[] data = Cdbs.pattern(blocks * 512, seed);
        assertThat(h.run(0, Cdbs.rw(write, true, 0, lba, blocks), data).status()).isZero();
        assertThat(dev.content(lba, blocks)).isEqualTo(data);
        assertThat(h.run(0, Cdbs.rw(read, false, 0, lba, blocks)).data()).isEqualTo(data);
    }

    @Provide
    Arbitrary<LbaFields> sizes() {
        return Arbitraries.of(LbaFields.class);
    }

    @Provide
    Arbitrary<Long> lbas() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, CAPACITY + 10),
                Arbitraries.longs().between(CAPACITY - 300, CAPACITY + 2),
                Arbitraries.longs(),
                Arbitraries.of(-1L, 0xFFFF_FFFFL, 0x1F_FFFFL, 1L << 55, Long.MIN_VALUE));
    }

    @Provide
    Arbitrary<Long> lengths() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 300),
                Arbitraries.longs().between(MAX_BLOCKS - 2, MAX_BLOCKS + 2),
                Arbitraries.longs().between(0, 0xFFFF_FFFFL));
    }
}
