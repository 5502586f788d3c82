package io.braid.iscsi.target;

import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the transport runs plain WRITEs: on the connection's event loop when the core says they
 * {@linkplain ScsiTarget#staysInMemory stay in memory}, on a storage thread otherwise, and on a
 * storage thread for a while once runs on the event loop were slow for longer than its stall budget.
 */
class WritesOnEventLoopTest {
    private static final String IQN = "iqn.2026-11.io.braid:onloop";

    /** A core whose WRITE(10)s are quick; which stay in memory, and how long each takes, is up to the test. */
    private static final class Core extends OneLunCore {
        volatile boolean inMemory;
        volatile long sleepMillis;
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public boolean quick(ScsiTask task) {
            return (task.cdb()[0] & 0xFF) == 0x2A;
        }

        @Override
        public boolean staysInMemory(ScsiTask task) {
            return quick(task) && inMemory;
        }

        @Override
        public ScsiResult execute(ScsiTask task) {
            task.dataOut().release();
            threads.add(Thread.currentThread().getName());
            long sleep = sleepMillis;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new ScsiResult(ScsiResult.GOOD, null, null, 0);
        }

        @Override
        public TaskManagementResponse manageTask(Nexus nexus, TaskManagementFunction function, long lun, long tag) {
            return TaskManagementResponse.FUNCTION_COMPLETE;
        }
    }

    private final Core core = new Core();
    private IscsiTargetServer server;
    private ScriptedInitiator ini;
    private int itt = 0x100;
    private int cmdSn = 1;

    @AfterEach
    void tearDown() throws Exception {
        if (ini != null) {
            ini.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void connect() throws Exception {
        server = new IscsiTargetServer(TargetServerConfig.of(List.of(new Portal("127.0.0.1", 0, 1)),
                List.of(new TargetDefinition(IQN, null, core, List.of())), null));
        server.start();
        ini = new ScriptedInitiator(server.boundAddresses().get(0));
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", "iqn.2026-11.io.braid:test-initiator");
        keys.put("SessionType", "Normal");
        keys.put("TargetName", IQN);
        keys.put("ImmediateData", "Yes");
        LoginResponse login = ini.login(0x400001250000L, 1, keys);
        assertThat(login.statusClass()).isZero();
        login.release();
    }

    /** A WRITE(10) of one 512-byte block with its data as immediate data; returns the thread that ran it. */
    private String write() throws InterruptedException {
        byte[] cdb = new byte[16];
        cdb[0] = 0x2A;
        cdb[8] = 1;
        int n = core.threads.size();
        ini.send(new ScsiCommand(false, true, false, true, 1, 0, itt++, 512, cmdSn++, 0, cdb, -1,
                Unpooled.wrappedBuffer(new byte[512])));
        ScsiResponse r = ini.take(ScsiResponse.class);
        assertThat(r.status()).isZero();
        r.release();
        assertThat(core.threads).hasSize(n + 1);
        return core.threads.get(n);
    }

    @Test
    void aWriteThatStaysInMemoryRunsOnTheEventLoopAndAnyOtherOnAStorageThread() throws Exception {
        connect();
        assertThat(TargetConnection.WRITES_ON_EVENT_LOOP).as("the default").isTrue();
        assertThat(write()).startsWith("iscsi-storage");
        core.inMemory = true;
        assertThat(write()).startsWith("iscsi-io");
        assertThat(write()).startsWith("iscsi-io");
        core.inMemory = false;
        assertThat(write()).startsWith("iscsi-storage");
    }

    @Test
    void aFewSlowRunsOnTheEventLoopStayWithinItsStallBudget() throws Exception {
        connect();
        core.inMemory = true;
        core.sleepMillis = 2 * TargetConnection.SLOW_CHUNK_NANOS / 1_000_000;
        // Four runs of 2 ms: 8 ms of a 20 ms budget, room for a busy machine's late wake-ups.
        for (int i = 0; i < 4; i++) {
            assertThat(write()).as("slow run %d, within the budget", i).startsWith("iscsi-io");
        }
    }

    @Test
    void onceSlowRunsUseUpTheStallBudgetWritesGoToStorageThreadsForAWhile() throws Exception {
        connect();
        core.inMemory = true;
        core.sleepMillis = (TargetConnection.STALL_BURST_NANOS + 5 * TargetConnection.SLOW_CHUNK_NANOS) / 1_000_000;
        long before = System.nanoTime();
        assertThat(write()).as("slower than it said").startsWith("iscsi-io");
        core.sleepMillis = 0;
        String next = write();
        if (!next.startsWith("iscsi-storage")) {
            // Only a machine too busy to send the next write within the hand-off period gets here.
            assertThat(System.nanoTime() - before).as(next + " ran on the loop: only after the hand-off period")
                    .isGreaterThan(TargetConnection.HAND_OFF_MIN_NANOS);
        }
        Thread.sleep(2 * TargetConnection.HAND_OFF_MIN_NANOS / 1_000_000);
        assertThat(write()).as("on the loop again once the period is over").startsWith("iscsi-io");
    }
}
