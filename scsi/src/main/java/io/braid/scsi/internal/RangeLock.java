package io.braid.scsi.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.StampedLock;

/**
 * The LBA range lock of one logical unit: what makes COMPARE AND WRITE, ORWRITE, WRITE ATOMIC and
 * WRITE AND VERIFY atomic against every other command that changes the medium (SBC-4 "COMPARE
 * AND WRITE": the compare and the write are "an uninterrupted series of actions"). Commands that
 * only write take the range <em>shared</em>, so plain writes never wait for one another; the
 * read-modify-write commands take it <em>exclusive</em>.
 *
 * <p>The LBA space is cut into stripes of 1 MiB, and stripe {@code s} is guarded by lock
 * {@code s mod }{@value #LOCKS}: a range takes the locks of the stripes it touches (all of them
 * when it spans {@value #LOCKS} stripes or more), always in ascending lock order, so no two
 * holders can wait for each other in a cycle. A plain write is one compare-and-set per stripe to
 * take and one to release, with no allocation and no lock shared by the whole unit.
 *
 * <p>Shared holders would otherwise barge past a waiting exclusive holder for as long as writes
 * keep arriving; a per-lock count of waiting exclusive holders makes new shared holders step
 * aside, so a COMPARE AND WRITE cannot starve under write load.
 *
 * <p>Waits poll {@link Command#checkAborted()} (when given a command) every
 * {@value #POLL_MILLIS} ms so task management can end a task stuck behind a long holder; shared
 * waiters also run the unit's check, which ends the wait when a sanitize operation has taken
 * the whole medium.
 */
final class RangeLock {

    /** Locks per unit: a power of two, so a stripe maps to its lock with a mask. */
    static final int LOCKS = 64;
    private static final int POLL_MILLIS = 20;
    private static final int STRIPE_BYTES = 1 << 20;

    private final StampedLock[] locks = new StampedLock[LOCKS];
    private final AtomicIntegerArray exclusiveWaiting = new AtomicIntegerArray(LOCKS);
    private final int stripeShift;
    private final Runnable sharedWaitCheck;

    /**
     * @param blockSize       the unit's logical block size, a power of two up to 1 MiB
     * @param sharedWaitCheck run while a shared holder waits; throws to end the wait
     */
    RangeLock(int blockSize, Runnable sharedWaitCheck) {
        this.sharedWaitCheck = sharedWaitCheck;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new StampedLock();
        }
        this.stripeShift = Integer.numberOfTrailingZeros(Math.max(1, STRIPE_BYTES / blockSize));
    }

    /** Takes {@code blocks} blocks from {@code lba} shared; zero blocks take nothing. */
    void lockShared(long lba, long blocks, Command command) {
        acquire(lba, blocks, false, command);
    }

    void unlockShared(long lba, long blocks) {
        release(lba, blocks, false);
    }

    /** Takes {@code blocks} blocks from {@code lba} exclusive; zero blocks take nothing. */
    void lockExclusive(long lba, long blocks, Command command) {
        acquire(lba, blocks, true, command);
    }

    void unlockExclusive(long lba, long blocks) {
        release(lba, blocks, true);
    }

    /** The whole medium, exclusive (SANITIZE). */
    void lockAll(Command command) {
        acquireLocks(0, LOCKS - 1, true, command);
    }

    void unlockAll() {
        releaseLocks(0, LOCKS - 1, true);
    }

    private void acquire(long lba, long blocks, boolean exclusive, Command command) {
        if (blocks <= 0) {
            return;
        }
        long first = lba >>> stripeShift;
        long last = (lba + blocks - 1) >>> stripeShift;
        if (last - first >= LOCKS - 1) {
            acquireLocks(0, LOCKS - 1, exclusive, command);
            return;
        }
        int from = (int) (first & (LOCKS - 1));
        int to = (int) (last & (LOCKS - 1));
        if (from <= to) {
            acquireLocks(from, to, exclusive, command);
        } else {
            // The stripes wrap around the lock array: lower locks first keeps the global order.
            acquireLocks(0, to, exclusive, command);
            try {
                acquireLocks(from, LOCKS - 1, exclusive, command);
            } catch (RuntimeException e) {
                releaseLocks(0, to, exclusive);
                throw e;
            }
        }
    }

    private void release(long lba, long blocks, boolean exclusive) {
        if (blocks <= 0) {
            return;
        }
        long first = lba >>> stripeShift;
        long last = (lba + blocks - 1) >>> stripeShift;
        if (last - first >= LOCKS - 1) {
            releaseLocks(0, LOCKS - 1, exclusive);
            return;
        }
        int from = (int) (first & (LOCKS - 1));
        int to = (int) (last & (LOCKS - 1));
        if (from <= to) {
            releaseLocks(from, to, exclusive);
        } else {
            releaseLocks(0, to, exclusive);
            releaseLocks(from, LOCKS - 1, exclusive);
        }
    }

    /** Takes locks {@code from..to} in ascending order; on failure releases what it took. */
    private void acquireLocks(int from, int to, boolean exclusive, Command command) {
        int i = from;
        try {
            for (; i <= to; i++) {
                if (exclusive) {
                    lockOneExclusive(i, command);
                } else {
                    lockOneShared(i, command);
                }
            }
        } catch (RuntimeException e) {
            releaseLocks(from, i - 1, exclusive);
            throw e;
        }
    }

    private void releaseLocks(int from, int to, boolean exclusive) {
        for (int i = from; i <= to; i++) {
            if (exclusive) {
                locks[i].tryUnlockWrite();
            } else {
                locks[i].tryUnlockRead();
            }
        }
    }

    private void lockOneShared(int i, Command command) {
        StampedLock lock = locks[i];
        if (exclusiveWaiting.get(i) == 0 && lock.tryReadLock() != 0) {
            return;
        }
        long waitedNanos = 0;
        while (true) {
            if (exclusiveWaiting.get(i) > 0) {
                // Let the waiting exclusive holder in first; it holds the lock only briefly.
                LockSupport.parkNanos(50_000);
                waitedNanos += 50_000;
                if (waitedNanos >= TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)) {
                    waitedNanos = 0;
                    checkAborted(command);
                    sharedWaitCheck.run();
                }
                continue;
            }
            try {
                if (lock.tryReadLock(POLL_MILLIS, TimeUnit.MILLISECONDS) != 0) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
            }
            checkAborted(command);
            sharedWaitCheck.run();
        }
    }

    private void lockOneExclusive(int i, Command command) {
        StampedLock lock = locks[i];
        if (lock.tryWriteLock() != 0) {
            return;
        }
        exclusiveWaiting.incrementAndGet(i);
        try {
            while (lock.tryWriteLock(POLL_MILLIS, TimeUnit.MILLISECONDS) == 0) {
                checkAborted(command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
        } finally {
            exclusiveWaiting.decrementAndGet(i);
        }
    }

    private static void checkAborted(Command command) {
        if (command != null) {
            command.checkAborted();
        }
    }
}
