package io.braid.host.multipath;

import io.braid.host.scsi.SenseData;

import java.io.IOException;

/**
 * A target-class error (SCSI status or sense data that retrying on another path would not
 * change) given back to the caller of a multipath device. The message says which device, what
 * command and what the target answered.
 */
public final class ScsiErrorException extends IOException {
    private final transient SenseData sense;
    private final int status;

    public ScsiErrorException(String message, int status, SenseData sense) {
        super(message);
        this.status = status;
        this.sense = sense;
    }

    /** The SCSI status byte (02h CHECK CONDITION, 18h RESERVATION CONFLICT, ...). */
    public int status() {
        return status;
    }

    /** The sense data of a CHECK CONDITION, or null. */
    public SenseData sense() {
        return sense;
    }
}
