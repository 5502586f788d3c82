package io.braid.host;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** The fallback for {@link ExportedDevice#writeZeroes}: sequential writes of one shared zero buffer. */
final class ZeroFill {
    /** Largest single write of zeroes; also the size of the shared buffer. */
    static final int CHUNK = 1 << 20;
    /** Never written: every use is a read-only duplicate with its own position and limit. */
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(CHUNK).asReadOnlyBuffer();

    private ZeroFill() {
    }

    static CompletableFuture<Void> write(ExportedDevice device, long offset, long length, boolean fua) {
        if (length < 0 || offset < 0 || length > device.size() - offset) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("write zeroes of "
                    + length + " bytes at " + offset + " is outside the " + device.size()
                    + " bytes of " + device.name()));
        }
        // Built iteratively, so a device that completes synchronously never nests the calls.
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (long done = 0; done < length; done += CHUNK) {
            long at = offset + done;
            int n = (int) Math.min(CHUNK, length - done);
            // FUA on every chunk: FUA on the last alone would leave the earlier ones volatile.
            chain = chain.thenCompose(v -> device.write(at, ZEROES.duplicate().limit(n), fua));
        }
        return chain;
    }
}
