package io.braid.store.page;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;

/**
 * One drive position {@code d<index>} of a store: its identity, state, opened file and slot
 * allocation. The slot fields are guarded by the store's metadata lock; state and file are
 * volatile for the I/O path.
 */
final class Drive {
    final int index;
    volatile DriveState state;
    volatile String cause;
    volatile UUID id;
    volatile Path path;
    /** The opened drive; null while FAILED (or before the store opened it). */
    volatile DriveFile file;
    /** Set after a write to this drive, cleared just before a sync of it. */
    volatile boolean unsynced;
    volatile RebuildTask rebuild;

    long slots;                       // guarded by the metadata lock, as everything below
    final BitSet used = new BitSet();
    long usedCount;
    int cursor;
    /** Slots whose checksum words were zeroed, waiting for a sync before reuse (invariant Z). */
    List<Integer> pendingFree = new ArrayList<>();

    Drive(int index, UUID id, Path path, DriveState state, String cause, long slots) {
        this.index = index;
        this.id = id;
        this.path = path;
        this.state = state;
        this.cause = cause;
        this.slots = slots;
    }

    /** The file when the drive may be read, else null. */
    DriveFile readable() {
        DriveFile f = file;
        return state.readable() ? f : null;
    }

    /** The file when the drive takes writes, else null. */
    DriveFile writable() {
        DriveFile f = file;
        return state.writable() ? f : null;
    }

    long freeSlots() {
        return slots - usedCount;
    }

    void markUsed(long slot) {
        if (!used.get((int) slot)) {
            used.set((int) slot);
            usedCount++;
        }
    }

    void release(long slot) {
        if (used.get((int) slot)) {
            used.clear((int) slot);
            usedCount--;
        }
    }

    /** Takes a free slot (next-fit from the last one taken), or -1. */
    long take() {
        if (usedCount >= slots) {
            return -1;
        }
        int s = used.nextClearBit(cursor);
        if (s >= slots) {
            s = used.nextClearBit(0);
            if (s >= slots) {
                return -1;
            }
        }
        used.set(s);
        usedCount++;
        cursor = s + 1;
        return s;
    }
}
