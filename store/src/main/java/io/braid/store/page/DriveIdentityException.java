package io.braid.store.page;

import java.io.IOException;

/**
 * A drive is missing, unreadable as a Braid drive, or is not the drive the store's metadata
 * expects at that path (swapped, reformatted, or belonging to another store).
 */
public final class DriveIdentityException extends IOException {
    public DriveIdentityException(String message) {
        super(message);
    }

    public DriveIdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
