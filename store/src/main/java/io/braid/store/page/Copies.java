package io.braid.store.page;

/**
 * The page-table word (docs/storage.md "Metadata directory"): both copies of a page in 64 bits,
 * copy 0 high, copy 1 low, each {@code (drive + 1) << 24 | slot}; 0 is "no storage".
 */
final class Copies {
    static final long NONE = 0;
    private static final int SLOT_BITS = 24;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;

    private Copies() {
    }

    static long of(int drive0, long slot0, int drive1, long slot1) {
        return (half(drive0, slot0) << 32) | half(drive1, slot1);
    }

    private static long half(int drive, long slot) {
        if (drive < 0 || drive >= PageStoreConfig.MAX_DRIVES || slot < 0 || slot > SLOT_MASK) {
            throw new IllegalArgumentException("drive " + drive + " slot " + slot + " out of range");
        }
        return ((long) (drive + 1) << SLOT_BITS | slot) & 0xffffffffL;
    }

    private static int half(long copies, int copy) {
        return (int) (copy == 0 ? copies >>> 32 : copies);
    }

    /** Drive index of copy 0 or 1, or -1 when the page has none. */
    static int drive(long copies, int copy) {
        return (half(copies, copy) >>> SLOT_BITS) - 1;
    }

    static long slot(long copies, int copy) {
        return half(copies, copy) & SLOT_MASK;
    }

    /** Whether a word decoded from disk names two different, existing drives. */
    static boolean valid(long copies, int drives) {
        int d0 = drive(copies, 0);
        int d1 = drive(copies, 1);
        return d0 >= 0 && d1 >= 0 && d0 != d1 && d0 < drives && d1 < drives;
    }

    static String toString(long copies) {
        return copies == NONE ? "none" : PageStore.driveName(drive(copies, 0)) + ":" + slot(copies, 0)
                + "+" + PageStore.driveName(drive(copies, 1)) + ":" + slot(copies, 1);
    }
}
