package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.braid.store.ForwardingBlockDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Task management racing commands (SAM-5 7.2 "ABORT TASK", 7.6 "LOGICAL UNIT RESET"): whoever wins,
 * an aborted task reports nothing but TASK ABORTED and touches the medium only before the function
 * answers, and no function waits without bound. Each test runs a bounded number of commands on a
 * fixed pool, with a time limit on every wait.
 */
class TaskAbortRaceTest {

    private static final int BLOCKS = 1024;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final AtomicLong clock = new AtomicLong();
    private final SequencedDevice device = new SequencedDevice(new MemoryBlockDevice(512, BLOCKS), clock);
    private final Harness h = new Harness(List.of(Harness.unit(0, device)));
    private final ExecutorService pool = Executors.newFixedThreadPool(6);
    private final Semaphore running = new Semaphore(5);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Records the logical time at which each write (by its first block) ended; sleeps a little at random. */
    private static final class SequencedDevice extends ForwardingBlockDevice {
        private final AtomicLong clock;
        final Map<Long, List<Long>> writesByBlock = new ConcurrentHashMap<>();

        SequencedDevice(MemoryBlockDevice delegate, AtomicLong clock) {
            super(delegate);
            this.clock = clock;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
            delegate.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000));
            delegate.write(offset, src, fua);
            writesByBlock.computeIfAbsent(offset / blockSize(), k -> new CopyOnWriteArrayList<>()).add(clock.incrementAndGet());
        }
    }

    private record Outcome(long tag, long started, long ended, int status) {
    }

    /**
     * Starts a one-block WRITE(10) to block {@code tag % BLOCKS}; at most five run at once, so the
     * tasks a test aborts right after starting later ones are mostly inside execute.
     */
    private CompletableFuture<Outcome> write(Nexus nexus, long tag, TaskAttribute attribute) throws InterruptedException {
        assertThat(running.tryAcquire(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("a write slot frees up").isTrue();
        return CompletableFuture.supplyAsync(() -> {
            ByteBuf data = Unpooled.wrappedBuffer(new byte[512]);
            long started = clock.incrementAndGet();
            ScsiResult r;
            try {
                r = h.execute(nexus, 0, Cdbs.ten(Cdbs.WRITE10, 0, tag % BLOCKS, 1), data, attribute, tag);
            } finally {
                running.release();
            }
            long ended = clock.incrementAndGet();
            assertThat(data.refCnt()).as("data-out released").isZero();
            assertThat(r.dataIn()).isNull();
            return new Outcome(tag, started, ended, r.status());
        }, pool);
    }

    @Test
    void abortTaskAgainstRunningWritesNeverLetsAnAbortedWriteAnswerOrWriteLate() throws Exception {
        int tasks = 600;
        List<CompletableFuture<Outcome>> writes = new ArrayList<>();
        Map<Long, TaskManagementResponse> aborts = new ConcurrentHashMap<>();
        Map<Long, Long> abortAnswered = new ConcurrentHashMap<>();
        for (long tag = 0; tag < tasks; tag++) {
            TaskAttribute attribute = tag % 7 == 0 ? TaskAttribute.ORDERED : TaskAttribute.SIMPLE;
            writes.add(write(NEXUS_A, tag, attribute));
            if (tag % 2 == 0) {
                long victim = tag - 1 - ThreadLocalRandom.current().nextLong(4);
                if (victim >= 0 && !aborts.containsKey(victim)) {
                    TaskManagementResponse r = h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK, 0, victim);
                    abortAnswered.put(victim, clock.incrementAndGet());
                    aborts.put(victim, r);
                }
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        int aborted = 0;
        for (CompletableFuture<Outcome> f : writes) {
            Outcome o = f.get();
            TaskManagementResponse abort = aborts.get(o.tag());
            if (o.status() == ScsiResult.TASK_ABORTED) {
                aborted++;
                assertThat(abort).as("tag %d ended aborted, so an ABORT TASK for it completed", o.tag())
                        .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
                for (long at : device.writesByBlock.getOrDefault(o.tag() % BLOCKS, List.of())) {
                    assertThat(at).as("tag %d wrote after its ABORT TASK answered", o.tag())
                            .isLessThan(abortAnswered.get(o.tag()));
                }
            } else {
                assertThat(o.status()).isEqualTo(ScsiResult.GOOD);
                if (abort != null) {
                    assertThat(abort).as("tag %d completed, so its ABORT TASK found nothing", o.tag())
                            .isEqualTo(TaskManagementResponse.TASK_DOES_NOT_EXIST);
                }
            }
        }
        assertThat(aborted).as("some aborts caught their task running").isPositive();
        assertThat(aborts).as("and some came too late").containsValue(TaskManagementResponse.TASK_DOES_NOT_EXIST);
        assertThat(h.target.tasksInFlight()).isZero();
    }

    @Test
    void logicalUnitResetsAgainstTwoNexusesLeaveNoAbortedTaskWritingLate() throws Exception {
        int tasks = 600;
        List<CompletableFuture<Outcome>> writes = new ArrayList<>();
        List<long[]> resets = new CopyOnWriteArrayList<>();
        for (long tag = 0; tag < tasks; tag++) {
            Nexus nexus = tag % 2 == 0 ? NEXUS_A : NEXUS_B;
            writes.add(write(nexus, tag, tag % 5 == 0 ? TaskAttribute.ORDERED : TaskAttribute.SIMPLE));
            if (tag % 40 == 39) {
                long started = clock.incrementAndGet();
                TaskManagementFunction f = tag % 80 == 79 ? TaskManagementFunction.LOGICAL_UNIT_RESET
                        : TaskManagementFunction.CLEAR_TASK_SET;
                assertThat(h.target.manageTask(NEXUS_B, f, 0, 0)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
                resets.add(new long[] {started, clock.incrementAndGet()});
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        int aborted = 0;
        for (CompletableFuture<Outcome> f : writes) {
            Outcome o = f.get();
            if (o.status() != ScsiResult.TASK_ABORTED) {
                // A unit attention from the reset is a fine answer for a task that came after it.
                assertThat(o.status()).isIn(ScsiResult.GOOD, ScsiResult.CHECK_CONDITION);
                continue;
            }
            List<Long> written = device.writesByBlock.getOrDefault(o.tag() % BLOCKS, List.of());
            boolean explained = resets.stream().anyMatch(r -> r[0] < o.ended() && o.started() < r[1]
                    && written.stream().allMatch(at -> at < r[1]));
            assertThat(explained).as("tag %d ended aborted: a reset overlapping it answered after its last write", o.tag())
                    .isTrue();
            aborted++;
        }
        assertThat(aborted).as("some resets caught tasks running").isPositive();
        assertThat(h.target.tasksInFlight()).isZero();
    }

    @Test
    void anAbortOfATaskHungInTheBackstoreIsAnsweredWithinTheBound() throws Exception {
        MemoryBlockDevice hung = new MemoryBlockDevice(512, 16);
        Harness stuck = new Harness(List.of(Harness.unit(0, hung)));
        stuck.target.abortWait(Duration.ofMillis(200));
        CountDownLatch gate = hung.holdReads();
        CompletableFuture<ScsiResult> read = CompletableFuture.supplyAsync(
                () -> stuck.execute(NEXUS_A, 0, Cdbs.ten(Cdbs.READ10, 0, 0, 1), null, TaskAttribute.SIMPLE, 5), pool);
        hung.awaitReadEntered();
        for (TaskManagementFunction f : List.of(TaskManagementFunction.ABORT_TASK, TaskManagementFunction.ABORT_TASK_SET,
                TaskManagementFunction.LOGICAL_UNIT_RESET, TaskManagementFunction.TARGET_WARM_RESET)) {
            long t0 = System.nanoTime();
            CompletableFuture<TaskManagementResponse> tmf = CompletableFuture.supplyAsync(
                    () -> stuck.target.manageTask(NEXUS_A, f, 0, 5), pool);
            TaskManagementResponse r = tmf.get(5, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r).as(f.name() + ": the task it aborts has not stopped").isEqualTo(TaskManagementResponse.FUNCTION_REJECTED);
            assertThat(ms).as(f.name() + " answered within its bound").isLessThan(3000);
        }
        assertThat(read).as("the read is still stuck in the device").isNotDone();
        assertThat(stuck.target.manageTask(NEXUS_A, TaskManagementFunction.QUERY_TASK, 0, 5))
                .as("an aborted task no longer counts as existing").isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        gate.countDown();
        ScsiResult r = read.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).as("once the device returns, its result is discarded").isEqualTo(ScsiResult.TASK_ABORTED);
        assertThat(r.dataIn()).isNull();
        assertThat(stuck.target.tasksInFlight()).isZero();
    }
}
