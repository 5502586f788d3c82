package io.braid.store.page;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Write epochs (docs/storage.md invariant D): every write runs inside one epoch; {@link
 * #advanceAndDrain} starts a new epoch and returns once every write of the old one has finished,
 * so that what a following sync makes durable includes them.
 */
final class WriteGate {
    private volatile int epoch = 1;
    private final AtomicLong[] active = {new AtomicLong(), new AtomicLong()};

    /** Enters the current epoch and returns it; pair with {@link #exit}. */
    int enter() {
        while (true) {
            int e = epoch;
            AtomicLong a = active[e & 1];
            a.incrementAndGet();
            if (epoch == e) {
                return e;
            }
            a.decrementAndGet(); // the epoch moved on while we entered: join the new one
        }
    }

    void exit(int e) {
        active[e & 1].decrementAndGet();
    }

    int epoch() {
        return epoch;
    }

    /** Starts the next epoch, waits until the writes of the previous one are done, returns it. */
    synchronized int advanceAndDrain() {
        int old = epoch;
        epoch = old + 1;
        AtomicLong a = active[old & 1];
        long spins = 0;
        while (a.get() != 0) {
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
        return old;
    }
}
