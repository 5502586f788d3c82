package io.braid.host;

import java.io.IOException;

/** A write, trim or write-zeroes sent to an {@link ExportedDevice} that is read-only. */
public final class ReadOnlyDeviceException extends IOException {
    public ReadOnlyDeviceException(String message) {
        super(message);
    }
}
