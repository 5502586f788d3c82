package io.braid.policy.spi;

import java.util.Objects;

/**
 * How a command ended when it did not end GOOD: a CHECK CONDITION with sense data, another SCSI
 * status (SAM-5 5.3), a transport failure (RFC 7143: the connection, the session or the PDU), or
 * a timeout.
 *
 * <p><b>Buffers.</b> {@link #sense()} returns a fresh copy on every call; the module owns it.
 *
 * @param kind       which of the four
 * @param senseBytes the sense data (CHECK CONDITION), copied in and out; empty otherwise
 * @param status    the SCSI status byte (0x02 CHECK CONDITION, 0x08 BUSY, 0x18 RESERVATION
 *                  CONFLICT, 0x28 TASK SET FULL, ...), or -1 for a transport failure or timeout
 * @param transport for a transport failure or timeout: the agent's failure kind
 *                  ({@code CONNECTION_LOST}, {@code PING_TIMEOUT}, {@code SESSION_CLOSED},
 *                  {@code NOT_LOGGED_IN}, {@code QUEUE_FULL}, {@code REJECTED}, {@code ABORTED},
 *                  {@code TARGET_FAILURE}, {@code COMMAND_TIMEOUT}); otherwise ""
 * @param message   for people
 */
public record IoError(Kind kind, int status, byte[] senseBytes, String transport, String message) {
    public IoError {
        Objects.requireNonNull(kind, "kind");
        senseBytes = senseBytes == null ? new byte[0] : senseBytes.clone();
        transport = transport == null ? "" : transport;
        message = message == null ? "" : message;
    }

    public enum Kind {
        /** Status CHECK CONDITION; {@link #sense()} holds the sense data (possibly empty). */
        CHECK_CONDITION,
        /** Another status: BUSY, RESERVATION CONFLICT, TASK SET FULL, ACA ACTIVE, TASK ABORTED. */
        STATUS,
        /** No status: the nexus failed ({@link #transport()} says how); the command may or may not have run. */
        TRANSPORT,
        /** No status within the command timeout; the command was aborted. */
        TIMEOUT
    }

    /** The sense data as the target sent it (SPC-5 4.4), fixed or descriptor format; a copy. */
    public byte[] sense() {
        return senseBytes.clone();
    }

    /** The same as {@link #sense()}: a copy. */
    @Override
    public byte[] senseBytes() {
        return senseBytes.clone();
    }

    /** The sense key (SPC-5 table 51), or -1 without sense data. */
    public int senseKey() {
        if (senseBytes.length < 3) {
            return -1;
        }
        int code = senseBytes[0] & 0x7F;
        return code >= 0x72 ? senseBytes[1] & 0x0F : senseBytes[2] & 0x0F;
    }

    /** ADDITIONAL SENSE CODE, or -1. */
    public int asc() {
        int code = senseBytes.length == 0 ? 0 : senseBytes[0] & 0x7F;
        int at = code >= 0x72 ? 2 : 12;
        return senseBytes.length > at ? senseBytes[at] & 0xFF : -1;
    }

    /** ADDITIONAL SENSE CODE QUALIFIER, or -1. */
    public int ascq() {
        int code = senseBytes.length == 0 ? 0 : senseBytes[0] & 0x7F;
        int at = code >= 0x72 ? 3 : 13;
        return senseBytes.length > at ? senseBytes[at] & 0xFF : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IoError e && kind == e.kind && status == e.status
                && java.util.Arrays.equals(senseBytes, e.senseBytes) && transport.equals(e.transport)
                && message.equals(e.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, status, java.util.Arrays.hashCode(senseBytes), transport, message);
    }

    @Override
    public String toString() {
        return kind + (status >= 0 ? String.format(" status 0x%02x", status) : "")
                + (senseKey() >= 0 ? String.format(" sense %x/%02x/%02x", senseKey(), asc(), ascq()) : "")
                + (transport.isEmpty() ? "" : " " + transport) + (message.isEmpty() ? "" : ": " + message);
    }
}
