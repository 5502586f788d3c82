package io.braid.store.page;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Buffers for the slow paths (edge units of unaligned I/O, repairs, rebuild, scrub): two chunk
 * buffers and their checksum words, pooled so that I/O threads (often virtual threads, one per
 * command) do not allocate direct memory per call.
 */
final class Scratch {
    static final int CHUNK_UNITS = 64;
    final ByteBuffer a = ByteBuffer.allocateDirect(CHUNK_UNITS * DriveHeader.UNIT);
    final ByteBuffer b = ByteBuffer.allocateDirect(CHUNK_UNITS * DriveHeader.UNIT);
    final int[] wa = new int[CHUNK_UNITS];
    final int[] wb = new int[CHUNK_UNITS];

    private static final int POOL = 32;
    private static final AtomicReferenceArray<Scratch> pool = new AtomicReferenceArray<>(POOL);

    static Scratch take() {
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < POOL; i++) {
            int idx = (start + i) & (POOL - 1);
            Scratch s = pool.get(idx);
            if (s != null && pool.compareAndSet(idx, s, null)) {
                return s;
            }
        }
        return new Scratch();
    }

    static void give(Scratch s) {
        if (s == null) {
            return;
        }
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < POOL; i++) {
            int idx = (start + i) & (POOL - 1);
            if (pool.get(idx) == null && pool.compareAndSet(idx, null, s)) {
                return;
            }
        }
    }

    /** The {@code n}-unit region of buffer {@code k} (0 = a, 1 = b) starting at unit {@code i}. */
    ByteBuffer units(int k, int i, int n) {
        ByteBuffer buf = k == 0 ? a : b;
        return buf.duplicate().limit((i + n) * DriveHeader.UNIT).position(i * DriveHeader.UNIT);
    }

    int[] words(int k) {
        return k == 0 ? wa : wb;
    }
}
