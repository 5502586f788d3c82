package io.braid.store.page;

import io.braid.store.BlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.BitSet;
import java.util.UUID;

/**
 * A volume of a {@link PageStore} as a {@link BlockDevice}: 512-byte blocks over mirrored,
 * thin-provisioned pages (docs/storage.md). Made by {@link PageStore#createVolume}; the store owns
 * it, so {@link #close()} only detaches this handle's caller and the store's close does the rest.
 */
public final class PageVolume implements BlockDevice {
    /** Logical block size. */
    public static final int BLOCK_SIZE = 512;

    final PageStore store;
    final int number;
    final UUID id;
    final long createdMillis;
    final PageTable table;
    volatile String name;
    volatile long sizeBytes;
    volatile boolean deleted;
    // Guarded by the store's metadata lock.
    final BitSet dirty = new BitSet();
    volatile long allocatedPages;
    /** Set while a background mark runs ahead of a stream on this volume (PageStore#markAheadOf). */
    final java.util.concurrent.atomic.AtomicBoolean markingAhead = new java.util.concurrent.atomic.AtomicBoolean();
    final long[] pagesOnDrive = new long[PageStoreConfig.MAX_DRIVES];

    PageVolume(PageStore store, int number, UUID id, String name, long sizeBytes, long createdMillis) {
        this.store = store;
        this.number = number;
        this.id = id;
        this.name = name;
        this.sizeBytes = sizeBytes;
        this.createdMillis = createdMillis;
        this.table = new PageTable(store.pagesFor(sizeBytes));
    }

    public UUID id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Instant created() {
        return Instant.ofEpochMilli(createdMillis);
    }

    /** Provisioned size in bytes. */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** Bytes of pages that have storage (each stored twice on the drives). */
    public long allocatedBytes() {
        return allocatedPages * store.pageSize();
    }

    /** Bytes of this volume's page copies on drive {@code drive}. */
    public long allocatedBytesOn(int drive) {
        return store.allocatedOn(this, drive);
    }

    @Override
    public int blockSize() {
        return BLOCK_SIZE;
    }

    @Override
    public long blockCount() {
        return sizeBytes / BLOCK_SIZE;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        store.read(this, offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        store.write(this, offset, src, fua);
    }

    @Override
    public void flush() throws IOException {
        store.flush();
    }

    @Override
    public boolean writeStaysInMemory(long offset, long length) {
        return store.writeStaysInMemory(this, offset, length);
    }

    @Override
    public boolean supportsUnmap() {
        return true;
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        store.unmap(this, offset, length);
    }

    @Override
    public Extent provisioning(long offset) throws IOException {
        return store.provisioning(this, offset);
    }

    @Override
    public boolean writeCacheEnabled() {
        return true;
    }

    /** Nothing to release: the store owns the volume and closes everything in {@link PageStore#close}. */
    @Override
    public void close() {
    }

    void checkRange(long offset, long length) {
        long size = sizeBytes;
        if (offset < 0 || offset % BLOCK_SIZE != 0 || length < 0 || length % BLOCK_SIZE != 0
                || offset > size || length > size - offset) {
            throw new IllegalArgumentException("range offset=" + offset + " length=" + length
                    + " is not block aligned within " + size + " bytes of volume " + name);
        }
    }

    void checkUsable() throws IOException {
        if (deleted) {
            throw new IOException("volume " + name + " was deleted");
        }
        store.checkOpen();
    }

    @Override
    public String toString() {
        return "PageVolume[" + name + ", " + id + ", " + sizeBytes + " bytes]";
    }
}
