package io.braid.node;

import io.braid.store.BlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read-only view of a device, for read-only LUNs: the refusal of writes does not rest on the
 * SCSI core alone.
 */
final class ReadOnlyDevice implements BlockDevice {
    private final BlockDevice device;

    ReadOnlyDevice(BlockDevice device) {
        this.device = device;
    }

    @Override
    public int blockSize() {
        return device.blockSize();
    }

    @Override
    public long blockCount() {
        return device.blockCount();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        device.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        throw new IOException("the volume is read-only");
    }

    @Override
    public void flush() {
        // Nothing was written through this view.
    }

    @Override
    public Extent provisioning(long offset) throws IOException {
        return device.provisioning(offset);
    }

    @Override
    public boolean writeCacheEnabled() {
        return device.writeCacheEnabled();
    }

    @Override
    public void close() {
        // The device belongs to whoever made this view.
    }
}
