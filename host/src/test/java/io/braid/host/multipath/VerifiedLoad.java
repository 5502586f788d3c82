package io.braid.host.multipath;

import io.braid.host.ExportedDevice;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A verified read/write load on an {@link ExportedDevice}, bounded in operations and time: each
 * worker owns a region, writes random data at random block-aligned places (some with FUA),
 * reads every write back, and at the end the whole region is read and compared with what was
 * acknowledged. Every failure a caller would see is recorded.
 */
final class VerifiedLoad {
    private final ExportedDevice device;
    private final int workers;
    private final int regionBytes;
    private final long maxOps;
    private final Duration maxTime;
    private final byte[][] expected;
    final List<String> errors = new CopyOnWriteArrayList<>();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    private final Thread[] threads;
    private volatile boolean stop;

    VerifiedLoad(ExportedDevice device, int workers, int regionBytes, long maxOps, Duration maxTime) {
        this.device = device;
        this.workers = workers;
        this.regionBytes = regionBytes;
        this.maxOps = maxOps;
        this.maxTime = maxTime;
        this.expected = new byte[workers][regionBytes];
        this.threads = new Thread[workers];
    }

    VerifiedLoad start() {
        long deadline = System.nanoTime() + maxTime.toNanos();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            threads[w] = Thread.ofPlatform().name("load-" + w).daemon().start(() -> run(worker, deadline));
        }
        return this;
    }

    private void run(int w, long deadline) {
        Random random = new Random(1000 + w);
        int bs = device.blockSize();
        long base = (long) w * regionBytes;
        byte[] image = expected[w];
        for (long op = 0; op < maxOps && !stop && System.nanoTime() < deadline; op++) {
            int blocks = 1 + random.nextInt(Math.min(64, regionBytes / bs));
            int length = blocks * bs;
            int at = random.nextInt(regionBytes / bs - blocks + 1) * bs;
            byte[] data = new byte[length];
            random.nextBytes(data);
            try {
                device.write(base + at, ByteBuffer.wrap(data), random.nextInt(4) == 0).get(60, TimeUnit.SECONDS);
                writes.incrementAndGet();
                System.arraycopy(data, 0, image, at, length);
                ByteBuffer back = ByteBuffer.allocate(length);
                device.read(base + at, back).get(60, TimeUnit.SECONDS);
                reads.incrementAndGet();
                if (!Arrays.equals(back.array(), data)) {
                    errors.add("worker " + w + ": read at " + (base + at) + " returned other data");
                }
            } catch (Exception e) {
                errors.add("worker " + w + ": " + e);
                return;
            }
        }
    }

    /** Waits for the workers (bounded by the load's time plus a minute). */
    void await() throws InterruptedException {
        for (Thread t : threads) {
            t.join(maxTime.toMillis() + 60_000);
            if (t.isAlive()) {
                errors.add(t.getName() + " did not finish");
            }
        }
    }

    /** Reads every region back and compares it with what was acknowledged. */
    void verifyAll() throws Exception {
        for (int w = 0; w < workers; w++) {
            ByteBuffer back = ByteBuffer.allocate(regionBytes);
            device.read((long) w * regionBytes, back).get(60, TimeUnit.SECONDS);
            if (!Arrays.equals(back.array(), expected[w])) {
                errors.add("region " + w + " differs from what was acknowledged");
            }
        }
    }

    /** Asks the workers to stop after their current operation and waits for them (bounded). */
    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            if (t != null) {
                t.join(60_000);
            }
        }
    }
}
