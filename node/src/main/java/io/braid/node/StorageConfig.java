package io.braid.node;

import io.braid.store.page.PageStoreConfig;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param metadataMirror the second copy of the page store metadata; null means
 *                       {@code <dataDir>/pagestore-mirror} (docs/storage.md "Metadata mirror")
 * @param scrubInterval  time between scheduled scrubs; zero: on demand only
 * @param scrubRate      scrub throttle in bytes per second
 */
public record StorageConfig(List<Path> drives, List<Path> spares, long driveSizeBytes, int pageSize,
                            boolean startDegraded, Path metadataMirror, Duration scrubInterval,
                            long scrubRate) {
    public static final int DEFAULT_DRIVES = 4;
    public static final long DEFAULT_DRIVE_SIZE = 16L << 30;
    public static final int DEFAULT_PAGE_SIZE = 4 << 20;
    /** The smallest drive accepted: headers, checksum area and a few pages. */
    public static final long MIN_DRIVE_SIZE = 16L << 20;

    public StorageConfig {
        scrubInterval = scrubInterval == null ? PageStoreConfig.DEFAULT_SCRUB_INTERVAL : scrubInterval;
        if (scrubInterval.isNegative() || scrubRate <= 0) {
            throw new IllegalArgumentException("scrub interval and rate must be positive (interval 0: on demand only)");
        }
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
        return new StorageConfig(List.of(), List.of(), DEFAULT_DRIVE_SIZE, DEFAULT_PAGE_SIZE, false, null,
                PageStoreConfig.DEFAULT_SCRUB_INTERVAL, PageStoreConfig.DEFAULT_THROTTLE);
    }

    public StorageConfig withDriveSize(long bytes) {
        return new StorageConfig(drives, spares, bytes, pageSize, startDegraded, metadataMirror, scrubInterval,
                scrubRate);
    }

    public StorageConfig withStartDegraded(boolean value) {
        return new StorageConfig(drives, spares, driveSizeBytes, pageSize, value, metadataMirror, scrubInterval,
                scrubRate);
    }

    /**
     * Parses a scrub interval as node.yaml writes it: {@code 0} (or {@code off}) for none, else a
     * number with {@code s}, {@code m}, {@code h} or {@code d}, e.g. {@code 7d}, {@code 12h}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Duration parseInterval(String text) {
        String t = text.strip();
        if (t.equals("0") || t.equalsIgnoreCase("off")) {
            return Duration.ZERO;
        }
        if (t.length() >= 2 && t.length() <= 10) {
            String digits = t.substring(0, t.length() - 1);
            if (digits.chars().allMatch(Character::isDigit)) {
                long n = Long.parseLong(digits);
                switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
                    case 's':
                        return Duration.ofSeconds(n);
                    case 'm':
                        return Duration.ofMinutes(n);
                    case 'h':
                        return Duration.ofHours(n);
                    case 'd':
                        return Duration.ofDays(n);
                    default:
                        break;
                }
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not an interval (use e.g. 7d, 12h, 30m; 0 for none)");
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
