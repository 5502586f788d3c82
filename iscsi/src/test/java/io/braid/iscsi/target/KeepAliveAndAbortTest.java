package io.braid.iscsi.target;

import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.NopIn;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.iscsi.pdu.TaskMgmtRequest;
import io.braid.iscsi.pdu.TaskMgmtResponse;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two transport rules the libiscsi conformance tool depends on: a connection whose initiator does
 * not answer NOP-In stays up (it may simply not be reading), and task management reaches the core
 * while the task it aborts is still running there, instead of waiting for it to finish.
 */
class KeepAliveAndAbortTest {
    private static final String IQN = "iqn.2026-11.io.braid:keepalive";
    private static final byte[] TUR = new byte[16];
    private static final byte[] SLOW = {(byte) 0xC5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    /** A core where TEST UNIT READY answers at once and opcode C5h runs until aborted (or 30 s). */
    private static final class SlowCore extends OneLunCore {
        final CountDownLatch slowStarted = new CountDownLatch(1);
        final CountDownLatch abort = new CountDownLatch(1);
        final CountDownLatch slowDone = new CountDownLatch(1);
        volatile TaskManagementFunction seen;

        @Override
        public ScsiResult execute(ScsiTask task) {
            task.dataOut().release();
            if ((task.cdb()[0] & 0xFF) != 0xC5) {
                return new ScsiResult(ScsiResult.GOOD, null, null, 0);
            }
            slowStarted.countDown();
            try {
                boolean aborted = abort.await(30, TimeUnit.SECONDS);
                return new ScsiResult(aborted ? ScsiResult.TASK_ABORTED : ScsiResult.GOOD, null, null, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ScsiResult(ScsiResult.TASK_ABORTED, null, null, 0);
            } finally {
                slowDone.countDown();
            }
        }

        @Override
        public TaskManagementResponse manageTask(Nexus nexus, TaskManagementFunction function, long lun, long tag) {
            seen = function;
            abort.countDown();
            try {
                // The contract: return once the aborted task has left execute.
                return slowDone.await(10, TimeUnit.SECONDS) ? TaskManagementResponse.FUNCTION_COMPLETE
                        : TaskManagementResponse.FUNCTION_REJECTED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return TaskManagementResponse.FUNCTION_REJECTED;
            }
        }
    }

    private static IscsiTargetServer start(ScsiTarget core, long nopInInterval) throws Exception {
        TargetServerConfig defaults = TargetServerConfig.of(List.of(new Portal("127.0.0.1", 0, 1)),
                List.of(new TargetDefinition(IQN, null, core, List.of())), null);
        assertThat(defaults.nopInTimeoutMillis()).as("default: an unanswered ping drops nothing").isZero();
        TargetServerConfig config = new TargetServerConfig(defaults.portals(), defaults.targets(), defaults.auth(),
                defaults.maxRecvDataSegmentLength(), defaults.maxBurstLength(), defaults.firstBurstLength(),
                defaults.maxOutstandingR2T(), defaults.cmdWindow(), nopInInterval, defaults.nopInTimeoutMillis());
        IscsiTargetServer server = new IscsiTargetServer(config);
        server.start();
        return server;
    }

    private static void login(ScriptedInitiator ini) throws InterruptedException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", "iqn.2026-11.io.braid:test-initiator");
        keys.put("SessionType", "Normal");
        keys.put("TargetName", IQN);
        LoginResponse login = ini.login(0x400001240000L, 1, keys);
        assertThat(login.statusClass()).isZero();
        login.release();
    }

    @Test
    void aSilentInitiatorKeepsItsConnection() throws Exception {
        IscsiTargetServer server = start(new SlowCore(), 100);
        try (ScriptedInitiator ini = new ScriptedInitiator(server.boundAddresses().get(0))) {
            login(ini);
            NopIn ping = ini.take(NopIn.class);
            assertThat(ping.ttt()).as("a ping that asks for an answer").isNotEqualTo(-1);
            ping.release();
            Thread.sleep(1500); // never answered, fifteen intervals long
            ini.send(new ScsiCommand(false, true, false, false, 1, 0, 0x20, 0, 1, 0, TUR, -1, Unpooled.EMPTY_BUFFER));
            ScsiResponse r = ini.take(ScsiResponse.class);
            assertThat(r.status()).isZero();
            r.release();
        } finally {
            server.close();
        }
    }

    @Test
    void abortTaskReachesTheCoreWhileTheTaskRuns() throws Exception {
        SlowCore core = new SlowCore();
        IscsiTargetServer server = start(core, 0);
        try (ScriptedInitiator ini = new ScriptedInitiator(server.boundAddresses().get(0))) {
            login(ini);
            ini.send(new ScsiCommand(false, true, false, false, 1, 0, 0x30, 0, 1, 0, SLOW, -1, Unpooled.EMPTY_BUFFER));
            assertThat(core.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            long started = System.nanoTime();
            ini.send(new TaskMgmtRequest(true, TaskManagementFunction.ABORT_TASK.wire(), 0, 0x31, 0x30, 2, 0, 1, 0));
            TaskMgmtResponse r = ini.take(TaskMgmtResponse.class);
            assertThat(r.itt()).isEqualTo(0x31);
            assertThat(r.response()).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE.wire());
            assertThat(core.seen).isEqualTo(TaskManagementFunction.ABORT_TASK);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .as("answered long before the task would have ended by itself").isLessThan(5000);
            // The aborted task gets no SCSI Response; the next command is answered normally.
            ini.send(new ScsiCommand(false, true, false, false, 1, 0, 0x32, 0, 2, 0, TUR, -1, Unpooled.EMPTY_BUFFER));
            ScsiResponse next = ini.take(ScsiResponse.class);
            assertThat(next.itt()).isEqualTo(0x32);
            next.release();
        } finally {
            server.close();
        }
    }
}
