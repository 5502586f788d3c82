package io.braid.scsi.internal;

import io.braid.store.BlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A sparse in-memory {@link BlockDevice} for tests that records every call, can fail on demand and
 * can hold reads until released, so FUA, flush, error mapping and task management are observable.
 */
final class MemoryBlockDevice implements BlockDevice {

    /** One recorded call. */
    record Op(String kind, long offset, int length, boolean fua) {
    }

    private final int blockSize;
    private final long blockCount;
    private final ConcurrentHashMap<Long, byte[]> blocks = new ConcurrentHashMap<>();
    private final List<Op> ops = new ArrayList<>();
    private volatile boolean writeCache = true;
    private volatile boolean staysInMemory;
    private final List<long[]> asked = new ArrayList<>();
    private volatile IOException failure;
    private volatile CountDownLatch readGate;
    private final CountDownLatch readEntered = new CountDownLatch(1);
    private volatile boolean closed;

    MemoryBlockDevice(int blockSize, long blockCount) {
        this.blockSize = blockSize;
        this.blockCount = blockCount;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        record("read", offset, dst.remaining(), false);
        readEntered.countDown();
        CountDownLatch gate = readGate;
        if (gate != null) {
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("test read gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        check(offset, dst.remaining());
        while (dst.hasRemaining()) {
            long block = offset / blockSize;
            byte[] b = blocks.get(block);
            dst.put(b == null ? new byte[blockSize] : b);
            offset += blockSize;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        record("write", offset, src.remaining(), fua);
        check(offset, src.remaining());
        while (src.hasRemaining()) {
            byte[] b = new byte[blockSize];
            src.get(b);
            blocks.put(offset / blockSize, b);
            offset += blockSize;
        }
    }

    @Override
    public void flush() throws IOException {
        record("flush", 0, 0, false);
        check(0, 0);
    }

    @Override
    public boolean writeCacheEnabled() {
        return writeCache;
    }

    /** What {@link #staysInMemory(boolean)} set; every range asked about is recorded ({@link #asked}). */
    @Override
    public boolean writeStaysInMemory(long offset, long length) {
        synchronized (asked) {
            asked.add(new long[] {offset, length});
        }
        return staysInMemory;
    }

    void staysInMemory(boolean yes) {
        staysInMemory = yes;
    }

    /** The ranges {@link #writeStaysInMemory} was asked about, as {offset, length}. */
    List<long[]> asked() {
        synchronized (asked) {
            return List.copyOf(asked);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    void writeCache(boolean on) {
        writeCache = on;
    }

    void failWith(IOException e) {
        failure = e;
    }

    void closeForTest() {
        closed = true;
    }

    /** Reads wait until the returned latch is counted down. */
    CountDownLatch holdReads() {
        CountDownLatch gate = new CountDownLatch(1);
        readGate = gate;
        return gate;
    }

    void awaitReadEntered() throws InterruptedException {
        if (!readEntered.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no read reached the device");
        }
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    synchronized void clearOps() {
        ops.clear();
    }

    /** The stored bytes of {@code count} blocks from {@code lba}, zeroes where never written. */
    byte[] content(long lba, int count) {
        byte[] out = new byte[count * blockSize];
        for (int i = 0; i < count; i++) {
            byte[] b = blocks.get(lba + i);
            if (b != null) {
                System.arraycopy(b, 0, out, i * blockSize, blockSize);
            }
        }
        return out;
    }

    private synchronized void record(String kind, long offset, int length, boolean fua) {
        ops.add(new Op(kind, offset, length, fua));
    }

    private void check(long offset, int length) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        IOException f = failure;
        if (f != null) {
            throw f;
        }
        if (offset % blockSize != 0 || length % blockSize != 0 || offset < 0
                || offset / blockSize + length / blockSize > blockCount) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length);
        }
    }
}
