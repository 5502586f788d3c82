package io.braid.store.page;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Restores the copies on a REBUILDING drive from their mirrors, chunk by chunk under the stripe
 * locks, then moves the drive ONLINE (docs/storage.md "Drive states and failure"). A unit whose
 * only other copy is unreadable or bad is written as poison (zeroes with a checksum word they do
 * not match), so it reads back as an error rather than as wrong data.
 */
final class RebuildTask extends BackgroundTask {
    private final Drive target;

    RebuildTask(PageStore store, Drive target) {
        super(store, "rebuild " + PageStore.driveName(target.index), store.pagesOn(target.index),
                store.config.rebuildBytesPerSecond());
        this.target = target;
    }

    @Override
    void work() throws IOException {
        Scratch s = Scratch.take();
        try {
            for (int i = 0; i < pages.pages().length; i++) {
                if (cancelled() || target.state != DriveState.REBUILDING) {
                    cancel();
                    return;
                }
                PageVolume v = pages.volumes().get(i);
                long p = pages.pages()[i];
                long c = pages.copies()[i];
                int k = Copies.drive(c, 0) == target.index ? 0 : 1;
                for (int ch = 0; ch < store.chunksPerPage; ch++) {
                    throttle(2L * store.chunkUnits * PageStore.UNIT);
                    ReentrantLock l = store.stripes.one(v.number, p, ch);
                    l.lock();
                    try {
                        if (v.deleted || v.table.copies(p) != c) {
                            break;
                        }
                        copyChunk(v, p, c, k, ch * store.chunkUnits, s);
                    } finally {
                        l.unlock();
                    }
                }
                pageDone();
            }
        } finally {
            Scratch.give(s);
        }
        if (!cancelled() && target.state == DriveState.REBUILDING) {
            store.rebuildDone(target, this);
        }
    }

    private void copyChunk(PageVolume v, long p, long c, int k, int u0, Scratch s) throws IOException {
        int n = store.chunkUnits;
        DriveFile tf = target.writable();
        if (tf == null || target.state != DriveState.REBUILDING) {
            cancel();
            return;
        }
        Drive sd = store.drives[Copies.drive(c, 1 - k)];
        DriveFile sf = sd.readable();
        long ss = Copies.slot(c, 1 - k);
        boolean any = false;
        boolean sourceOk = sf != null;
        if (sourceOk) {
            try {
                for (int i = 0; i < n; i++) {
                    s.wa[i] = sf.word(ss, u0 + i);
                    any |= s.wa[i] != 0;
                }
                if (any) {
                    sf.read(ss, (long) u0 * PageStore.UNIT, s.units(0, 0, n));
                }
            } catch (DriveIOException e) {
                store.driveError(e);
                sourceOk = false;
            }
        }
        for (int i = 0; i < n; i++) {
            stats.units++;
            if (!sourceOk) {
                poison(s, i);
                any = true;
            } else if (s.wa[i] != 0 && PageStore.checksum(s.a, i * PageStore.UNIT) != s.wa[i]) {
                poison(s, i);
            }
        }
        long ts = Copies.slot(c, k);
        try {
            if (any) {
                tf.write(ts, (long) u0 * PageStore.UNIT, s.units(0, 0, n));
            }
            for (int i = 0; i < n; i++) {
                tf.setWord(ts, u0 + i, s.wa[i]);
            }
            target.unsynced = true;
        } catch (DriveIOException e) {
            store.driveError(e);
            cancel();
        }
    }

    private void poison(Scratch s, int i) {
        s.a.put(i * PageStore.UNIT, new byte[PageStore.UNIT], 0, PageStore.UNIT);
        s.wa[i] = PageStore.POISON;
        stats.unrecoverable++;
    }
}
