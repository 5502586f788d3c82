package io.braid.store.page;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A throttled walk over page copies on its own thread (rebuild, scrub), with progress that can be
 * read at any time.
 */
abstract class BackgroundTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundTask.class);

    final PageStore store;
    final String kind;
    final PageStore.PageList pages;
    final PageStore.TaskStats stats = new PageStore.TaskStats();
    private final long bytesPerSecond;
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private long bytes;
    private volatile boolean cancelled;
    private volatile TaskProgress.State state = TaskProgress.State.RUNNING;
    private volatile Instant finished;
    private volatile long pagesDone;
    private volatile long unitsChecked;
    private volatile long repaired;
    private volatile long unrecoverable;
    private Thread thread;

    BackgroundTask(PageStore store, String kind, PageStore.PageList pages, long bytesPerSecond) {
        this.store = store;
        this.kind = kind;
        this.pages = pages;
        this.bytesPerSecond = bytesPerSecond;
    }

    void start() {
        thread = new Thread(this, "pagestore-" + kind.replace(' ', '-'));
        thread.setDaemon(true);
        thread.start();
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    void join() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    TaskProgress progress() {
        return new TaskProgress(kind, state, pagesDone, pages.pages().length, unitsChecked, repaired,
                unrecoverable, started, finished);
    }

    /** Publishes the counters after one page. */
    void pageDone() {
        pagesDone++;
        unitsChecked = stats.units;
        repaired = stats.repaired;
        unrecoverable = stats.unrecoverable;
    }

    /** Sleeps as long as needed to stay under the configured rate. */
    void throttle(long moreBytes) {
        bytes += moreBytes;
        long dueNanos = (long) (bytes * 1e9 / bytesPerSecond);
        long ahead = dueNanos - (System.nanoTime() - startNanos);
        if (ahead > 1_000_000) {
            try {
                Thread.sleep(Math.min(ahead / 1_000_000, 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled = true;
            }
        }
    }

    @Override
    public final void run() {
        try {
            work();
            state = cancelled ? TaskProgress.State.CANCELLED : TaskProgress.State.DONE;
        } catch (IOException | RuntimeException e) {
            state = TaskProgress.State.FAILED;
            if (!cancelled) {
                log.error("page store {} failed: {}", kind, e.toString(), e);
            }
        } finally {
            unitsChecked = stats.units;
            repaired = stats.repaired;
            unrecoverable = stats.unrecoverable;
            finished = Instant.now();
            log.info("page store {} ended {}: {} of {} page copies, {} units checked, {} repaired, {} unrecoverable",
                    kind, state, pagesDone, pages.pages().length, stats.units, stats.repaired, stats.unrecoverable);
        }
    }

    abstract void work() throws IOException;
}
