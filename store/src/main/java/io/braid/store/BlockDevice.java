package io.braid.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The backstore SPI the SCSI core calls: a linear array of bytes with stable-storage flushes
 * (the LIO {@code target_core_backend.h} model: the core parses every command, a backstore only
 * moves bytes). Offsets and lengths are in bytes and always multiples of {@link #blockSize()}.
 *
 * <p>Threading: implementations must be safe for concurrent calls from several worker threads.
 * Callers never call from a Netty event loop, with one exception: a {@link #write} that {@link
 * #writeStaysInMemory} answered true for just before. Buffers stay owned by the caller; an
 * implementation reads or writes {@code remaining()} bytes and never keeps a reference.
 */
public interface BlockDevice extends Closeable {

    /** Logical block size in bytes (512 or 4096). */
    int blockSize();

    /** Capacity in logical blocks. */
    long blockCount();

    /** Reads {@code dst.remaining()} bytes at {@code offset}; unwritten space reads as zeroes. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Writes {@code src.remaining()} bytes at {@code offset}. With {@code fua} the data (and the
     * metadata needed to find it) is on stable storage when the call returns.
     */
    void write(long offset, ByteBuffer src, boolean fua) throws IOException;

    /** Forces every write completed so far to stable storage (SYNCHRONIZE CACHE). */
    void flush() throws IOException;

    /**
     * Whether a {@link #write} (without FUA) of {@code length} bytes at {@code offset}, made now,
     * would only copy the bytes into memory — the page cache or the device's own — without
     * allocating, syncing a journal or a device, reading old data or waiting for another thread's
     * I/O. A caller that must not wait (a network event loop) may then write on its own thread.
     * A hint, not a promise: the answer may be stale by the time the write runs, and the kernel
     * may still throttle a writer of dirty pages, so such a caller watches how long the write
     * took. Cheap enough to ask for every write. The default, false, is always correct.
     */
    default boolean writeStaysInMemory(long offset, long length) {
        return false;
    }

    /**
     * Whether {@link #unmap} really deallocates (thin provisioning: the SCSI core then reports
     * LBPME, the Logical Block Provisioning VPD page and GET LBA STATUS from this device).
     */
    default boolean supportsUnmap() {
        return false;
    }

    /**
     * Deallocates a range; afterwards it reads as zeroes and {@link #provisioning} reports it
     * deallocated. Only called when {@link #supportsUnmap()} is true. A range that only partly
     * covers an allocation unit may leave that unit allocated, with the covered bytes zeroed.
     */
    default void unmap(long offset, long length) throws IOException {
        throw new UnsupportedOperationException("unmap");
    }

    /**
     * Whether {@link #anchor} is supported (SBC-4 "Anchored LBAs"; the SCSI core then reports
     * ANC_SUP). Only meaningful together with {@link #supportsUnmap()}.
     */
    default boolean supportsAnchor() {
        return false;
    }

    /**
     * Anchors a range (SBC-4 "Anchored LBAs"): the storage for it is allocated now, so later
     * writes into it never run out of space, it reads as zeroes, and {@link #provisioning} reports
     * it anchored until it is written (mapped) or unmapped (deallocated). A range that only partly
     * covers an allocation unit may leave that unit mapped, with the covered bytes zeroed. Only
     * called when {@link #supportsAnchor()} is true.
     *
     * @throws SpaceExhaustedException when the storage cannot be allocated; nothing changed then
     */
    default void anchor(long offset, long length) throws IOException {
        throw new UnsupportedOperationException("anchor");
    }

    /**
     * The provisioning status of the run starting at {@code offset} (SBC-4 GET LBA STATUS): the
     * longest run the device can cheaply tell that is all mapped or all deallocated. A device
     * without thin provisioning reports everything to the end as mapped.
     */
    default Extent provisioning(long offset) throws IOException {
        return new Extent(offset, blockCount() * blockSize() - offset, true);
    }

    /**
     * A run of bytes with one provisioning status; offset and length are whole blocks. Anchored
     * runs are not mapped: their storage is allocated but holds no data (they read as zeroes).
     */
    record Extent(long offset, long length, boolean mapped, boolean anchored) {
        public Extent {
            if (mapped && anchored) {
                throw new IllegalArgumentException("an extent is mapped or anchored, not both");
            }
        }

        /** A mapped or deallocated run. */
        public Extent(long offset, long length, boolean mapped) {
            this(offset, length, mapped, false);
        }
    }

    /**
     * The unit in which a thin-provisioned device allocates, in bytes (a multiple of the block
     * size): an {@link #unmap} smaller than one aligned unit may free nothing. The SCSI core
     * reports it as OPTIMAL UNMAP GRANULARITY so initiators unmap in useful pieces.
     */
    default int allocationUnit() {
        return blockSize();
    }

    /** Whether a write cache sits in front of stable storage (reported as WCE). */
    default boolean writeCacheEnabled() {
        return true;
    }

    @Override
    void close() throws IOException;
}
