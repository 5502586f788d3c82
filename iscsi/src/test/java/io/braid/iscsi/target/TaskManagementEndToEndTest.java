package io.braid.iscsi.target;

import io.braid.iscsi.pdu.DataOut;
import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.LogoutRequest;
import io.braid.iscsi.pdu.LogoutResponse;
import io.braid.iscsi.pdu.NopIn;
import io.braid.iscsi.pdu.NopOut;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.ReadyToTransfer;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.iscsi.pdu.TaskMgmtRequest;
import io.braid.iscsi.pdu.TaskMgmtResponse;
import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.store.BlockDevice;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Task management through the whole engine (RFC 7143 11.5, 4.2.3) with a scripted initiator: an
 * aborted command never gets a SCSI Response after the TMF response — whether it was in the SCSI
 * core, waiting for Data-Out or waiting for its CmdSN — and the connection carries on. After each
 * scenario a NOP-Out ping proves nothing else was sent in between.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskManagementEndToEndTest {
    private static final String IQN = "iqn.2026-11.io.braid:tmf";
    private static final int ABORT_TASK = 1, ABORT_TASK_SET = 2, CLEAR_ACA = 3, CLEAR_TASK_SET = 4, LUN_RESET = 5, COLD_RESET = 7, QUERY_TASK = 9;
    private static final int FUNCTION_COMPLETE = 0, TASK_DOES_NOT_EXIST = 1, FUNCTION_NOT_SUPPORTED = 5,
            FUNCTION_SUCCEEDED = 7;
    private static final byte[] TUR = new byte[16];

    private final GatedDevice device = new GatedDevice();
    private IscsiTargetServer server;

    /** 1 MiB in memory; reads can be held at a gate to keep a command inside the core. */
    private static final class GatedDevice implements BlockDevice {
        private final byte[] bytes = new byte[1 << 20];
        private volatile CountDownLatch gate;
        final CountDownLatch readEntered = new CountDownLatch(1);
        volatile int writes;

        @Override
        public int blockSize() {
            return 512;
        }

        @Override
        public long blockCount() {
            return bytes.length / 512;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            readEntered.countDown();
            CountDownLatch g = gate;
            try {
                if (g != null && !g.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            dst.put(bytes, (int) offset, dst.remaining());
        }

        @Override
        public synchronized void write(long offset, ByteBuffer src, boolean fua) {
            writes++;
            src.get(bytes, (int) offset, src.remaining());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** One logged-in session with its own command numbering. */
    private final class Initiator implements AutoCloseable {
        final ScriptedInitiator wire;
        int cmdSn = 1000;
        int nextItt = 0x100;

        Initiator(String name, long isid) throws Exception {
            wire = new ScriptedInitiator(server.boundAddresses().get(0));
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("InitiatorName", name);
            keys.put("SessionType", "Normal");
            keys.put("TargetName", IQN);
            keys.put("InitialR2T", "Yes");
            keys.put("ImmediateData", "No");
            keys.put("MaxRecvDataSegmentLength", "65536");
            LoginResponse login = wire.login(isid, cmdSn, keys);
            assertThat(login.statusClass()).isZero();
            login.release();
            // The first command of a new nexus reports POWER ON, RESET.
            assertThat(command(TUR, false, false, 0)).isEqualTo(2);
        }

        ScsiCommand scsi(byte[] cdb, boolean read, boolean write, int length) {
            return new ScsiCommand(false, true, read, write, 1, 0, nextItt++, length, cmdSn++, 0, cdb, -1,
                    Unpooled.EMPTY_BUFFER);
        }

        /** Sends a command without data and returns its status. */
        int command(byte[] cdb, boolean read, boolean write, int length) throws InterruptedException {
            wire.send(scsi(cdb, read, write, length));
            ScsiResponse r = wire.take(ScsiResponse.class);
            int status = r.status();
            r.release();
            return status;
        }

        /** Sends a command without data; returns the (fixed format) sense key, ASC and ASCQ, or null on GOOD. */
        int[] sense(byte[] cdb) throws InterruptedException {
            wire.send(scsi(cdb, false, false, 0));
            ScsiResponse r = wire.take(ScsiResponse.class);
            try {
                if (r.status() == 0) {
                    return null;
                }
                assertThat(r.status()).as("CHECK CONDITION").isEqualTo(2);
                var d = r.data();
                int at = d.readerIndex() + 2;
                return new int[] {d.getByte(at + 2) & 0x0F, d.getByte(at + 12) & 0xFF, d.getByte(at + 13) & 0xFF};
            } finally {
                r.release();
            }
        }

        /** A command with data-out through one R2T (InitialR2T=Yes, ImmediateData=No); returns its status. */
        int commandWithData(byte[] cdb, byte[] data) throws InterruptedException {
            ScsiCommand c = scsi(cdb, false, true, data.length);
            wire.send(c);
            ReadyToTransfer r2t = wire.take(ReadyToTransfer.class);
            wire.send(new DataOut(true, 0, c.itt(), r2t.ttt(), 0, 0, 0, Unpooled.wrappedBuffer(data)));
            ScsiResponse r = wire.take(ScsiResponse.class);
            int status = r.status();
            r.release();
            return status;
        }

        TaskMgmtRequest tmf(int function, int ref, int refCmdSn) {
            return new TaskMgmtRequest(true, function, 0, nextItt++, ref, cmdSn, 0, refCmdSn, 0);
        }

        int tmfResponse(TaskMgmtRequest request) throws InterruptedException {
            wire.send(request);
            TaskMgmtResponse r = wire.take(TaskMgmtResponse.class);
            assertThat(r.itt()).isEqualTo(request.itt());
            return r.response();
        }

        /** A ping that must come back as the very next PDU: nothing else was pending. */
        void ping() throws InterruptedException {
            int itt = nextItt++;
            wire.send(new NopOut(true, 0, itt, Pdu.RESERVED_TAG, cmdSn, 0, Unpooled.EMPTY_BUFFER));
            NopIn in = wire.take(NopIn.class);
            assertThat(in.itt()).isEqualTo(itt);
            in.release();
        }

        @Override
        public void close() {
            wire.close();
        }
    }

    private static byte[] write10(int lba, int blocks) {
        return new byte[] {0x2a, 0, 0, 0, (byte) (lba >>> 8), (byte) lba, 0, 0, (byte) blocks, 0, 0, 0, 0, 0, 0, 0};
    }

    private static byte[] read10(int lba, int blocks) {
        return new byte[] {0x28, 0, 0, 0, (byte) (lba >>> 8), (byte) lba, 0, 0, (byte) blocks, 0, 0, 0, 0, 0, 0, 0};
    }

    @BeforeEach
    void start() throws Exception {
        var scsi = ScsiTargets.create(ScsiTargetIdentity.braid("test", "0001", "tmf-test"),
                List.of(new LogicalUnitSpec(0, "v0", UUID.randomUUID(), device, false)));
        server = new IscsiTargetServer(TargetServerConfig.of(List.of(new Portal("127.0.0.1", 0, 1)),
                List.of(new TargetDefinition(IQN, null, scsi, List.of())), null));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void abortTaskOfAWriteWaitingForDataOutDropsItsLaterDataSilently() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L)) {
            ScsiCommand write = a.scsi(write10(8, 8), false, true, 4096);
            a.wire.send(write);
            ReadyToTransfer r2t = a.wire.take(ReadyToTransfer.class);
            assertThat(a.tmfResponse(a.tmf(QUERY_TASK, write.itt(), write.cmdSn()))).isEqualTo(FUNCTION_SUCCEEDED);
            assertThat(a.tmfResponse(a.tmf(ABORT_TASK, write.itt(), write.cmdSn()))).isEqualTo(FUNCTION_COMPLETE);
            // The initiator had the data on its way already: it is dropped, with no Reject and no response.
            a.wire.send(new DataOut(true, 0, write.itt(), r2t.ttt(), 0, 0, 0, Unpooled.wrappedBuffer(new byte[4096])));
            a.ping();
            assertThat(device.writes).isZero();
            assertThat(a.tmfResponse(a.tmf(QUERY_TASK, write.itt(), write.cmdSn()))).isEqualTo(FUNCTION_COMPLETE);
            assertThat(a.command(TUR, false, false, 0)).isZero();
        }
    }

    @Test
    void abortTaskOfAReadInsideTheCoreAnswersOnceItStoppedAndSendsNoStatus() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        device.gate = gate;
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L)) {
            ScsiCommand read = a.scsi(read10(0, 8), true, false, 4096);
            a.wire.send(read);
            assertThat(device.readEntered.await(10, TimeUnit.SECONDS)).isTrue();
            TaskMgmtRequest abort = a.tmf(ABORT_TASK, read.itt(), read.cmdSn());
            a.wire.send(abort);
            Thread.sleep(200);
            gate.countDown();
            TaskMgmtResponse r = a.wire.take(TaskMgmtResponse.class);
            assertThat(r.response()).isEqualTo(FUNCTION_COMPLETE);
            a.ping();
            assertThat(a.command(TUR, false, false, 0)).isZero();
        }
    }

    @Test
    void abortTaskOfACommandWaitingForItsCmdSnAndOfOneNeverReceived() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L)) {
            int gap = a.cmdSn++;                       // never sent (yet)
            ScsiCommand queued = a.scsi(TUR, false, false, 0);
            a.wire.send(queued);                        // waits behind the gap
            assertThat(a.tmfResponse(a.tmf(QUERY_TASK, queued.itt(), queued.cmdSn()))).isEqualTo(FUNCTION_SUCCEEDED);
            assertThat(a.tmfResponse(a.tmf(ABORT_TASK, queued.itt(), queued.cmdSn()))).isEqualTo(FUNCTION_COMPLETE);
            // RFC 7143 11.5.1 b): an unknown task whose RefCmdSN is in the window counts as received.
            assertThat(a.tmfResponse(a.tmf(ABORT_TASK, 0x7777, gap))).isEqualTo(FUNCTION_COMPLETE);
            // The window moved past both: the late command is a duplicate, the next one runs.
            a.wire.send(new ScsiCommand(false, true, false, false, 1, 0, 0x7777, 0, gap, 0, TUR, -1,
                    Unpooled.EMPTY_BUFFER));
            assertThat(a.command(TUR, false, false, 0)).isZero();
            a.ping();
            assertThat(a.tmfResponse(a.tmf(ABORT_TASK, 0x7778, gap))).as("RefCmdSN below the window")
                    .isEqualTo(TASK_DOES_NOT_EXIST);
        }
    }

    @Test
    void aLunResetAlsoEndsAnotherSessionsWriteWaitingForDataOut() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L);
             Initiator b = new Initiator("iqn.2026-11.io.braid:host-b", 0x400001000002L)) {
            ScsiCommand write = b.scsi(write10(0, 8), false, true, 4096);
            b.wire.send(write);
            ReadyToTransfer r2t = b.wire.take(ReadyToTransfer.class);
            assertThat(a.tmfResponse(a.tmf(LUN_RESET, Pdu.RESERVED_TAG, 0))).isEqualTo(FUNCTION_COMPLETE);
            b.wire.send(new DataOut(true, 0, write.itt(), r2t.ttt(), 0, 0, 0, Unpooled.wrappedBuffer(new byte[4096])));
            b.ping();
            assertThat(device.writes).as("the other session's write never ran").isZero();
            assertThat(b.command(TUR, false, false, 0)).as("it learns of the reset").isEqualTo(2);
            assertThat(b.command(TUR, false, false, 0)).isZero();
        }
    }

    @Test
    void clearTaskSetEndsAnotherSessionsWriteWaitingForDataOutAndTellsThatSessionOnly() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L);
             Initiator b = new Initiator("iqn.2026-11.io.braid:host-b", 0x400001000002L);
             Initiator c = new Initiator("iqn.2026-11.io.braid:host-c", 0x400001000003L)) {
            ScsiCommand write = b.scsi(write10(0, 8), false, true, 4096);
            b.wire.send(write);
            ReadyToTransfer r2t = b.wire.take(ReadyToTransfer.class);
            assertThat(a.tmfResponse(a.tmf(CLEAR_TASK_SET, Pdu.RESERVED_TAG, 0))).isEqualTo(FUNCTION_COMPLETE);
            b.wire.send(new DataOut(true, 0, write.itt(), r2t.ttt(), 0, 0, 0, Unpooled.wrappedBuffer(new byte[4096])));
            b.ping();
            assertThat(device.writes).as("the cleared write never ran").isZero();
            assertThat(b.sense(TUR)).as("COMMANDS CLEARED BY ANOTHER INITIATOR").containsExactly(6, 0x2F, 0x00);
            assertThat(b.sense(TUR)).isNull();
            assertThat(c.sense(TUR)).as("a session that lost nothing").isNull();
            assertThat(a.sense(TUR)).as("the session that cleared").isNull();
        }
    }

    @Test
    void preemptAndAbortEndsThePreemptedSessionsWriteWaitingForDataOut() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L);
             Initiator b = new Initiator("iqn.2026-11.io.braid:host-b", 0x400001000002L)) {
            assertThat(a.commandWithData(proutCdb(0, 0), proutParameters(0, 0xA))).isZero();
            assertThat(b.commandWithData(proutCdb(0, 0), proutParameters(0, 0xB))).isZero();
            ScsiCommand write = b.scsi(write10(0, 8), false, true, 4096);
            b.wire.send(write);
            ReadyToTransfer r2t = b.wire.take(ReadyToTransfer.class);
            // PREEMPT AND ABORT (05h), type Write Exclusive, removing B's key 0xB.
            assertThat(a.commandWithData(proutCdb(5, 1), proutParameters(0xA, 0xB))).isZero();
            b.wire.send(new DataOut(true, 0, write.itt(), r2t.ttt(), 0, 0, 0, Unpooled.wrappedBuffer(new byte[4096])));
            b.ping();
            assertThat(device.writes).as("the preempted session's write never ran").isZero();
            assertThat(b.sense(TUR)).as("REGISTRATIONS PREEMPTED").containsExactly(6, 0x2A, 0x05);
        }
    }

    private static byte[] proutCdb(int serviceAction, int type) {
        byte[] cdb = new byte[16];
        cdb[0] = 0x5F;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) type;
        cdb[8] = 24;
        return cdb;
    }

    private static byte[] proutParameters(long key, long serviceActionKey) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putLong(key).putLong(serviceActionKey);
        return b.array();
    }

    @Test
    void aLogoutReleasesTheSessionsReservationBeforeItsResponse() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L);
             Initiator b = new Initiator("iqn.2026-11.io.braid:host-b", 0x400001000002L)) {
            byte[] reserve6 = new byte[16];
            reserve6[0] = 0x16;
            assertThat(b.command(reserve6, false, false, 0)).isZero();
            assertThat(a.command(TUR, false, false, 0)).as("RESERVATION CONFLICT").isEqualTo(0x18);
            b.wire.send(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, b.nextItt++, 0, b.cmdSn, 0));
            LogoutResponse out = b.wire.take(LogoutResponse.class);
            assertThat(out.response()).isZero();
            // At once, no waiting for the connection to close: the reservation is gone already.
            assertThat(a.command(TUR, false, false, 0)).isZero();
        }
    }

    @Test
    void clearAcaIsNotSupported() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L)) {
            assertThat(a.tmfResponse(a.tmf(CLEAR_ACA, Pdu.RESERVED_TAG, 0))).isEqualTo(FUNCTION_NOT_SUPPORTED);
            a.ping();
        }
    }

    @Test
    void commandsSentAfterATaskManagementFunctionAreNotAbortedByIt() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        device.gate = gate;
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L)) {
            ScsiCommand read = a.scsi(read10(0, 1), true, false, 512);
            a.wire.send(read);
            assertThat(device.readEntered.await(10, TimeUnit.SECONDS)).isTrue();
            TaskMgmtRequest set = a.tmf(ABORT_TASK_SET, Pdu.RESERVED_TAG, 0);
            a.wire.send(set);
            ScsiCommand later = a.scsi(TUR, false, false, 0);
            a.wire.send(later);
            Thread.sleep(200);
            gate.countDown();
            TaskMgmtResponse r = a.wire.take(TaskMgmtResponse.class);
            assertThat(r.response()).isEqualTo(FUNCTION_COMPLETE);
            ScsiResponse tur = a.wire.take(ScsiResponse.class);
            assertThat(tur.itt()).as("the read never answers; the later TUR does").isEqualTo(later.itt());
            assertThat(tur.status()).isZero();
            tur.release();
            a.ping();
        }
    }

    @Test
    void targetColdResetEndsEverySession() throws Exception {
        try (Initiator a = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L);
             Initiator b = new Initiator("iqn.2026-11.io.braid:host-b", 0x400001000002L)) {
            assertThat(a.tmfResponse(a.tmf(COLD_RESET, Pdu.RESERVED_TAG, 0))).isEqualTo(FUNCTION_COMPLETE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((a.wire.isOpen() || b.wire.isOpen()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(a.wire.isOpen()).isFalse();
            assertThat(b.wire.isOpen()).isFalse();
        }
    }
}
