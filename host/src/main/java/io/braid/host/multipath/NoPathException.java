package io.braid.host.multipath;

import java.io.IOException;

/**
 * An I/O failed because its device had no usable path for longer than
 * {@link MultipathConfig#noPathTimeout()} (or the driver was closed, or the device removed).
 */
public final class NoPathException extends IOException {
    public NoPathException(String message) {
        super(message);
    }
}
