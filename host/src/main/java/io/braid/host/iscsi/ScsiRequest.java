package io.braid.host.iscsi;

import io.braid.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;

import java.time.Duration;

/**
 * One SCSI command for {@link IscsiSession#submit}: the CDB, where its data goes, and how long it
 * may take.
 *
 * <p>Buffer ownership: {@code dataOut} stays the caller's. {@code submit} takes its own reference
 * (a retained duplicate) for as long as it needs the bytes, so the caller may release its
 * reference as soon as {@code submit} returns, or keep it to retry the same request on another
 * path. The readable bytes are sent; the reader index is not moved.
 *
 * @param lun            LUN number (0..16383)
 * @param cdb            the CDB, 6 to 260 bytes (longer than 16 uses the Extended CDB AHS)
 * @param direction      where data flows
 * @param transferLength Expected Data Transfer Length in bytes (for WRITE, the readable bytes of
 *                       {@code dataOut}; 0 for NONE)
 * @param dataOut        data to write, null unless {@code direction} is WRITE
 * @param attribute      task attribute, SIMPLE when null
 * @param timeout        how long the command may take, or null for the session's command timeout
 */
public record ScsiRequest(int lun, byte[] cdb, Direction direction, int transferLength, ByteBuf dataOut,
                          TaskAttribute attribute, Duration timeout) {

    /** Longest CDB: 16 bytes in the BHS plus the Extended CDB AHS (RFC 7143 11.2.1.5). */
    public static final int MAX_CDB_LENGTH = 260;

    /** Where the command's data flows. */
    public enum Direction {
        NONE, READ, WRITE
    }

    public ScsiRequest {
        if (lun < 0 || lun > io.braid.host.scsi.SamLun.MAX) {
            throw new IllegalArgumentException("LUN " + lun + " is out of range 0.." + io.braid.host.scsi.SamLun.MAX);
        }
        if (cdb == null || cdb.length < 6 || cdb.length > MAX_CDB_LENGTH) {
            throw new IllegalArgumentException("CDB of " + (cdb == null ? "null" : cdb.length + " bytes")
                    + "; 6.." + MAX_CDB_LENGTH + " bytes expected");
        }
        cdb = cdb.clone();
        if (direction == null) {
            throw new IllegalArgumentException("direction is null");
        }
        if (transferLength < 0) {
            throw new IllegalArgumentException("transfer length " + transferLength + " is negative");
        }
        switch (direction) {
            case NONE -> {
                if (transferLength != 0 || dataOut != null) {
                    throw new IllegalArgumentException("a command without data has transfer length 0 and no data");
                }
            }
            case READ -> {
                if (dataOut != null) {
                    throw new IllegalArgumentException("a READ command carries no data-out buffer");
                }
            }
            case WRITE -> {
                if (dataOut == null || dataOut.readableBytes() != transferLength) {
                    throw new IllegalArgumentException("a WRITE command needs a data-out buffer of exactly "
                            + transferLength + " readable bytes, got "
                            + (dataOut == null ? "none" : dataOut.readableBytes()));
                }
            }
        }
        attribute = attribute == null ? TaskAttribute.SIMPLE : attribute;
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("command timeout must be positive, not " + timeout);
        }
    }

    /** A command that reads up to {@code length} bytes. */
    public static ScsiRequest read(int lun, byte[] cdb, int length) {
        return new ScsiRequest(lun, cdb, Direction.READ, length, null, null, null);
    }

    /** A command that writes the readable bytes of {@code data} (see ownership above). */
    public static ScsiRequest write(int lun, byte[] cdb, ByteBuf data) {
        return new ScsiRequest(lun, cdb, Direction.WRITE, data == null ? 0 : data.readableBytes(), data, null, null);
    }

    /** A command without data. */
    public static ScsiRequest noData(int lun, byte[] cdb) {
        return new ScsiRequest(lun, cdb, Direction.NONE, 0, null, null, null);
    }

    public ScsiRequest withTimeout(Duration t) {
        return new ScsiRequest(lun, cdb, direction, transferLength, dataOut, attribute, t);
    }

    public ScsiRequest withAttribute(TaskAttribute a) {
        return new ScsiRequest(lun, cdb, direction, transferLength, dataOut, a, timeout);
    }

    /** A copy of the CDB. */
    @Override
    public byte[] cdb() {
        return cdb.clone();
    }

    /** The operation code, byte 0 of the CDB. */
    public int operationCode() {
        return cdb[0] & 0xFF;
    }

    @Override
    public String toString() {
        return String.format("ScsiRequest[lun=%d, op=0x%02x, %s %d bytes]", lun, cdb[0] & 0xFF, direction, transferLength);
    }
}
