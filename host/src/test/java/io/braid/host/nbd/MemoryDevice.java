package io.braid.host.nbd;

import io.braid.host.ExportedDevice;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory {@link ExportedDevice} for server tests: completes every request on a thread of
 * its own (never the caller's), records each call, can hold requests at chosen offsets until the
 * test releases them, and can fail them on demand.
 */
final class MemoryDevice implements ExportedDevice {

    /** One recorded call. */
    record Op(String kind, long offset, long length, boolean fua, boolean noHole) {
    }

    private final String name;
    private final byte[] data;
    private final boolean readOnly;
    private final List<Op> ops = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean shortReads;

    MemoryDevice(String name, int size) {
        this(name, size, false);
    }

    MemoryDevice(String name, int size, boolean readOnly) {
        this.name = name;
        this.data = new byte[size];
        this.readOnly = readOnly;
    }

    /** Holds requests at {@code offset} until {@link #release} (reads, writes, trims, zeroes). */
    CompletableFuture<Void> hold(long offset) {
        return gates.computeIfAbsent(offset, o -> new CompletableFuture<>());
    }

    void release(long offset) {
        hold(offset).complete(null);
    }

    /** Fails every request from now on with {@code e}; null stops failing. */
    void failWith(RuntimeException e) {
        failure.set(e);
    }

    /** Reads complete successfully without filling the buffer (a broken device). */
    void shortReads(boolean on) {
        shortReads = on;
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }

    synchronized byte[] bytes(int offset, int length) {
        byte[] b = new byte[length];
        System.arraycopy(data, offset, b, 0, length);
        return b;
    }

    synchronized void fill(int offset, byte[] b) {
        System.arraycopy(b, 0, data, offset, b.length);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "memory device " + name;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public int blockSize() {
        return 512;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean canTrim() {
        return true;
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        ops.add(new Op("read", offset, dst.remaining(), false, false));
        return later(offset, () -> {
            if (shortReads) {
                return;
            }
            synchronized (this) {
                dst.put(data, (int) offset, dst.remaining());
            }
        });
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        ops.add(new Op("write", offset, src.remaining(), fua, false));
        return later(offset, () -> {
            synchronized (this) {
                src.get(data, (int) offset, src.remaining());
            }
        });
    }

    @Override
    public CompletableFuture<Void> flush() {
        ops.add(new Op("flush", 0, 0, false, false));
        return later(-1, () -> {
        });
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        ops.add(new Op("trim", offset, length, fua, false));
        return later(offset, () -> zero(offset, length));
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean noHole, boolean fua) {
        ops.add(new Op("zeroes", offset, length, fua, noHole));
        return later(offset, () -> zero(offset, length));
    }

    private synchronized void zero(long offset, long length) {
        java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
    }

    private CompletableFuture<Void> later(long offset, Runnable io) {
        CompletableFuture<Void> gate = gates.getOrDefault(offset, CompletableFuture.completedFuture(null));
        CompletableFuture<Void> done = new CompletableFuture<>();
        gate.whenComplete((v, e) -> worker.execute(() -> {
            RuntimeException f = failure.get();
            if (f != null) {
                done.completeExceptionally(f);
                return;
            }
            try {
                io.run();
                done.complete(null);
            } catch (RuntimeException ex) {
                done.completeExceptionally(ex);
            }
        }));
        return done;
    }
}
