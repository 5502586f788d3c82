package io.braid.store.page;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A volume's page table: per page its {@link Copies} word and its dirty tag (docs/storage.md
 * invariant D). Kept in chunks of 65536 pages so that growing a volume adds chunks and never copies
 * live atomics. Reads take no lock; copies change only under the store's metadata lock.
 *
 * <p>Tag values: 0 clean; {@link #PENDING} dirty, its PagesDirty/PageAllocated record not yet
 * durable; a positive write epoch: dirty, last written in that epoch.
 */
final class PageTable {
    static final int PENDING = -1;
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MASK = CHUNK - 1;

    private volatile AtomicLongArray[] copies;
    private volatile AtomicIntegerArray[] tags;
    private volatile long pages;

    PageTable(long pages) {
        this.copies = new AtomicLongArray[0];
        this.tags = new AtomicIntegerArray[0];
        grow(pages);
    }

    long pages() {
        return pages;
    }

    /** Makes room for {@code newPages} pages (never shrinks); call with the metadata lock held. */
    void grow(long newPages) {
        if (newPages <= pages) {
            return;
        }
        int chunks = (int) ((newPages + CHUNK - 1) >>> CHUNK_BITS);
        AtomicLongArray[] c = copies;
        AtomicIntegerArray[] t = tags;
        if (chunks > c.length) {
            AtomicLongArray[] nc = Arrays.copyOf(c, chunks);
            AtomicIntegerArray[] nt = Arrays.copyOf(t, chunks);
            for (int i = c.length; i < chunks; i++) {
                nc[i] = new AtomicLongArray(CHUNK);
                nt[i] = new AtomicIntegerArray(CHUNK);
            }
            tags = nt;
            copies = nc;
        }
        pages = newPages;
    }

    long copies(long page) {
        return copies[(int) (page >>> CHUNK_BITS)].get((int) (page & MASK));
    }

    void setCopies(long page, long value) {
        copies[(int) (page >>> CHUNK_BITS)].set((int) (page & MASK), value);
    }

    int tag(long page) {
        return tags[(int) (page >>> CHUNK_BITS)].get((int) (page & MASK));
    }

    void setTag(long page, int value) {
        tags[(int) (page >>> CHUNK_BITS)].set((int) (page & MASK), value);
    }

    boolean casTag(long page, int expected, int value) {
        return tags[(int) (page >>> CHUNK_BITS)].compareAndSet((int) (page & MASK), expected, value);
    }
}
