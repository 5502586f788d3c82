package io.braid.store.page;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Helper threads that let one large I/O use a second core (docs/performance.md "Page store
 * against plain FileChannel"): a large write hands its second mirror copy to a helper, a large read
 * its second half. A task is only handed over when a helper is idle; otherwise the caller does the
 * work itself, so under load (every core busy with requests) nothing queues behind a helper.
 */
final class Assist {
    /** Below this an I/O is done by its caller alone: a hand-over costs more than it saves. */
    static final int MIN_BYTES = 256 << 10;
    private static final int HELPERS = Math.min(4, Runtime.getRuntime().availableProcessors() - 1);
    private static final ThreadPoolExecutor pool = HELPERS <= 0 ? null
            : new ThreadPoolExecutor(0, HELPERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "pagestore-assist");
                t.setDaemon(true);
                return t;
            });

    private Assist() {
    }

    /** Starts {@code task} on an idle helper, or returns null when none is idle (run it inline). */
    static <T> FutureTask<T> offer(Callable<T> task) {
        if (pool == null) {
            return null;
        }
        FutureTask<T> f = new FutureTask<>(task);
        try {
            pool.execute(f);
            return f;
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Waits, without giving up on interrupt, until the task has finished one way or another. */
    static void await(FutureTask<?> f) {
        boolean interrupted = false;
        while (!f.isDone()) {
            try {
                f.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | RuntimeException e) {
                break; // done; join reports it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The task's result, waiting without giving up on interrupt: the caller holds locks and buffers
     * the helper is still using, so it must not leave before the helper is done.
     */
    static <T> T join(FutureTask<T> f) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io;
                    }
                    if (c instanceof UncheckedIOException u) {
                        throw u.getCause();
                    }
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IOException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
