package io.braid.store;

import java.io.IOException;

/**
 * A write needed space that a thin-provisioned device does not have. Nothing of the write was
 * stored; the SCSI core reports it as DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT
 * (SBC-4 "Thin provisioning resource exhaustion"), never as a medium error.
 */
public final class SpaceExhaustedException extends IOException {
    public SpaceExhaustedException(String message) {
        super(message);
    }
}
