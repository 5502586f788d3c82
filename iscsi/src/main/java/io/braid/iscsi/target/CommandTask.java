package io.braid.iscsi.target;

import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTask;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * Transport-side state of one SCSI command on a connection: the Data-Out bytes collected so far
 * (immediate, unsolicited and R2T-solicited, RFC 7143 4.2.5.x and 11.7/11.8) and the R2Ts
 * outstanding. Confined to the connection's event loop.
 */
final class CommandTask {
    /** An R2T that has not yet been fully answered. */
    static final class Burst {
        final int ttt;
        final int r2tSn;
        final int offset;
        final int length;
        int received;
        int nextDataSn;

        Burst(int ttt, int r2tSn, int offset, int length) {
            this.ttt = ttt;
            this.r2tSn = r2tSn;
            this.offset = offset;
            this.length = length;
        }
    }

    enum Phase { COLLECTING, EXECUTING, DONE }

    final ScsiCommand command;
    final int itt;
    final long lun;
    final int edtl;
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    final Deque<Burst> bursts = new ArrayDeque<>();
    Phase phase = Phase.COLLECTING;
    /** Set on the event loop by task management; read by the storage thread before execution. */
    volatile boolean aborted;
    /** What the SCSI core runs, built when the task is handed over (phase EXECUTING). */
    ScsiTask scsiTask;
    /**
     * The core's answer, written by the storage thread before the task is queued back to the event
     * loop (the queue publishes it); null for a core failure.
     */
    ScsiResult result;

    /** One buffer, or a composite once a second piece arrived. */
    private ByteBuf dataOut;
    /** Bytes placed in {@link #dataOut} so far (data PDUs arrive in order). */
    int received;
    /** Unsolicited bytes still expected as Data-Out with TTT 0xffffffff (after immediate data). */
    int unsolicitedRemaining;
    int unsolicitedDataSn;
    /** Offset from which the next R2T asks. */
    int nextR2tOffset;
    int nextR2tSn;
    /** R2T and Data-In PDUs sent, reported as ExpDataSN. */
    int dataSnSent;

    CommandTask(ScsiCommand command) {
        this.command = command;
        this.itt = command.itt();
        this.lun = command.lun();
        this.edtl = command.write() ? command.expectedDataTransferLength() : 0;
    }

    boolean write() {
        return command.write();
    }

    /**
     * Appends data at the current end (in-order data); takes ownership of {@code data}. A command
     * whose data came in one PDU (immediate data, the usual small write) keeps that buffer as is;
     * only a second piece makes a composite.
     */
    void append(ByteBufAllocator alloc, ByteBuf data) {
        received += data.readableBytes();
        if (dataOut == null) {
            dataOut = data;
            return;
        }
        CompositeByteBuf composite;
        if (dataOut instanceof CompositeByteBuf c) {
            composite = c;
        } else {
            composite = alloc.compositeBuffer(Math.max(2, Math.min(1024, edtl / 4096 + 2)));
            composite.addComponent(true, dataOut);
            dataOut = composite;
        }
        composite.addComponent(true, data);
    }

    boolean allDataReceived() {
        return received >= edtl;
    }

    /** Hands the collected bytes over (the caller owns them afterwards). */
    ByteBuf takeData(ByteBufAllocator alloc) {
        ByteBuf d = dataOut;
        dataOut = null;
        return d == null ? alloc.buffer(0, 0) : d;
    }

    Burst burst(int ttt) {
        for (Burst b : bursts) {
            if (b.ttt == ttt) {
                return b;
            }
        }
        return null;
    }

    /** Frees what the task holds; safe to call twice. */
    void release() {
        if (dataOut != null) {
            dataOut.release();
            dataOut = null;
        }
    }
}
