package io.braid.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A device that hands every call to another one: the base of views and wrappers that change a
 * few calls (a read-only view, fault injection in tests). Every method of {@link BlockDevice} is
 * forwarded, defaults included, so a wrapper never silently falls back to a default the wrapped
 * device overrides.
 */
public abstract class ForwardingBlockDevice implements BlockDevice {
    protected final BlockDevice delegate;

    protected ForwardingBlockDevice(BlockDevice delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public int blockSize() {
        return delegate.blockSize();
    }

    @Override
    public long blockCount() {
        return delegate.blockCount();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        delegate.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        delegate.write(offset, src, fua);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public boolean writeStaysInMemory(long offset, long length) {
        return delegate.writeStaysInMemory(offset, length);
    }

    @Override
    public boolean supportsUnmap() {
        return delegate.supportsUnmap();
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        delegate.unmap(offset, length);
    }

    @Override
    public boolean supportsAnchor() {
        return delegate.supportsAnchor();
    }

    @Override
    public void anchor(long offset, long length) throws IOException {
        delegate.anchor(offset, length);
    }

    @Override
    public Extent provisioning(long offset) throws IOException {
        return delegate.provisioning(offset);
    }

    @Override
    public int allocationUnit() {
        return delegate.allocationUnit();
    }

    @Override
    public boolean writeCacheEnabled() {
        return delegate.writeCacheEnabled();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
