package io.braid.node;

import java.net.BindException;

/**
 * A listening address is taken by another process. The message names the address and what Braid
 * wanted it for, e.g. {@code iSCSI portal 127.0.0.1:3260 is already in use by another process}.
 */
public final class PortInUseException extends BindException {
    private static final long serialVersionUID = 1L;

    private final String address;

    public PortInUseException(String purpose, String address, Throwable cause) {
        super(purpose + " " + address + " is already in use by another process"
                + " (stop it, or choose another address)");
        this.address = address;
        initCause(cause);
    }

    /** The address that was taken, as {@code HOST:PORT}. */
    public String address() {
        return address;
    }
}
