package io.braid.store.page;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/** Reads and verifies every allocated page on both copies, repairing a bad copy (docs/storage.md "Integrity"). */
final class ScrubTask extends BackgroundTask {

    ScrubTask(PageStore store, PageStore.PageList pages) {
        super(store, "scrub", pages, store.config.scrubBytesPerSecond());
    }

    @Override
    void work() throws IOException {
        Scratch s = Scratch.take();
        try {
            for (int i = 0; i < pages.pages().length && !cancelled(); i++) {
                PageVolume v = pages.volumes().get(i);
                long p = pages.pages()[i];
                long c = pages.copies()[i];
                for (int ch = 0; ch < store.chunksPerPage && !cancelled(); ch++) {
                    throttle(2L * store.chunkUnits * PageStore.UNIT);
                    ReentrantLock l = store.stripes.one(v.number, p, ch);
                    l.lock();
                    try {
                        if (v.deleted || v.table.copies(p) != c) {
                            break; // freed or reallocated since the list was taken
                        }
                        store.reconcile(v, p, c, ch * store.chunkUnits, store.chunkUnits, PageStore.Mode.STRICT,
                                s, stats);
                    } finally {
                        l.unlock();
                    }
                }
                pageDone();
            }
            if (!cancelled()) {
                store.scrubCompleted(java.time.Instant.now());
            }
        } finally {
            Scratch.give(s);
        }
    }
}
