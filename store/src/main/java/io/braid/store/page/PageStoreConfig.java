package io.braid.store.page;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How to open a page store (docs/storage.md).
 *
 * @param metadataDir           where the journal and checkpoints live (created if missing)
 * @param drives                drive paths (files or block devices), at least two; a new path
 *                              is formatted and added, a known one must carry its UUID
 * @param spares                paths that {@link PageStore#replace} may swap in for a failed drive
 * @param createDriveBytes      size of a drive file created where a path does not exist (sparse);
 *                              0 means a missing drive is an error
 * @param pageSize              page size for a new store (a power of two, 64 KiB..64 MiB); an
 *                              existing store keeps the size it was formatted with
 * @param rebuildBytesPerSecond throttle of the rebuild after a replace
 * @param scrubBytesPerSecond   throttle of the scrub
 * @param cleanInterval         how often written pages are made durable and marked clean
 * @param checkpointBytes       journal bytes after which a checkpoint is written
 * @param openDegraded          whether a missing or foreign drive is marked FAILED (and can be
 *                              replaced) instead of stopping the open
 * @param metadataMirror        the second copy of the journal and checkpoints (docs/storage.md
 *                              "Metadata mirror"); put it on another device than
 *                              {@code metadataDir}. Default: {@code <metadataDir>-mirror}
 * @param scrubInterval         time from the end of one scrub to the start of the next scheduled
 *                              one; {@link Duration#ZERO} schedules none (scrub on demand only)
 */
public record PageStoreConfig(Path metadataDir, List<Path> drives, List<Path> spares,
                              long createDriveBytes, int pageSize, long rebuildBytesPerSecond,
                              long scrubBytesPerSecond, Duration cleanInterval,
                              long checkpointBytes, boolean openDegraded, Path metadataMirror,
                              Duration scrubInterval) {

    public static final int DEFAULT_PAGE_SIZE = 4 << 20;
    public static final int MIN_PAGE_SIZE = 64 << 10;
    public static final int MAX_PAGE_SIZE = 64 << 20;
    public static final long DEFAULT_THROTTLE = 64L << 20;
    public static final Duration DEFAULT_CLEAN_INTERVAL = Duration.ofSeconds(5);
    public static final long DEFAULT_CHECKPOINT_BYTES = 64L << 20;
    public static final Duration DEFAULT_SCRUB_INTERVAL = Duration.ofDays(7);
    /** The most drives one store can have (the page table packs a drive into 8 bits). */
    public static final int MAX_DRIVES = 255;

    public PageStoreConfig {
        Objects.requireNonNull(metadataDir, "metadataDir");
        drives = drives.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        spares = spares.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        Objects.requireNonNull(cleanInterval, "cleanInterval");
        Objects.requireNonNull(scrubInterval, "scrubInterval");
        metadataMirror = (metadataMirror != null ? metadataMirror
                : metadataDir.resolveSibling(metadataDir.getFileName() + "-mirror")).toAbsolutePath().normalize();
        if (metadataMirror.equals(metadataDir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the metadata mirror " + metadataMirror
                    + " is the metadata directory itself");
        }
        if (scrubInterval.isNegative()) {
            throw new IllegalArgumentException("scrub interval " + scrubInterval + " is negative");
        }
        if (drives.size() < 2) {
            throw new IllegalArgumentException("a page store needs at least two drives (every page"
                    + " is mirrored on two), got " + drives.size());
        }
        if (drives.size() + spares.size() > MAX_DRIVES) {
            throw new IllegalArgumentException("at most " + MAX_DRIVES + " drives and spares");
        }
        Set<Path> seen = new HashSet<>();
        for (Path p : drives) {
            if (!seen.add(p)) {
                throw new IllegalArgumentException("drive " + p + " is listed twice");
            }
        }
        for (Path p : spares) {
            if (!seen.add(p)) {
                throw new IllegalArgumentException("spare " + p + " is also listed as a drive or spare");
            }
        }
        if (Integer.bitCount(pageSize) != 1 || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size " + pageSize
                    + " is not a power of two between 64 KiB and 64 MiB");
        }
        if (createDriveBytes < 0 || rebuildBytesPerSecond <= 0 || scrubBytesPerSecond <= 0
                || checkpointBytes <= 0 || cleanInterval.isNegative() || cleanInterval.isZero()) {
            throw new IllegalArgumentException("sizes, rates and intervals must be positive");
        }
    }

    /** Defaults for everything but where the metadata and the drives are. */
    public static PageStoreConfig of(Path metadataDir, List<Path> drives) {
        return new PageStoreConfig(metadataDir, drives, List.of(), 0, DEFAULT_PAGE_SIZE,
                DEFAULT_THROTTLE, DEFAULT_THROTTLE, DEFAULT_CLEAN_INTERVAL,
                DEFAULT_CHECKPOINT_BYTES, false, null, DEFAULT_SCRUB_INTERVAL);
    }

    public PageStoreConfig withSpares(List<Path> value) {
        return new PageStoreConfig(metadataDir, drives, value, createDriveBytes, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, checkpointBytes, openDegraded,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withCreateDriveBytes(long value) {
        return new PageStoreConfig(metadataDir, drives, spares, value, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, checkpointBytes, openDegraded,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withPageSize(int value) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, value,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, checkpointBytes, openDegraded,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withThrottles(long rebuild, long scrub) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, pageSize,
                rebuild, scrub, cleanInterval, checkpointBytes, openDegraded,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withCleanInterval(Duration value) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, value, checkpointBytes, openDegraded,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withCheckpointBytes(long value) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, value, openDegraded,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withOpenDegraded(boolean value) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, checkpointBytes, value,
                metadataMirror, scrubInterval);
    }

    public PageStoreConfig withMetadataMirror(Path value) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, checkpointBytes, openDegraded,
                value, scrubInterval);
    }

    public PageStoreConfig withScrubInterval(Duration value) {
        return new PageStoreConfig(metadataDir, drives, spares, createDriveBytes, pageSize,
                rebuildBytesPerSecond, scrubBytesPerSecond, cleanInterval, checkpointBytes, openDegraded,
                metadataMirror, value);
    }
}
