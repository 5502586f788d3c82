package io.braid.host;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A block device the host agent exports (architecture.md "Exports"): a linear range of bytes with
 * asynchronous read, write, flush, trim and write-zeroes, as the NBD server and Java callers see
 * it. The multipath device implements it; {@link BlockDeviceExport} adapts a store
 * {@code BlockDevice}.
 *
 * <p>Offsets and lengths are in bytes. Callers keep every request inside {@code [0, size())} and
 * aligned to {@link #blockSize()}; a device may still reject a request that breaks this with an
 * {@link IllegalArgumentException} in the returned future.
 *
 * <p><b>Threads.</b> Methods are called from I/O threads (the NBD server calls them on the Netty
 * event loop that owns the client's connection) and must return promptly: blocking work belongs
 * on the device's own threads. Any number of requests may be outstanding at once, from several
 * callers; the device may complete them in any order. A future may be completed on any thread,
 * including the calling thread before the method returns; callers do not assume which.
 *
 * <p><b>Buffers.</b> The caller owns every {@link ByteBuffer} it passes. The device may use it from
 * the call until it completes the returned future, and never after: no reference kept, no access
 * once the future is done (even when it completes exceptionally). The caller does not touch the
 * buffer in between.
 *
 * <p><b>Durability.</b> A write with {@code fua} completes only once its data is on stable
 * storage. {@link #flush()} completes only once every write, trim and write-zeroes that had
 * <em>completed</em> before {@code flush()} was called is on stable storage (the Linux
 * {@code REQ_PREFLUSH} model the NBD protocol adopts).
 *
 * <p><b>Errors.</b> A failed request completes its future exceptionally, never by throwing from
 * the method. The NBD server maps the cause to the error its client sees:
 * {@link IllegalArgumentException} or {@link UnsupportedOperationException} (a request outside
 * the rules above) to NBD_EINVAL, {@link ReadOnlyDeviceException} to NBD_EPERM,
 * {@code io.braid.store.SpaceExhaustedException} (thin-provisioned space ran out) to NBD_ENOSPC,
 * and anything else, such as an {@link java.io.IOException} for a failure of the medium or of
 * every path, to NBD_EIO. The exception's message reaches clients that negotiated structured
 * replies, so it should say what failed for a human.
 */
public interface ExportedDevice {

    /** Longest export name in UTF-8 bytes (the NBD protocol asks for at most 256). */
    int MAX_NAME_BYTES = 255;

    /** The name clients select the device by; see {@link #checkName}. */
    String name();

    /**
     * Returns {@code name} if it can name a device: 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8
     * without control characters, '/', '?' or '#' (so that it stands in an NBD URI's path as is).
     *
     * @throws IllegalArgumentException naming the rule that {@code name} breaks
     */
    static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("device name is empty");
        }
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("device name '" + name + "' has " + bytes
                    + " bytes of UTF-8; at most " + MAX_NAME_BYTES + " allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '/' || c == '?' || c == '#') {
                throw new IllegalArgumentException("device name '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' contains " + (Character.isISOControl(c) ? "a control character" : "'" + c + "'")
                        + " at index " + i);
            }
        }
        return name;
    }

    /** A line for humans (NBD_INFO_DESCRIPTION, NBD_OPT_LIST); empty when there is none. */
    default String description() {
        return "";
    }

    /** Size in bytes; a whole number of {@link #blockSize()} blocks. */
    long size();

    /** The smallest addressable unit and alignment in bytes: a power of two, 512 to 65536. */
    int blockSize();

    /** The size at which aligned I/O is efficient: a power of two, at least {@link #blockSize()}. */
    default int preferredBlockSize() {
        return Math.max(4096, blockSize());
    }

    /** Whether writes, trims and write-zeroes are refused. */
    default boolean readOnly() {
        return false;
    }

    /** Whether {@link #flush()} does anything (a device without a volatile cache may say false). */
    default boolean canFlush() {
        return true;
    }

    /** Whether the {@code fua} flag is honoured (otherwise callers fall back to flushes). */
    default boolean canFua() {
        return true;
    }

    /** Whether {@link #trim} deallocates; without it trim is never called. */
    default boolean canTrim() {
        return false;
    }

    /**
     * Whether a flush or FUA write is visible through every connection once it completes, so a
     * client may spread one workload over several connections (NBD_FLAG_CAN_MULTI_CONN). True for
     * a device without a per-connection cache, which is every device the agent builds.
     */
    default boolean canMultiConn() {
        return true;
    }

    /**
     * Reads {@code dst.remaining()} bytes starting at {@code offset} into {@code dst}, advancing
     * its position to its limit (a caller treats bytes left unfilled as a failed read).
     */
    CompletableFuture<Void> read(long offset, ByteBuffer dst);

    /**
     * Writes the {@code src.remaining()} bytes of {@code src} at {@code offset}; with {@code fua}
     * the future completes only once they are on stable storage.
     */
    CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua);

    /** Makes every completed write durable; see the class comment. */
    CompletableFuture<Void> flush();

    /**
     * Deallocates {@code length} bytes at {@code offset} (a hint: the device may keep some or all
     * of them); what they read afterwards is unspecified until written again. Only called when
     * {@link #canTrim()} is true.
     */
    default CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("trim on " + name()));
    }

    /**
     * Makes {@code length} bytes at {@code offset} read as zeroes. With {@code noHole} the range
     * must stay allocated (no trim); without it a device that can trim may deallocate instead.
     * The default writes zeroes from one shared read-only buffer, one chunk after the other.
     */
    default CompletableFuture<Void> writeZeroes(long offset, long length, boolean noHole, boolean fua) {
        return ZeroFill.write(this, offset, length, fua);
    }
}
