package io.braid.host;

import io.braid.store.BlockDevice;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * An {@link ExportedDevice} over a store {@link BlockDevice} (a volume file, a page store): each
 * request runs the device's blocking call on an executor and completes its future there. Used by
 * tests and by {@code braid up} before the multipath device exists.
 *
 * <p>Trim maps to {@link BlockDevice#unmap} and is offered only when the device
 * {@linkplain BlockDevice#supportsUnmap() supports it}; write-zeroes uses unmap (which reads back
 * as zeroes) unless the caller forbids holes, and writes zeroes otherwise.
 *
 * <p>The adapter does not own the block device: closing it is the caller's business, after the
 * export has been removed from every server.
 */
public final class BlockDeviceExport implements ExportedDevice {

    private final String name;
    private final String description;
    private final BlockDevice device;
    private final boolean readOnly;
    private final Executor executor;

    private BlockDeviceExport(String name, String description, BlockDevice device, boolean readOnly,
                              Executor executor) {
        this.name = ExportedDevice.checkName(name);
        this.description = Objects.requireNonNull(description, "description");
        this.device = Objects.requireNonNull(device, "device");
        this.readOnly = readOnly;
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** A read-write export running each request on a virtual thread of its own. */
    public static BlockDeviceExport of(String name, BlockDevice device) {
        return of(name, "", device, false, Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("export-" + name + "-", 0).factory()));
    }

    /**
     * An export running requests on {@code executor}; {@code readOnly} refuses writes whether or
     * not the device would accept them.
     */
    public static BlockDeviceExport of(String name, String description, BlockDevice device,
                                       boolean readOnly, Executor executor) {
        return new BlockDeviceExport(name, description, device, readOnly, executor);
    }

    /** The device behind the export. */
    public BlockDevice device() {
        return device;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public long size() {
        return device.blockCount() * device.blockSize();
    }

    @Override
    public int blockSize() {
        return device.blockSize();
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean canTrim() {
        return !readOnly && device.supportsUnmap();
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        return run(() -> device.read(offset, dst));
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        if (readOnly) {
            return refused("write");
        }
        return run(() -> device.write(offset, src, fua));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return run(device::flush);
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        if (readOnly) {
            return refused("trim");
        }
        if (!device.supportsUnmap()) {
            return ExportedDevice.super.trim(offset, length, fua);
        }
        return run(() -> {
            device.unmap(offset, length);
            if (fua) {
                device.flush();
            }
        });
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean noHole, boolean fua) {
        if (readOnly) {
            return refused("write zeroes");
        }
        if (!noHole && device.supportsUnmap()) {
            // BlockDevice.unmap promises the range reads as zeroes afterwards.
            return trim(offset, length, fua);
        }
        return ExportedDevice.super.writeZeroes(offset, length, noHole, fua);
    }

    private CompletableFuture<Void> refused(String what) {
        return CompletableFuture.failedFuture(new ReadOnlyDeviceException(
                what + " refused: export " + name + " is read-only"));
    }

    @FunctionalInterface
    private interface Io {
        void run() throws Exception;
    }

    private CompletableFuture<Void> run(Io io) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    io.run();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public String toString() {
        return "BlockDeviceExport[" + name + ", " + device + (readOnly ? ", read-only" : "") + "]";
    }
}
