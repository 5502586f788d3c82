package io.braid.scsi.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BlockRangePropertyTest {

    @Property(tries = 5000)
    void insideMatchesExactArithmetic(@ForAll("lbas") long lba, @ForAll("lengths") long blocks,
                                      @ForAll("capacities") long capacity) {
        BigInteger l = new BigInteger(Long.toUnsignedString(lba));
        BigInteger end = l.add(BigInteger.valueOf(blocks));
        BigInteger cap = BigInteger.valueOf(capacity);
        boolean expected = l.compareTo(cap) < 0 && end.compareTo(cap) <= 0;
        assertThat(BlockRange.inside(lba, blocks, capacity)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<Long> lbas() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(0, 5000),
                Arbitraries.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFF_FFFFL, 0x8000_0000L, 1L << 55, 1L << 54));
    }

    @Provide
    Arbitrary<Long> lengths() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 0xFFFF_FFFFL),
                Arbitraries.longs().between(0, 300));
    }

    @Provide
    Arbitrary<Long> capacities() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 5000),
                Arbitraries.longs().between(1, Long.MAX_VALUE));
    }
}
