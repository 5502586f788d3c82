package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTask;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * One command while its handler runs: the task, its validated CDB, the addressed unit and the
 * transfer length the CDB describes. Builds the {@link ScsiResult} so that allocation length
 * truncation and transfer length reporting are done the same way by every handler.
 */
public final class Command {

    private final CoreTarget target;
    private final ScsiTask task;
    private final CommandDescriptor descriptor;
    private final LogicalUnit unit;
    private final TaskSet.Entry entry;
    private final long transferLength;

    Command(CoreTarget target, ScsiTask task, CommandDescriptor descriptor, LogicalUnit unit,
            TaskSet.Entry entry, long transferLength) {
        this.target = target;
        this.task = task;
        this.descriptor = descriptor;
        this.unit = unit;
        this.entry = entry;
        this.transferLength = transferLength;
    }

    ScsiTask task() {
        return task;
    }

    TaskSet.Entry entry() {
        return entry;
    }

    public CoreTarget target() {
        return target;
    }

    public Nexus nexus() {
        return task.nexus();
    }

    /** The CDB as received (possibly padded beyond the command's length); never modified. */
    public byte[] cdb() {
        return task.cdb();
    }

    public CommandDescriptor descriptor() {
        return descriptor;
    }

    /** The addressed unit; null only for commands flagged {@link CommandFlag#SERVED_FOR_UNKNOWN_LUN}. */
    public LogicalUnit unit() {
        return unit;
    }

    /** What the CDB describes (allocation length, or blocks times block size). */
    public long transferLength() {
        return transferLength;
    }

    /**
     * Whether this command's nexus must not change the unit's medium: the unit is read-only or LUN
     * masking grants its initiator reading only. Checked by the dispatcher for {@link
     * CommandFlag#WRITES_MEDIUM}; reported as WP in MODE SENSE.
     */
    public boolean writeProtected() {
        return unit != null && target.writeProtected(task.nexus(), unit);
    }

    /** The data-out bytes; owned by the dispatcher, which releases them after the handler returns. */
    public ByteBuf dataOut() {
        ByteBuf data = task.dataOut();
        return data == null ? Unpooled.EMPTY_BUFFER : data;
    }

    public ByteBufAllocator allocator() {
        return target.allocator();
    }

    /** Throws {@link TaskAborted} when task management aborted this task; long loops call it. */
    public void checkAborted() {
        if (entry != null && entry.aborted()) {
            throw TaskAborted.INSTANCE;
        }
    }

    /** GOOD without data-in; a data-out command reports the bytes its CDB describes. */
    public ScsiResult good() {
        return new ScsiResult(ScsiResult.GOOD, null, null,
                descriptor.direction() == DataDirection.OUT ? saturated(transferLength) : 0);
    }

    /**
     * GOOD with parameter data: {@code full} is everything the command would return, cut to the
     * allocation length (SPC-5 "Allocation length": truncation is not an error).
     */
    public ScsiResult dataIn(byte[] full) {
        int n = (int) Math.min(transferLength, full.length);
        if (n == 0) {
            return new ScsiResult(ScsiResult.GOOD, null, null, 0);
        }
        return new ScsiResult(ScsiResult.GOOD, null, Unpooled.wrappedBuffer(full, 0, n), n);
    }

    /** GOOD with data-in that already has exactly the length to return; ownership passes on. */
    public ScsiResult dataIn(ByteBuf data) {
        return new ScsiResult(ScsiResult.GOOD, null, data, data.readableBytes());
    }

    static int saturated(long bytes) {
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }
}
