package io.braid.policy.spi;

import java.util.Objects;

/**
 * One SCSI command the driver is about to send or has sent (one part of a request larger than
 * the unit's MAXIMUM TRANSFER LENGTH is a command of its own).
 *
 * @param device the device's id (VPD 83h designator)
 * @param op     what the command does
 * @param offset first byte on the device, 0 for commands without a range
 * @param length bytes covered, 0 for commands without a range
 */
public record IoRequest(String device, Op op, long offset, long length) {
    public IoRequest {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(op, "op");
    }

    /** The SBC-4 command kinds the driver sends. */
    public enum Op {
        READ, WRITE, FLUSH, UNMAP, WRITE_SAME, OTHER;

        /** Whether it changes what blocks read as. */
        public boolean modifies() {
            return this == WRITE || this == UNMAP || this == WRITE_SAME;
        }
    }
}
