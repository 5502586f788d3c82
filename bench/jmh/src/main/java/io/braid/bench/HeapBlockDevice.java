package io.braid.bench;

import io.braid.store.BlockDevice;

import java.nio.ByteBuffer;

/**
 * The cheapest possible {@link BlockDevice}: one heap array, a copy per call, no locking. Under a
 * benchmark of the SCSI core it leaves only the core's own cost and one memory copy.
 */
final class HeapBlockDevice implements BlockDevice {
    private final int blockSize;
    private final byte[] bytes;

    HeapBlockDevice(int blockSize, int capacityBytes) {
        this.blockSize = blockSize;
        this.bytes = new byte[capacityBytes];
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return bytes.length / blockSize;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) {
        src.get(bytes, (int) offset, src.remaining());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
