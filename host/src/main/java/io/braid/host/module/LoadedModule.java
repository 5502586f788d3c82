package io.braid.host.module;

import io.braid.policy.spi.PolicyModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One module in memory: its instance, class loader and decision thread, its counters, and the
 * guard every call into it goes through.
 *
 * <p><b>How a stalling module cannot stall I/O.</b> Every call into an external module runs on
 * the module's own decision thread; the I/O thread that needs the decision waits for it at most
 * the decision budget. A call that takes longer is abandoned (the decision thread is
 * interrupted) and the built-in policy decides instead, for that I/O. When the module's decisions
 * keep overrunning — no decision within the budget for {@link #OVERRUN_QUARANTINE_NANOS} (or 20
 * budgets, whichever is longer) while decisions were asked — it is quarantined and no later I/O
 * waits for it at all. (A single late decision does not quarantine: a GC pause or a busy machine
 * makes one now and then; a stalled module makes every one late.) A call that throws, or returns
 * a path that was not offered, quarantines at once. Built-in modules are trusted and run inline on
 * the I/O thread.
 */
final class LoadedModule {
    private static final Logger log = LoggerFactory.getLogger(LoadedModule.class);

    final PolicyModule module;
    final String name;
    final String version;
    final boolean builtin;
    final Path jar;
    final long loadOrder;
    private final URLClassLoader loader;
    private final ExecutorService thread;
    private final long budgetNanos;
    private final Quarantine quarantine;
    final LongAdder decisions = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder decisionNanos = new LongAdder();
    /** Commands the module chose that have not ended (or gone to another policy). */
    final AtomicLong commands = new AtomicLong();
    /** Calls into the module under way or queued for its thread. */
    final AtomicLong inside = new AtomicLong();
    /** Calls abandoned over the budget that have not returned yet (counted in {@link #inside} too). */
    final AtomicLong stuck = new AtomicLong();
    private volatile Thread decisionThread;
    /** How long decisions must keep overrunning the budget before the module is quarantined. */
    static final long OVERRUN_QUARANTINE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final long overrunQuarantineNanos;
    /** When the current run of decisions over the budget began (System.nanoTime), or 0. */
    private final AtomicLong overrunSince = new AtomicLong();
    private volatile ModuleState state = ModuleState.ACTIVE;
    private volatile String reason;

    /** What the registry does when the guard finds the module misbehaving. */
    interface Quarantine {
        void quarantine(LoadedModule m, String reason);
    }

    LoadedModule(PolicyModule module, String name, String version, boolean builtin, Path jar, long loadOrder,
                 URLClassLoader loader, long budgetNanos, Quarantine quarantine) {
        this.module = module;
        this.name = name;
        this.version = version;
        this.builtin = builtin;
        this.jar = jar;
        this.loadOrder = loadOrder;
        this.loader = loader;
        this.budgetNanos = budgetNanos;
        this.overrunQuarantineNanos = Math.max(OVERRUN_QUARANTINE_NANOS, 20 * budgetNanos);
        this.quarantine = quarantine;
        this.thread = builtin ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "braid-module-" + name);
            t.setDaemon(true);
            decisionThread = t;
            if (loader != null) {
                t.setContextClassLoader(loader);
            }
            return t;
        });
    }

    ModuleState state() {
        return state;
    }

    String reason() {
        return reason;
    }

    boolean active() {
        return state == ModuleState.ACTIVE;
    }

    /** Moves to {@code to}; false when the state table does not allow it. */
    synchronized boolean moveTo(ModuleState to, String why) {
        if (!state.canMoveTo(to)) {
            return false;
        }
        state = to;
        if (to == ModuleState.QUARANTINED) {
            reason = why;
        }
        return true;
    }

    /** Thrown by the guard when the module gave no usable decision; the caller uses the built-in one. */
    static final class NoDecision extends Exception {
        NoDecision(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Runs one decision of the module under the guard (see the class comment).
     *
     * @param what names the call in the quarantine reason, e.g. {@code select}
     * @throws NoDecision when the module is not active, threw, or took longer than the budget
     */
    <T> T decide(String what, Callable<T> call) throws NoDecision {
        return decide(what, call, budgetNanos);
    }

    /** Calls that set a device up (claims, newPolicy, close) may take this long: they are rare and not per I/O. */
    static final long SETUP_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** {@link #decide(String, Callable)} with a budget of its own. */
    <T> T decide(String what, Callable<T> call, long budgetNanos) throws NoDecision {
        if (state != ModuleState.ACTIVE && state != ModuleState.RETIRING) {
            throw new NoDecision(name + " is " + state.label());
        }
        long start = System.nanoTime();
        if (thread == null || Thread.currentThread() == decisionThread) {
            try {
                T r = call.call();
                count(start);
                return r;
            } catch (Exception | LinkageError e) {
                errors.increment();
                fault(what + " threw " + e);
                throw new NoDecision(e.toString());
            }
        }
        inside.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        // 0 queued, 1 running, 2 dropped before it ran (its count already taken back).
        java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();
        FutureTask<T> task = new FutureTask<>(() -> {
            if (!phase.compareAndSet(0, 1)) {
                return null;
            }
            try {
                return call.call();
            } finally {
                synchronized (abandoned) {
                    if (abandoned.get()) {
                        stuck.decrementAndGet();
                    }
                    inside.decrementAndGet();
                }
            }
        });
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            inside.decrementAndGet();
            throw new NoDecision(name + " is unloaded");
        }
        try {
            T r = task.get(budgetNanos, TimeUnit.NANOSECONDS);
            count(start);
            return r;
        } catch (TimeoutException e) {
            if (phase.compareAndSet(0, 2)) {
                inside.decrementAndGet(); // never ran: queued behind a stuck call
            } else {
                synchronized (abandoned) {
                    if (!task.isDone()) {
                        abandoned.set(true);
                        stuck.incrementAndGet();
                    }
                }
            }
            task.cancel(true);
            errors.increment();
            long now = System.nanoTime();
            long since = overrunSince.get();
            if (since == 0) {
                overrunSince.compareAndSet(0, now);
            } else if (now - since >= overrunQuarantineNanos) {
                fault(what + " took longer than the decision budget of " + micros(budgetNanos) + ", every decision for "
                        + (now - since) / 1_000_000 + " ms (each abandoned for the built-in decision)");
            }
            throw new NoDecision("over budget");
        } catch (ExecutionException e) {
            errors.increment();
            fault(what + " threw " + e.getCause());
            throw new NoDecision(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoDecision("interrupted");
        } catch (java.util.concurrent.CancellationException e) {
            throw new NoDecision("cancelled");
        }
    }

    /**
     * I/O inside the module: commands it chose that have not ended, and calls under way — not
     * counting calls stuck past the budget (abandoned), nor, once it is quarantined, any call
     * (its decisions are no longer used).
     */
    long ioInside() {
        long calls = reason != null ? 0 : Math.max(0, inside.get() - stuck.get());
        return Math.max(0, commands.get()) + calls;
    }

    /** Runs a notification in the module without waiting for it (completions). */
    void notify(String what, Runnable call) {
        if (state != ModuleState.ACTIVE && state != ModuleState.RETIRING) {
            return;
        }
        if (thread == null) {
            try {
                call.run();
            } catch (RuntimeException | LinkageError e) {
                errors.increment();
            }
            return;
        }
        inside.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException | LinkageError e) {
                    errors.increment();
                    fault(what + " threw " + e);
                } finally {
                    inside.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            inside.decrementAndGet();
        }
    }

    /** A decision of the module was unusable: quarantine it (built-ins are only logged). */
    void fault(String why) {
        if (builtin) {
            log.warn("built-in policy {}: {}", name, why);
            return;
        }
        quarantine.quarantine(this, why);
    }

    private void count(long start) {
        overrunSince.set(0);
        decisions.increment();
        decisionNanos.add(System.nanoTime() - start);
    }

    double meanDecisionMicros() {
        long n = decisions.sum();
        return n == 0 ? 0 : decisionNanos.sum() / 1000.0 / n;
    }

    /** Closes the decision thread and the class loader; the module's classes can no longer load. */
    void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                log.warn("module {}: closing its class loader failed: {}", name, e.toString());
            }
        }
    }

    private static String micros(long nanos) {
        return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : nanos / 1000 + " µs";
    }

    @Override
    public String toString() {
        return name + " " + version + (builtin ? " (built-in)" : "") + " " + state.label();
    }
}
