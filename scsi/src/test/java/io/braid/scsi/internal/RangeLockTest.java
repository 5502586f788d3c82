package io.braid.scsi.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RangeLockTest {

    /** 512-byte blocks: a stripe is 2048 blocks (1 MiB), 64 locks cover 128 Mi blocks before wrapping. */
    private final RangeLock lock = new RangeLock(512, () -> { });
    private static final long STRIPE = 2048;

    private boolean sharedGetsIn(long lba, long blocks) throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            Future<?> f = one.submit(() -> {
                lock.lockShared(lba, blocks, null);
                lock.unlockShared(lba, blocks);
            });
            try {
                f.get(200, TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void sharedHoldersDoNotExcludeEachOther() throws Exception {
        lock.lockShared(0, 10, null);
        assertThat(sharedGetsIn(5, 10)).isTrue();
        lock.unlockShared(0, 10);
    }

    @Test
    void exclusiveExcludesOverlappingWritersOnly() throws Exception {
        lock.lockExclusive(100, 1, null);
        try {
            assertThat(sharedGetsIn(100, 1)).isFalse();
            assertThat(sharedGetsIn(0, 200)).isFalse();
            assertThat(sharedGetsIn(STRIPE, 10)).as("another stripe").isTrue();
        } finally {
            lock.unlockExclusive(100, 1);
        }
        assertThat(sharedGetsIn(100, 1)).isTrue();
    }

    @Test
    void stripesThatShareALockWrapAroundAndStillWork() throws Exception {
        long far = STRIPE * RangeLock.LOCKS; // maps to the same lock as stripe 0
        lock.lockExclusive(far + 3, 1, null);
        try {
            assertThat(sharedGetsIn(3, 1)).as("same lock: a false conflict, never a missed one").isFalse();
            // A range crossing the end of the lock array takes locks 63 and 0 in ascending order.
            long crossing = STRIPE * (RangeLock.LOCKS - 1) + STRIPE - 1;
            assertThat(sharedGetsIn(crossing, 2)).isFalse();
        } finally {
            lock.unlockExclusive(far + 3, 1);
        }
        long crossing = STRIPE * (RangeLock.LOCKS - 1) + STRIPE - 1;
        lock.lockExclusive(crossing, 2, null);
        lock.unlockExclusive(crossing, 2);
        assertThat(sharedGetsIn(0, 1)).isTrue();
    }

    @Test
    void wholeMediumExclusive() throws Exception {
        lock.lockAll(null);
        try {
            assertThat(sharedGetsIn(STRIPE * 17 + 5, 1)).isFalse();
        } finally {
            lock.unlockAll();
        }
        assertThat(sharedGetsIn(STRIPE * 17 + 5, 1)).isTrue();
    }

    @Test
    void aSharedWaiterEndsWhenTheUnitCheckSaysSo() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        RangeLock checked = new RangeLock(512, () -> {
            if (checks.incrementAndGet() > 2) {
                throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
            }
        });
        checked.lockAll(null);
        try {
            assertThatThrownBy(() -> checked.lockShared(0, 4 * STRIPE, null)).isInstanceOf(CheckCondition.class);
        } finally {
            checked.unlockAll();
        }
        // Nothing is left held by the failed attempt.
        checked.lockAll(null);
        checked.unlockAll();
    }

    /**
     * Random shared and exclusive ranges from several threads (crossing stripes and wrapping the
     * lock array): nobody deadlocks, and no block is ever held exclusive while anyone else holds it.
     */
    @Test
    void randomMixNeverDeadlocksOrOverlapsAnExclusiveHolder() throws Exception {
        int threads = 8;
        long span = STRIPE * (RangeLock.LOCKS + 8);
        int cells = 256;
        long cellBlocks = span / cells;
        AtomicIntegerArray holders = new AtomicIntegerArray(cells); // >0 shared holders, -1 exclusive
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        int first = r.nextInt(cells);
                        int n = 1 + r.nextInt(r.nextInt(10) == 0 ? cells - first : Math.min(8, cells - first));
                        boolean exclusive = r.nextInt(5) == 0;
                        long lba = first * cellBlocks;
                        long blocks = n * cellBlocks;
                        if (exclusive) {
                            lock.lockExclusive(lba, blocks, null);
                            for (int c = first; c < first + n; c++) {
                                assertThat(holders.compareAndSet(c, 0, -1)).as("cell %d free for exclusive", c).isTrue();
                            }
                            for (int c = first; c < first + n; c++) {
                                holders.set(c, 0);
                            }
                            lock.unlockExclusive(lba, blocks);
                        } else {
                            lock.lockShared(lba, blocks, null);
                            for (int c = first; c < first + n; c++) {
                                assertThat(holders.getAndIncrement(c)).as("cell %d not exclusive", c).isNotNegative();
                            }
                            for (int c = first; c < first + n; c++) {
                                holders.decrementAndGet(c);
                            }
                            lock.unlockShared(lba, blocks);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
