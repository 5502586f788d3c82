package io.braid.store.page;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static io.braid.store.page.StoreFixture.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-after-write against a plain byte array, through every kind of operation the store has:
 * aligned and unaligned writes (with and without FUA), UNMAP, flush, clean restarts and crashes
 * (as SIGKILL: what was written is in the page cache and must all come back).
 */
class ReadAfterWritePropertyTest {
    private static final int BLOCKS = 6 * PAGE / 512;

    sealed interface Op {
    }

    record Write(int block, int count, long seed, boolean fua) implements Op {
    }

    record Unmap(int block, int count) implements Op {
    }

    record Flush() implements Op {
    }

    record Reopen(boolean crash) implements Op {
    }

    record Fail(int drive) implements Op {
    }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> block = Arbitraries.integers().between(0, BLOCKS - 1);
        Arbitrary<Integer> count = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(1, 16)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 300)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, Combinators.combine(block, count, Arbitraries.longs(), Arbitraries.of(false, false, true))
                        .as(Write::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(block, count).as(Unmap::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Flush())),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(true, false).map(Reopen::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 3).map(Fail::new)));
    }

    @Property(tries = 25)
    void everyReadReturnsWhatTheModelHolds(@ForAll @Size(min = 1, max = 30) List<@net.jqwik.api.From("ops") Op> ops)
            throws Exception {
        Path dir = Files.createTempDirectory("pagestore-prop");
        try {
            PageStoreConfig cfg = StoreFixture.config(dir, 4, 8 << 20);
            UUID id = UUID.randomUUID();
            byte[] model = new byte[BLOCKS * 512];
            PageStore s = PageStore.open(cfg);
            PageVolume v = s.createVolume(id, "v", model.length);
            boolean failedOne = false;
            try {
                for (Op op : ops) {
                    switch (op) {
                        case Write w -> {
                            int n = Math.min(w.count(), BLOCKS - w.block()) * 512;
                            byte[] b = new byte[n];
                            new Random(w.seed()).nextBytes(b);
                            v.write(w.block() * 512L, ByteBuffer.wrap(b), w.fua());
                            System.arraycopy(b, 0, model, w.block() * 512, n);
                        }
                        case Unmap u -> {
                            int n = Math.min(u.count(), BLOCKS - u.block()) * 512;
                            v.unmap(u.block() * 512L, n);
                            java.util.Arrays.fill(model, u.block() * 512, u.block() * 512 + n, (byte) 0);
                        }
                        case Flush f -> v.flush();
                        case Reopen r -> {
                            if (r.crash()) {
                                StoreFixture.crash(s);
                            } else {
                                s.close();
                            }
                            s = PageStore.open(cfg);
                            v = s.volume(id).orElseThrow();
                        }
                        case Fail f -> {
                            // One failure at a time: the mirror must always have a good copy.
                            if (!failedOne) {
                                s.fail(f.drive());
                                failedOne = true;
                            }
                        }
                    }
                    assertThat(StoreFixture.read(v, 0, model.length)).isEqualTo(model);
                }
            } finally {
                s.close();
            }
        } finally {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
