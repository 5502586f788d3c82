package io.braid.store.page;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Lock stripes over 256 KiB chunks of pages (docs/storage.md invariant W): a writer, a repair, a
 * rebuild or scrub step and a page free hold the stripes of the chunks they touch. Several stripes
 * are always taken in ascending index order, so two holders never deadlock.
 */
final class StripeLocks {
    private static final int STRIPES = 4096;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    StripeLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    static int index(int volume, long page, int chunk) {
        long h = volume * 0x9E3779B97F4A7C15L + page * 0xC2B2AE3D27D4EB4FL + chunk * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h & (STRIPES - 1);
    }

    /** Locks the stripes of chunks {@code c0..c1} of a page; pass the result to {@link #unlock}. */
    int[] lock(int volume, long page, int c0, int c1) {
        int n = c1 - c0 + 1;
        int[] held = new int[n];
        for (int i = 0; i < n; i++) {
            held[i] = index(volume, page, c0 + i);
        }
        java.util.Arrays.sort(held);
        int last = -1;
        for (int s : held) {
            if (s != last) {
                locks[s].lock();
                last = s;
            }
        }
        return held;
    }

    void unlock(int[] held) {
        int last = -1;
        for (int s : held) {
            if (s != last) {
                locks[s].unlock();
                last = s;
            }
        }
    }

    ReentrantLock one(int volume, long page, int chunk) {
        return locks[index(volume, page, chunk)];
    }
}
