package io.braid.node;

import io.braid.store.BlockDevice;
import io.braid.store.ForwardingBlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read-only view of a device, for read-only LUNs: the refusal of writes does not rest on the
 * SCSI core alone.
 */
final class ReadOnlyDevice extends ForwardingBlockDevice {
    ReadOnlyDevice(BlockDevice device) {
        super(device);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        throw new IOException("the volume is read-only");
    }

    @Override
    public boolean supportsUnmap() {
        return false;
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        throw new IOException("the volume is read-only");
    }

    @Override
    public void flush() {
        // Nothing was written through this view.
    }

    @Override
    public void close() {
        // The device belongs to whoever made this view.
    }
}
