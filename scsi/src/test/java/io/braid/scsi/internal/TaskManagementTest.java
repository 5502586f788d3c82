package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseAssert.assertCheckCondition;
import static org.assertj.core.api.Assertions.assertThat;

class TaskManagementTest {

    private final MemoryBlockDevice slow = new MemoryBlockDevice(512, 100);
    private final MemoryBlockDevice fast = new MemoryBlockDevice(512, 100);
    private final Harness h = new Harness(List.of(Harness.unit(0, slow), Harness.unit(1, fast)));
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private void awaitTasksInFlight(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.target.tasksInFlight() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " tasks in flight, have " + h.target.tasksInFlight());
            }
            Thread.sleep(5);
        }
    }

    /** Waits until task management has marked the task aborted (QUERY TASK no longer finds it). */
    private void awaitAborted(io.braid.scsi.Nexus nexus, long tag) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.target.manageTask(nexus, TaskManagementFunction.QUERY_TASK, 0, tag)
                != TaskManagementResponse.FUNCTION_COMPLETE) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task " + tag + " was never aborted");
            }
            Thread.sleep(5);
        }
    }

    /** Starts a READ(10) on LUN 0 that blocks in the device until {@code gate} opens. */
    private CompletableFuture<ScsiResult> blockedRead(io.braid.scsi.Nexus nexus, long tag) throws InterruptedException {
        CompletableFuture<ScsiResult> f = CompletableFuture.supplyAsync(
                () -> h.execute(nexus, 0, Cdbs.ten(Cdbs.READ10, 0, 0, 1), null, TaskAttribute.SIMPLE, tag), pool);
        slow.awaitReadEntered();
        return f;
    }

    @Test
    void abortTaskWaitsForTheTaskAndItEndsAborted() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> read = blockedRead(NEXUS_A, 77);
        CompletableFuture<TaskManagementResponse> abort = CompletableFuture.supplyAsync(
                () -> h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK, 0, 77), pool);
        awaitAborted(NEXUS_A, 77);
        Thread.sleep(100);
        assertThat(abort).as("answers only once the task has left execute").isNotDone();
        gate.countDown();
        assertThat(abort.get(10, TimeUnit.SECONDS)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        ScsiResult r = read.get(1, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(ScsiResult.TASK_ABORTED);
        assertThat(r.dataIn()).as("the data read is released, not handed over").isNull();
        assertThat(r.sense()).isNull();
        assertThat(h.target.tasksInFlight()).isZero();
    }

    @Test
    void abortTaskForUnknownOrFinishedTasks() {
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK, 0, 5))
                .isEqualTo(TaskManagementResponse.TASK_DOES_NOT_EXIST);
        h.execute(NEXUS_A, 0, Cdbs.ten(Cdbs.READ10, 0, 0, 1), null, TaskAttribute.SIMPLE, 5).dataIn().release();
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK, 0, 5))
                .isEqualTo(TaskManagementResponse.TASK_DOES_NOT_EXIST);
    }

    @Test
    void abortTaskMatchesNexusAndLun() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> read = blockedRead(NEXUS_A, 9);
        assertThat(h.target.manageTask(NEXUS_B, TaskManagementFunction.ABORT_TASK, 0, 9))
                .isEqualTo(TaskManagementResponse.TASK_DOES_NOT_EXIST);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK, Lun.encode(1), 9))
                .isEqualTo(TaskManagementResponse.TASK_DOES_NOT_EXIST);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.QUERY_TASK, 0, 9))
                .isEqualTo(TaskManagementResponse.FUNCTION_SUCCEEDED);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.QUERY_TASK_SET, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_SUCCEEDED);
        assertThat(h.target.manageTask(NEXUS_B, TaskManagementFunction.QUERY_TASK_SET, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        gate.countDown();
        ScsiResult r = read.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(ScsiResult.GOOD);
        r.dataIn().release();
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.QUERY_TASK, 0, 9))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Test
    void abortTaskSetTakesOnlyTheCallersTasks() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> a = blockedRead(NEXUS_A, 1);
        CompletableFuture<ScsiResult> b = CompletableFuture.supplyAsync(
                () -> h.execute(NEXUS_B, 0, Cdbs.ten(Cdbs.READ10, 0, 0, 1), null, TaskAttribute.SIMPLE, 1), pool);
        awaitTasksInFlight(2);
        CompletableFuture<TaskManagementResponse> abort = CompletableFuture.supplyAsync(
                () -> h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK_SET, 0, 0), pool);
        awaitAborted(NEXUS_A, 1);
        gate.countDown();
        assertThat(abort.get(10, TimeUnit.SECONDS)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(a.get().status()).isEqualTo(ScsiResult.TASK_ABORTED);
        ScsiResult other = b.get(10, TimeUnit.SECONDS);
        assertThat(other.status()).isEqualTo(ScsiResult.GOOD);
        other.dataIn().release();
    }

    @Test
    void clearTaskSetTakesEveryonesTasksAndTellsTheOthers() throws Exception {
        h.login(NEXUS_B, 0);
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> b = blockedRead(NEXUS_B, 4);
        CompletableFuture<TaskManagementResponse> clear = CompletableFuture.supplyAsync(
                () -> h.target.manageTask(NEXUS_A, TaskManagementFunction.CLEAR_TASK_SET, 0, 0), pool);
        awaitAborted(NEXUS_B, 4);
        gate.countDown();
        assertThat(clear.get(10, TimeUnit.SECONDS)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(b.get().status()).isEqualTo(ScsiResult.TASK_ABORTED);
        assertCheckCondition(h.run(NEXUS_B, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE), 0x6, 0x2F, 0x00);
    }

    @Test
    void logicalUnitResetAbortsEveryNexusesTasksOnThatUnit() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> a = blockedRead(NEXUS_A, 1);
        CompletableFuture<TaskManagementResponse> reset = CompletableFuture.supplyAsync(
                () -> h.target.manageTask(NEXUS_B, TaskManagementFunction.LOGICAL_UNIT_RESET, 0, 0), pool);
        awaitAborted(NEXUS_A, 1);
        assertThat(h.run(NEXUS_B, 1, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE).status())
                .as("other units keep working").isZero();
        gate.countDown();
        assertThat(reset.get(10, TimeUnit.SECONDS)).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(a.get().status()).isEqualTo(ScsiResult.TASK_ABORTED);
    }

    @Test
    void nexusLossAbortsItsTasks() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> a = blockedRead(NEXUS_A, 1);
        h.target.nexusRemoved(NEXUS_A);
        gate.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS).status()).isEqualTo(ScsiResult.TASK_ABORTED);
    }

    @Test
    void anAbortedWriteStillReleasesItsDataOut() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> a = blockedRead(NEXUS_A, 1);
        ByteBuf data = Unpooled.wrappedBuffer(new byte[512]);
        CompletableFuture<ScsiResult> ordered = CompletableFuture.supplyAsync(
                () -> h.execute(NEXUS_A, 0, Cdbs.ten(Cdbs.WRITE10, 0, 3, 1), data, TaskAttribute.ORDERED, 2), pool);
        awaitTasksInFlight(2);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK, 0, 2))
                .as("an ORDERED task waiting for its turn can be aborted").isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(ordered.get(10, TimeUnit.SECONDS).status()).isEqualTo(ScsiResult.TASK_ABORTED);
        assertThat(data.refCnt()).isZero();
        gate.countDown();
        a.get(10, TimeUnit.SECONDS).dataIn().release();
        assertThat(slow.ops()).extracting(MemoryBlockDevice.Op::kind).containsOnly("read");
    }

    @Test
    void orderedTaskWaitsForTasksAlreadyRunning() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> simple = blockedRead(NEXUS_A, 1);
        CompletableFuture<ScsiResult> ordered = CompletableFuture.supplyAsync(
                () -> h.execute(NEXUS_A, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.ORDERED, 2), pool);
        CompletableFuture<ScsiResult> headOfQueue = CompletableFuture.supplyAsync(
                () -> h.execute(NEXUS_A, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.HEAD_OF_QUEUE, 3), pool);
        assertThat(headOfQueue.get(10, TimeUnit.SECONDS).status()).as("HEAD OF QUEUE does not wait").isZero();
        Thread.sleep(100);
        assertThat(ordered).isNotDone();
        gate.countDown();
        assertThat(ordered.get(10, TimeUnit.SECONDS).status()).isZero();
        simple.get().dataIn().release();
    }

    @Test
    void clearTaskSetTellsEveryOtherNexusThatLostATaskIncludingTransportHeldOnes() {
        io.braid.scsi.Nexus c = new io.braid.scsi.Nexus("iqn.2024-01.test:host-c,i,0x400001370002",
                "iqn.2024-01.test:host-c", NEXUS_A.targetPort(), 1, 0);
        for (io.braid.scsi.Nexus n : List.of(NEXUS_A, NEXUS_B, c)) {
            h.login(n, 0, 1);
        }
        List<Long> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        // B had a command collecting Data-Out on LUN 0 (and A, the requester, one too); C had none.
        h.target.heldTasks((lun, which) -> {
            asked.add(lun);
            assertThat(which.test(NEXUS_A) && which.test(NEXUS_B) && which.test(c)).as("TST 000b: every nexus").isTrue();
            return lun == Lun.encode(0) ? java.util.Set.of(NEXUS_A, NEXUS_B) : java.util.Set.of();
        });
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.CLEAR_TASK_SET, Lun.encode(0), 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(asked).containsExactly(Lun.encode(0));
        assertCheckCondition(h.run(NEXUS_B, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE),
                0x6, 0x2F, 0x00);
        assertThat(h.run(NEXUS_B, 1, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE).status())
                .as("only the cleared unit").isZero();
        assertThat(h.run(NEXUS_A, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE).status())
                .as("not the nexus that cleared").isZero();
        assertThat(h.run(c, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE).status())
                .as("not a nexus that lost nothing").isZero();
    }

    @Test
    void otherFunctions() {
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.CLEAR_ACA, 0, 0))
                .isEqualTo(TaskManagementResponse.FUNCTION_NOT_SUPPORTED);
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.TASK_REASSIGN, 0, 1))
                .isEqualTo(TaskManagementResponse.TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED);
        long missing = Lun.encode(9);
        for (TaskManagementFunction f : List.of(TaskManagementFunction.ABORT_TASK_SET, TaskManagementFunction.CLEAR_TASK_SET,
                TaskManagementFunction.LOGICAL_UNIT_RESET, TaskManagementFunction.QUERY_TASK_SET,
                TaskManagementFunction.QUERY_ASYNCHRONOUS_EVENT)) {
            assertThat(h.target.manageTask(NEXUS_A, f, missing, 0)).as(f.name()).isEqualTo(TaskManagementResponse.LUN_DOES_NOT_EXIST);
        }
        assertThat(h.target.manageTask(NEXUS_A, TaskManagementFunction.ABORT_TASK_SET, 0, 0))
                .as("nothing to abort").isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Test
    void aTagStillInUseIsAnOverlappedCommand() throws Exception {
        CountDownLatch gate = slow.holdReads();
        CompletableFuture<ScsiResult> first = blockedRead(NEXUS_A, 42);
        ByteBuf data = Unpooled.wrappedBuffer(new byte[512]);
        Harness.Reply second = Harness.unpack(
                h.execute(NEXUS_A, 1, Cdbs.ten(Cdbs.WRITE10, 0, 0, 1), data, TaskAttribute.SIMPLE, 42), data);
        assertCheckCondition(second, 0xB, 0x4E, 0x00);
        assertThat(fast.ops()).isEmpty();
        assertThat(h.execute(NEXUS_B, 1, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE, 42).status())
                .as("tags are per nexus").isZero();
        gate.countDown();
        first.get(10, TimeUnit.SECONDS).dataIn().release();
    }
}
