package io.braid.host.iscsi;

import io.braid.host.scsi.SenseData;
import io.braid.host.scsi.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * How a SCSI command submitted to an {@link IscsiSession} ended (SAM-5 "Command lifetime";
 * RFC 7143 11.4): GOOD with its data, CHECK CONDITION with decoded sense, another status, or a
 * transport failure without any status.
 *
 * <p>Buffer ownership: a {@link Good} outcome owns its {@code data}; whoever receives the
 * outcome from the future must call {@link #release()} (a no-op for the other kinds) or hand the
 * buffer on. An outcome that nobody can receive, because the future was cancelled or completed
 * first, is released by the session.
 */
public sealed interface ScsiOutcome permits ScsiOutcome.Good, ScsiOutcome.CheckCondition,
        ScsiOutcome.OtherStatus, ScsiOutcome.TransportFailure {

    /** Releases a buffer the outcome holds; harmless when there is none or it was released. */
    default void release() {
    }

    /** Whether the command ended with status GOOD. */
    default boolean isGood() {
        return this instanceof Good;
    }

    /**
     * Residual counts of the SCSI Response or final Data-In (RFC 7143 11.4.5): {@code underflow}
     * when fewer bytes than the Expected Data Transfer Length moved, {@code overflow} when the
     * command wanted to move more; {@code count} is the difference.
     */
    record Residual(boolean overflow, boolean underflow, int count) {
        public static final Residual NONE = new Residual(false, false, 0);

        /** The count as an unsigned number of bytes. */
        public long bytes() {
            return Integer.toUnsignedLong(count);
        }
    }

    /**
     * Status GOOD.
     *
     * @param data     the Data-In bytes received, in order (empty for commands without data-in);
     *                 owned by the receiver of the outcome
     * @param residual residual counts
     */
    record Good(ByteBuf data, Residual residual) implements ScsiOutcome {
        public Good {
            data = data == null ? Unpooled.EMPTY_BUFFER : data;
        }

        @Override
        public void release() {
            if (data.refCnt() > 0) {
                data.release();
            }
        }
    }

    /**
     * Status CHECK CONDITION.
     *
     * @param sense    the decoded sense data, or null when the target sent none (or none that
     *                 decodes; the multipath driver should then treat it as a target error)
     * @param residual residual counts
     */
    record CheckCondition(SenseData sense, Residual residual) implements ScsiOutcome {
    }

    /**
     * Any other status: BUSY, RESERVATION CONFLICT, TASK SET FULL, ACA ACTIVE, TASK ABORTED,
     * CONDITION MET, or an obsolete or reserved code.
     *
     * @param status   the status byte
     * @param residual residual counts
     */
    record OtherStatus(int status, Residual residual) implements ScsiOutcome {
        /** The status as an enum, or null for an obsolete or reserved code. */
        public ScsiStatus scsiStatus() {
            return ScsiStatus.of(status);
        }

        @Override
        public String toString() {
            ScsiStatus s = scsiStatus();
            return "OtherStatus[" + (s != null ? s : String.format("0x%02x", status)) + ", " + residual + "]";
        }
    }

    /**
     * The command ended without a SCSI status.
     *
     * @param kind    why
     * @param message details for logs: what happened, on which path
     */
    record TransportFailure(FailureKind kind, String message) implements ScsiOutcome {
    }
}
