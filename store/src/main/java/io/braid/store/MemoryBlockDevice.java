package io.braid.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A thin-provisioned {@link BlockDevice} in the Java heap (SBC-4 "Logical block provisioning": a
 * thin provisioned logical unit with LBPRZ): the capacity is fixed at creation, storage is
 * allocated in fixed chunks on the first write into them and freed again by {@link #unmap}; a
 * chunk that was never written (a hole) reads as zeroes and {@link #provisioning} reports it
 * deallocated. {@link #anchor} allocates whole chunks of zeroes that {@link #provisioning} reports
 * anchored until a write or an unmap reaches them. An optional space limit makes a write that needs a new chunk beyond it fail with
 * {@link SpaceExhaustedException} before anything of it is stored.
 *
 * <p>It is the scratch and benchmark backstore: nothing survives {@link #close} or the process.
 * {@link #flush} has nothing to do and the device reports no write cache.
 *
 * <p>Chunks sit in a two-level table (segments of {@value #SEGMENT_CHUNKS} chunks, created on
 * first use) so a large, mostly empty device costs little memory. All methods are safe for
 * concurrent use; allocation and deallocation are lock-free compare-and-set operations on the
 * table. Overlapping concurrent commands get no ordering from the device (as on a disk): a write
 * racing an unmap of the same chunk ends as if the write came first.
 */
public final class MemoryBlockDevice implements BlockDevice {

    /** Default allocation unit: large enough to keep the table small, small enough to unmap usefully. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /** No space limit: every chunk of the capacity can be allocated. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private static final int SEGMENT_SHIFT = 12;
    private static final int SEGMENT_CHUNKS = 1 << SEGMENT_SHIFT;
    /** {@link #provisioning} takes at most this many steps (a chunk or an empty segment each) per call. */
    private static final long MAX_STEPS_PER_EXTENT = 1L << 20;
    private static final byte[] ZEROES = new byte[64 * 1024];

    private final int blockSize;
    private final long blockCount;
    private final long sizeBytes;
    private final int chunkSize;
    private final int chunkShift;
    private final long chunkCount;
    private final long maxChunks;
    private final long spaceLimitBytes;
    private final AtomicReferenceArray<AtomicReferenceArray<byte[]>> segments;
    /** Chunks allocated plus chunks reserved by writes about to allocate them. */
    private final AtomicLong allocated = new AtomicLong();
    /** Chunks allocated by {@link #anchor} and not written since (at most one entry per allocated chunk). */
    private final Set<Long> anchored = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A device of {@code blockCount} blocks with 64 KiB chunks and no space limit. */
    public MemoryBlockDevice(int blockSize, long blockCount) {
        this(blockSize, blockCount, DEFAULT_CHUNK_SIZE, UNLIMITED);
    }

    /**
     * @param blockSize       logical block size: a power of two in 512..65536
     * @param blockCount      capacity in blocks, at least one
     * @param chunkSize       allocation unit in bytes: a power of two from the block size to 64 MiB
     * @param spaceLimitBytes most bytes of chunks that may be allocated at once, or {@link #UNLIMITED}
     * @throws IllegalArgumentException for any value outside those ranges
     */
    public MemoryBlockDevice(int blockSize, long blockCount, int chunkSize, long spaceLimitBytes) {
        if (blockSize < 512 || blockSize > 65536 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size " + blockSize + " is not a power of two in 512..65536");
        }
        if (blockCount <= 0 || blockCount > Long.MAX_VALUE / blockSize) {
            throw new IllegalArgumentException("block count " + blockCount + " must be positive and fit 2^63 bytes");
        }
        if (chunkSize < blockSize || chunkSize > (64 << 20) || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunk size " + chunkSize
                    + " is not a power of two from the block size " + blockSize + " to 64 MiB");
        }
        if (spaceLimitBytes < 0) {
            throw new IllegalArgumentException("space limit " + spaceLimitBytes + " is negative");
        }
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.sizeBytes = blockCount * blockSize;
        this.chunkSize = chunkSize;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkSize);
        this.chunkCount = (sizeBytes + chunkSize - 1) >>> chunkShift;
        long segmentCount = (chunkCount + SEGMENT_CHUNKS - 1) >>> SEGMENT_SHIFT;
        if (segmentCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(sizeBytes + " bytes need too many " + chunkSize + "-byte chunks");
        }
        this.segments = new AtomicReferenceArray<>((int) segmentCount);
        this.spaceLimitBytes = spaceLimitBytes;
        this.maxChunks = spaceLimitBytes == UNLIMITED ? UNLIMITED : spaceLimitBytes >>> chunkShift;
    }

    /** A device of {@code sizeBytes} (a multiple of 512) with 512-byte blocks, 64 KiB chunks and no limit. */
    public static MemoryBlockDevice ofSize(long sizeBytes) {
        if (sizeBytes <= 0 || sizeBytes % 512 != 0) {
            throw new IllegalArgumentException("size " + sizeBytes + " bytes is not a positive multiple of 512");
        }
        return new MemoryBlockDevice(512, sizeBytes / 512);
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
        checkOpen();
        checkRange(offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int in = (int) (pos & (chunkSize - 1));
            int n = Math.min(dst.remaining(), chunkSize - in);
            byte[] chunk = chunk(pos >>> chunkShift);
            if (chunk == null) {
                putZeroes(dst, n);
            } else {
                dst.put(chunk, in, n);
            }
            pos += n;
        }
    }

    /** Every write stays in memory: this device has nothing else. */
    @Override
    public boolean writeStaysInMemory(long offset, long length) {
        return true;
    }

    /**
     * Allocates the chunks the range needs first, so a write refused for lack of space stores
     * nothing; then copies. {@code fua} needs no work: there is no cache between the caller and
     * the chunks.
     */
    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        checkOpen();
        int length = src.remaining();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        long first = offset >>> chunkShift;
        long last = (offset + length - 1) >>> chunkShift;
        allocate(first, last);
        if (!anchored.isEmpty()) {
            for (long i = first; i <= last; i++) {
                anchored.remove(i); // written: mapped from now on
            }
        }
        long pos = offset;
        while (src.hasRemaining()) {
            int in = (int) (pos & (chunkSize - 1));
            int n = Math.min(src.remaining(), chunkSize - in);
            byte[] chunk = chunk(pos >>> chunkShift);
            if (chunk != null) {
                src.get(chunk, in, n);
            } else {
                // An unmap of this whole chunk ran since allocate(): it counts as coming after us.
                src.position(src.position() + n);
            }
            pos += n;
        }
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
    }

    @Override
    public boolean supportsUnmap() {
        return true;
    }

    /** Frees every chunk the range covers whole and zeroes the covered part of the others. */
    @Override
    public void unmap(long offset, long length) throws IOException {
        checkOpen();
        checkRange(offset, length);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long index = pos >>> chunkShift;
            AtomicReferenceArray<byte[]> segment = segments.get((int) (index >>> SEGMENT_SHIFT));
            if (segment == null) {
                // A segment never written holds nothing to free: skip all of it at once.
                pos = Math.min(end, (((index >>> SEGMENT_SHIFT) + 1) << SEGMENT_SHIFT) << chunkShift);
                continue;
            }
            int slot = (int) (index & (SEGMENT_CHUNKS - 1));
            int in = (int) (pos & (chunkSize - 1));
            long n = Math.min(end - pos, chunkSize - in);
            if (in == 0 && (n == chunkSize || pos + n == sizeBytes)) {
                if (segment.getAndSet(slot, null) != null) {
                    allocated.decrementAndGet();
                }
                anchored.remove(index);
            } else {
                byte[] chunk = segment.get(slot);
                if (chunk != null) {
                    Arrays.fill(chunk, in, in + (int) n, (byte) 0);
                }
            }
            pos += n;
        }
    }

    @Override
    public boolean supportsAnchor() {
        return true;
    }

    /**
     * Allocates every chunk the range touches (all of them or, beyond the space limit, none) and
     * zeroes the covered bytes; the chunks the range covers whole become anchored, the others keep
     * the data outside the range and count as mapped.
     */
    @Override
    public void anchor(long offset, long length) throws IOException {
        checkOpen();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        long end = offset + length;
        allocate(offset >>> chunkShift, (end - 1) >>> chunkShift);
        for (long pos = offset; pos < end; ) {
            long index = pos >>> chunkShift;
            int in = (int) (pos & (chunkSize - 1));
            long n = Math.min(end - pos, chunkSize - in);
            byte[] chunk = chunk(index);
            if (chunk != null) {
                // An unmap racing us may have freed it: then it stays deallocated, as if it came after.
                Arrays.fill(chunk, in, in + (int) n, (byte) 0);
                if (in == 0 && (n == chunkSize || pos + n == sizeBytes)) {
                    anchored.add(index);
                } else {
                    anchored.remove(index);
                }
            }
            pos += n;
        }
    }

    /** 0 deallocated, 1 mapped, 2 anchored. */
    private int status(long index) {
        if (chunk(index) == null) {
            return 0;
        }
        return !anchored.isEmpty() && anchored.contains(index) ? 2 : 1;
    }

    /**
     * The run of chunks with the status of the chunk holding {@code offset}, from {@code offset}
     * to the end of the run. A never-written segment is skipped in one step; at most
     * {@value #MAX_STEPS_PER_EXTENT} steps are taken, so one call stays cheap.
     */
    @Override
    public Extent provisioning(long offset) throws IOException {
        checkOpen();
        if (offset < 0 || offset >= sizeBytes || offset % blockSize != 0) {
            throw new IllegalArgumentException("offset " + offset + " is not a block inside " + sizeBytes + " bytes");
        }
        long index = offset >>> chunkShift;
        int status = status(index);
        long next = index + 1;
        for (long steps = 0; next < chunkCount && steps < MAX_STEPS_PER_EXTENT; steps++) {
            AtomicReferenceArray<byte[]> segment = segments.get((int) (next >>> SEGMENT_SHIFT));
            if (segment == null) {
                if (status != 0) {
                    break;
                }
                next = ((next >>> SEGMENT_SHIFT) + 1) << SEGMENT_SHIFT;
                continue;
            }
            if (status(next) != status) {
                break;
            }
            next++;
        }
        long end = Math.min(sizeBytes, Math.min(next, chunkCount) << chunkShift);
        return new Extent(offset, end - offset, status == 1, status == 2);
    }

    @Override
    public int allocationUnit() {
        return chunkSize;
    }

    /** No cache: a completed write is as durable as this device gets. */
    @Override
    public boolean writeCacheEnabled() {
        return false;
    }

    /** Drops all data; every later call fails with {@link ClosedChannelException}. */
    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < segments.length(); i++) {
            segments.set(i, null);
        }
        allocated.set(0);
        anchored.clear();
    }

    /** Bytes of chunks allocated now (including chunks a running write has reserved). */
    public long allocatedBytes() {
        return allocated.get() << chunkShift;
    }

    /** The space limit in bytes, or {@link #UNLIMITED}. */
    public long spaceLimitBytes() {
        return spaceLimitBytes;
    }

    /**
     * Makes sure every chunk from {@code first} to {@code last} exists. The missing ones are
     * reserved against the limit together before any is allocated, so a refusal leaves the
     * device as it was.
     */
    private void allocate(long first, long last) throws SpaceExhaustedException {
        long missing = 0;
        for (long i = first; i <= last; i++) {
            if (chunk(i) == null) {
                missing++;
            }
        }
        if (missing == 0) {
            return;
        }
        if (!reserve(missing)) {
            throw exhausted(missing);
        }
        long reserved = missing;
        try {
            for (long i = first; i <= last; i++) {
                if (chunk(i) != null) {
                    continue;
                }
                if (reserved == 0) {
                    // An unmap freed a chunk of this range after we counted: one more is needed.
                    if (!reserve(1)) {
                        throw exhausted(1);
                    }
                    reserved = 1;
                }
                if (segmentFor(i).compareAndSet((int) (i & (SEGMENT_CHUNKS - 1)), null, new byte[chunkSize])) {
                    reserved--;
                }
            }
        } finally {
            if (reserved > 0) {
                allocated.addAndGet(-reserved);
            }
        }
    }

    private boolean reserve(long chunks) {
        if (maxChunks == UNLIMITED) {
            allocated.addAndGet(chunks);
            return true;
        }
        while (true) {
            long now = allocated.get();
            if (now + chunks > maxChunks) {
                return false;
            }
            if (allocated.compareAndSet(now, now + chunks)) {
                return true;
            }
        }
    }

    private SpaceExhaustedException exhausted(long chunks) {
        return new SpaceExhaustedException("memory device: " + (chunks << chunkShift) + " more bytes needed, "
                + allocatedBytes() + " of the " + spaceLimitBytes + "-byte limit in use");
    }

    private byte[] chunk(long index) {
        AtomicReferenceArray<byte[]> segment = segments.get((int) (index >>> SEGMENT_SHIFT));
        return segment == null ? null : segment.get((int) (index & (SEGMENT_CHUNKS - 1)));
    }

    private AtomicReferenceArray<byte[]> segmentFor(long index) {
        int s = (int) (index >>> SEGMENT_SHIFT);
        AtomicReferenceArray<byte[]> segment = segments.get(s);
        if (segment == null) {
            segments.compareAndSet(s, null, new AtomicReferenceArray<>(SEGMENT_CHUNKS));
            segment = segments.get(s);
        }
        return segment;
    }

    private static void putZeroes(ByteBuffer dst, int n) {
        while (n > 0) {
            int k = Math.min(n, ZEROES.length);
            dst.put(ZEROES, 0, k);
            n -= k;
        }
    }

    private void checkOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset % blockSize != 0 || length % blockSize != 0
                || offset > sizeBytes || length > sizeBytes - offset) {
            throw new IllegalArgumentException("range offset=" + offset + " length=" + length
                    + " is not block aligned within " + sizeBytes + " bytes");
        }
    }

    @Override
    public String toString() {
        return "MemoryBlockDevice[" + sizeBytes + " bytes, " + blockSize + "-byte blocks, " + chunkSize
                + "-byte chunks, " + allocatedBytes() + " allocated"
                + (spaceLimitBytes == UNLIMITED ? "" : ", limit " + spaceLimitBytes) + "]";
    }
}
