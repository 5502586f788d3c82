package io.braid.scsi.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sanitize state of one logical unit (SBC-4 "Sanitize operations"). A sanitize operation runs
 * on its own thread, not as part of the task that started it: task management and the loss of
 * the I_T nexus end the task but never the operation. While it runs, the unit refuses every
 * command except the few that report on it with NOT READY / LOGICAL UNIT NOT READY, SANITIZE IN
 * PROGRESS and REQUEST SENSE reports its progress; an operation that fails leaves the unit in the
 * failed state, where those commands get MEDIUM ERROR / SANITIZE COMMAND FAILED until a later
 * sanitize completes or, when the failed one had AUSE set, EXIT FAILURE MODE is requested.
 */
final class Sanitizer {

    /** The sanitize states: IDLE -> IN_PROGRESS -> IDLE or FAILED; FAILED -> IN_PROGRESS or IDLE. */
    enum State {
        IDLE, IN_PROGRESS, FAILED;

        private static final Map<State, Set<State>> NEXT = Map.of(
                IDLE, EnumSet.of(IN_PROGRESS),
                IN_PROGRESS, EnumSet.of(IDLE, FAILED),
                FAILED, EnumSet.of(IN_PROGRESS, IDLE));

        boolean canMoveTo(State next) {
            return NEXT.get(this).contains(next);
        }
    }

    /** The work of one sanitize operation; reports progress as it goes. */
    @FunctionalInterface
    interface Job {
        void run(Progress progress);
    }

    /** Progress of the running operation, in whatever units the job counts (bytes, blocks). */
    static final class Progress {
        private final AtomicLong done = new AtomicLong();
        private volatile long total = 1;

        void total(long units) {
            total = Math.max(1, units);
        }

        void advance(long units) {
            done.addAndGet(units);
        }

        long done() {
            return done.get();
        }

        long total() {
            return total;
        }
    }

    /**
     * Commands a unit still processes while a sanitize operation runs or has failed: they neither
     * touch nor describe the medium's data (SBC-4 lists INQUIRY, REPORT LUNS and REQUEST SENSE;
     * MODE SENSE, LOG SENSE and the MAINTENANCE IN reports such as REPORT TARGET PORT GROUPS are
     * kept so path checkers and initiators can still see the unit while it is busy).
     */
    private static final Set<Integer> ALLOWED_OPCODES = Set.of(0x03, 0x12, 0x1A, 0x4D, 0x5A, 0xA0, 0xA3);

    private static final Logger log = LoggerFactory.getLogger(Sanitizer.class);

    private final String unitName;
    private State state = State.IDLE; // guarded by this
    private boolean failedWithAuse; // guarded by this
    private volatile Progress progress = new Progress();
    private volatile boolean busy;

    Sanitizer(String unitName) {
        this.unitName = unitName;
    }

    synchronized State state() {
        return state;
    }

    /** True while an operation runs: cheap enough for every command. */
    boolean inProgress() {
        return busy;
    }

    /**
     * The error a command gets because of the sanitize state, or null when it may run. SANITIZE
     * itself may run in the failed state (a new operation is the way out of it).
     */
    CheckCondition refusal(CommandDescriptor d) {
        if (!busy && state() != State.FAILED) {
            return null;
        }
        if (d != null && ALLOWED_OPCODES.contains(d.opcode())) {
            return null;
        }
        synchronized (this) {
            if (state == State.IN_PROGRESS) {
                return new CheckCondition(sense());
            }
            if (state == State.FAILED && (d == null || d.opcode() != SanitizeCommands.OPCODE)) {
                return CheckCondition.of(SenseCode.SANITIZE_COMMAND_FAILED);
            }
            return null;
        }
    }

    /** What REQUEST SENSE reports about sanitizing, or null when there is nothing to report. */
    synchronized Sense sense() {
        return switch (state) {
            case IN_PROGRESS -> Sense.of(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS)
                    .withProgress(progress.done(), progress.total());
            case FAILED -> Sense.of(SenseCode.SANITIZE_COMMAND_FAILED);
            case IDLE -> null;
        };
    }

    /**
     * Starts {@code job} on a new thread and returns its completion: normal when the operation
     * succeeded, exceptional (with the cause) when it failed.
     *
     * @throws CheckCondition NOT READY / SANITIZE IN PROGRESS when one already runs
     */
    CompletableFuture<Void> start(String method, boolean ause, Job job) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Progress p = new Progress();
        synchronized (this) {
            if (state == State.IN_PROGRESS) {
                throw new CheckCondition(sense());
            }
            progress = p;
            moveTo(State.IN_PROGRESS);
            busy = true;
        }
        Thread worker = new Thread(() -> {
            long started = System.nanoTime();
            try {
                job.run(p);
                finish(State.IDLE, false);
                log.info("unit {}: sanitize {} completed in {} ms", unitName, method,
                        (System.nanoTime() - started) / 1_000_000);
                done.complete(null);
            } catch (RuntimeException | Error e) {
                finish(State.FAILED, ause);
                log.warn("unit {}: sanitize {} failed: {}", unitName, method, e.toString());
                done.completeExceptionally(e);
            }
        }, "sanitize-" + unitName);
        worker.setDaemon(true);
        log.info("unit {}: sanitize {} started", unitName, method);
        worker.start();
        return done;
    }

    /**
     * EXIT FAILURE MODE: leaves the failed state when the failed operation allowed it (AUSE);
     * with nothing to exit it is a no-op.
     *
     * @throws CheckCondition ILLEGAL REQUEST / INVALID FIELD IN CDB when the failed operation had
     *                        AUSE clear (SBC-4 "restricted completion mode")
     */
    synchronized void exitFailureMode() {
        if (state != State.FAILED) {
            return;
        }
        if (!failedWithAuse) {
            throw CheckCondition.invalidFieldInCdb(1, 4);
        }
        moveTo(State.IDLE);
    }

    private synchronized void finish(State next, boolean ause) {
        moveTo(next);
        failedWithAuse = next == State.FAILED && ause;
        busy = false;
    }

    private void moveTo(State next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("unit " + unitName + " sanitize: " + state + " -> " + next);
        }
        log.debug("unit {} sanitize: {} -> {}", unitName, state, next);
        state = next;
    }
}
