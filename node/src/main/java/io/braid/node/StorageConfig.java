package io.braid.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a node keeps its volumes: the drives of its page store (docs/storage.md).
 *
 * @param drives         drive paths (files or block devices); empty means
 *                       {@value #DEFAULT_DRIVES} sparse files {@code d0..d3} under
 *                       {@code <dataDir>/drives}
 * @param spares         paths a failed drive may be replaced by
 * @param driveSizeBytes size of a drive file that does not exist yet (created sparse)
 * @param pageSize       page size of a new page store (a power of two, 64 KiB..64 MiB)
 * @param startDegraded  start even when a drive is missing or not the one expected: it is marked
 *                       FAILED (to be replaced) instead of stopping the start
 */
public record StorageConfig(List<Path> drives, List<Path> spares, long driveSizeBytes, int pageSize,
                            boolean startDegraded) {
    public static final int DEFAULT_DRIVES = 4;
    public static final long DEFAULT_DRIVE_SIZE = 16L << 30;
    public static final int DEFAULT_PAGE_SIZE = 4 << 20;
    /** The smallest drive accepted: headers, checksum area and a few pages. */
    public static final long MIN_DRIVE_SIZE = 16L << 20;

    public StorageConfig {
        drives = List.copyOf(drives);
        spares = List.copyOf(spares);
        if (!drives.isEmpty() && drives.size() < 2) {
            throw new IllegalArgumentException("at least two drives are needed (every page is"
                    + " mirrored on two), got " + drives.size());
        }
        Set<Path> seen = new HashSet<>();
        for (Path p : drives) {
            if (!seen.add(p.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("drive " + p + " is listed twice");
            }
        }
        for (Path p : spares) {
            if (!seen.add(p.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("spare " + p + " is also listed as a drive or spare");
            }
        }
        if (driveSizeBytes < MIN_DRIVE_SIZE) {
            throw new IllegalArgumentException("drive size " + Sizes.format(driveSizeBytes)
                    + " is too small (at least 16M)");
        }
        if (Integer.bitCount(pageSize) != 1 || pageSize < (64 << 10) || pageSize > (64 << 20)) {
            throw new IllegalArgumentException("page size " + Sizes.format(pageSize)
                    + " is not a power of two from 64K to 64M");
        }
    }

    /** Four default drives of 16 GiB (sparse), 4 MiB pages. */
    public static StorageConfig defaults() {
        return new StorageConfig(List.of(), List.of(), DEFAULT_DRIVE_SIZE, DEFAULT_PAGE_SIZE, false);
    }

    public StorageConfig withDriveSize(long bytes) {
        return new StorageConfig(drives, spares, bytes, pageSize, startDegraded);
    }

    public StorageConfig withStartDegraded(boolean value) {
        return new StorageConfig(drives, spares, driveSizeBytes, pageSize, value);
    }

    /** The drive paths to use for a node whose data directory is {@code dataDir}. */
    public List<Path> drivePaths(Path dataDir) {
        if (!drives.isEmpty()) {
            return drives;
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < DEFAULT_DRIVES; i++) {
            out.add(dataDir.resolve("drives").resolve("d" + i));
        }
        return out;
    }
}
