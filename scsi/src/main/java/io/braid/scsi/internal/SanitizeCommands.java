package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.braid.scsi.internal.CommandFlag.NEEDS_UNMAP;
import static io.braid.scsi.internal.CommandFlag.WRITES_MEDIUM;
import static io.braid.scsi.internal.DataDirection.NONE;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * SANITIZE (SBC-4 "SANITIZE command"): OVERWRITE on every unit, BLOCK ERASE on thin-provisioned
 * units (every block is deallocated, so it reads as zeroes and GET LBA STATUS reports it
 * deallocated), EXIT FAILURE MODE. CRYPTOGRAPHIC ERASE is not offered: nothing is encrypted, so
 * there is no key whose change would make the data unreadable.
 *
 * <p>The operation runs on its own thread with the whole medium held exclusively in the range
 * lock ({@link Sanitizer}); with IMMED the command returns once the parameters are checked,
 * otherwise it waits, and an abort of the waiting task leaves the operation running.
 *
 * <p>OVERWRITE is paced at {@value #OVERWRITE_BYTES_PER_SECOND} bytes per second: it rewrites
 * the whole volume once per pass, and at full speed it would take the drives away from every
 * other volume of the node for the duration (the way arrays bound a rebuild). BLOCK ERASE
 * touches no data and is not paced.
 */
final class SanitizeCommands {

    static final int OPCODE = 0x48;
    static final int OVERWRITE = 0x01;
    static final int BLOCK_ERASE = 0x02;
    static final int EXIT_FAILURE_MODE = 0x1F;

    /** Pace of OVERWRITE passes. */
    static final long OVERWRITE_BYTES_PER_SECOND = 16L << 20;

    /** One OVERWRITE write, and the step BLOCK ERASE deallocates at once. */
    private static final int OVERWRITE_CHUNK = 1 << 20;
    private static final long ERASE_STEP_BYTES = 1L << 30;

    private SanitizeCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        return List.of(
                CommandDescriptor.of("SANITIZE OVERWRITE", OPCODE, OVERWRITE, OUT, (cdb, bs) -> BigEndian.u16(cdb, 7),
                        SanitizeCommands::overwrite,
                        "48 bf 00 00 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 00 00 00 c2",
                        WRITES_MEDIUM),
                CommandDescriptor.of("SANITIZE BLOCK ERASE", OPCODE, BLOCK_ERASE, NONE, (cdb, bs) -> BigEndian.u16(cdb, 7),
                        SanitizeCommands::blockErase,
                        "48 bf 00 00 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 00 00 00 c2",
                        WRITES_MEDIUM, NEEDS_UNMAP),
                CommandDescriptor.of("SANITIZE EXIT FAILURE MODE", OPCODE, EXIT_FAILURE_MODE, NONE,
                        (cdb, bs) -> BigEndian.u16(cdb, 7),
                        SanitizeCommands::exitFailureMode,
                        "48 bf 00 00 00 00 00 ff ff 00",
                        "00 00 00 00 00 00 00 00 00 c2"));
    }

    /*
     * SANITIZE (48h): 1 IMMED(7) ZNR(6, zoned devices only: refused) AUSE(5) SERVICE ACTION(4:0),
     * 7-8 PARAMETER LIST LENGTH. OVERWRITE parameter list: 0 INVERT(7) TEST(6:5) OVERWRITE
     * COUNT(4:0), 2-3 INITIALIZATION PATTERN LENGTH, 4.. INITIALIZATION PATTERN. The list must be
     * longer than 4 bytes and shorter than a block plus 5 (else INVALID FIELD IN CDB); a count of
     * zero, a TEST value other than 00b, or a pattern that is empty, longer than a block or
     * longer than the list is an INVALID FIELD IN PARAMETER LIST. The pattern repeats from the
     * start of every block; with INVERT every other pass writes it inverted, ending with the
     * pattern itself.
     */
    static ScsiResult overwrite(Command cmd) {
        byte[] cdb = cmd.cdb();
        LogicalUnit u = cmd.unit();
        int bs = u.blockSize();
        int length = BigEndian.u16(cdb, 7);
        if (length <= 4 || length >= bs + 5) {
            throw CheckCondition.invalidFieldInCdb(7, 7);
        }
        ByteBuf data = cmd.dataOut();
        if (data.readableBytes() < length) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = new byte[length];
        data.getBytes(data.readerIndex(), p);
        boolean invert = (p[0] & 0x80) != 0;
        int test = (p[0] >>> 5) & 0x03;
        int count = p[0] & 0x1F;
        int patternLength = BigEndian.u16(p, 2);
        if (test != 0) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameterList(0, 6)));
        }
        if (count == 0) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameterList(0, 4)));
        }
        if (patternLength == 0 || patternLength > bs || patternLength > length - 4) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameterList(2, 7)));
        }
        byte[] block = new byte[bs];
        for (int i = 0; i < bs; i++) {
            block[i] = p[4 + i % patternLength];
        }
        boolean ause = (cdb[1] & 0x20) != 0;
        return run(cmd, u.sanitizer().start("OVERWRITE", ause, progress -> overwriteAll(u, block, count, invert, progress)));
    }

    /* BLOCK ERASE: PARAMETER LIST LENGTH must be zero. */
    static ScsiResult blockErase(Command cmd) {
        byte[] cdb = cmd.cdb();
        if (BigEndian.u16(cdb, 7) != 0) {
            throw CheckCondition.invalidFieldInCdb(7, 7);
        }
        LogicalUnit u = cmd.unit();
        boolean ause = (cdb[1] & 0x20) != 0;
        return run(cmd, u.sanitizer().start("BLOCK ERASE", ause, progress -> eraseAll(u, progress)));
    }

    /* EXIT FAILURE MODE: PARAMETER LIST LENGTH must be zero. */
    static ScsiResult exitFailureMode(Command cmd) {
        if (BigEndian.u16(cmd.cdb(), 7) != 0) {
            throw CheckCondition.invalidFieldInCdb(7, 7);
        }
        cmd.unit().sanitizer().exitFailureMode();
        return cmd.good();
    }

    /** IMMED: answer now. Otherwise wait for the operation, polling for task management. */
    private static ScsiResult run(Command cmd, CompletableFuture<Void> operation) {
        if ((cmd.cdb()[1] & 0x80) != 0) {
            return cmd.good();
        }
        while (true) {
            try {
                operation.get(20, TimeUnit.MILLISECONDS);
                return cmd.good();
            } catch (TimeoutException e) {
                cmd.checkAborted();
            } catch (ExecutionException e) {
                throw CheckCondition.of(SenseCode.SANITIZE_COMMAND_FAILED);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
            }
        }
    }

    private static void overwriteAll(LogicalUnit u, byte[] block, int passes, boolean invert, Sanitizer.Progress progress) {
        int bs = block.length;
        long capacity = u.blockCount();
        int chunkBlocks = (int) Math.min(capacity, OVERWRITE_CHUNK / bs);
        byte[] plain = new byte[chunkBlocks * bs];
        for (int i = 0; i < chunkBlocks; i++) {
            System.arraycopy(block, 0, plain, i * bs, bs);
        }
        byte[] inverted = plain.clone();
        for (int i = 0; i < inverted.length; i++) {
            inverted[i] = (byte) ~inverted[i];
        }
        progress.total(capacity * passes);
        long started = System.nanoTime();
        long written = 0;
        u.ranges().lockAll(null);
        try {
            for (int pass = 0; pass < passes; pass++) {
                // SBC-4: with INVERT the last pass writes the pattern itself.
                byte[] chunk = invert && (passes - 1 - pass) % 2 == 1 ? inverted : plain;
                for (long at = 0; at < capacity; ) {
                    int n = (int) Math.min(chunkBlocks, capacity - at);
                    u.writeUnderLock(at, ByteBuffer.wrap(chunk, 0, n * bs), false);
                    at += n;
                    written += (long) n * bs;
                    progress.advance(n);
                    pace(started, written);
                }
                u.flush();
            }
        } finally {
            u.ranges().unlockAll();
        }
    }

    private static void eraseAll(LogicalUnit u, Sanitizer.Progress progress) {
        long capacity = u.blockCount();
        long step = Math.max(1, ERASE_STEP_BYTES / u.blockSize());
        progress.total(capacity);
        u.ranges().lockAll(null);
        try {
            for (long at = 0; at < capacity; ) {
                long n = Math.min(step, capacity - at);
                u.unmapUnderLock(at, n);
                at += n;
                progress.advance(n);
            }
            u.flush();
        } finally {
            u.ranges().unlockAll();
        }
    }

    /** Sleeps until {@code written} bytes are due at {@link #OVERWRITE_BYTES_PER_SECOND}. */
    private static void pace(long startedNanos, long written) {
        long due = startedNanos + (long) (written * 1e9 / OVERWRITE_BYTES_PER_SECOND);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("sanitize interrupted", e);
            }
        }
    }
}
