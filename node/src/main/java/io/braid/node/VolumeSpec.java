package io.braid.node;

import io.braid.scsi.UnitFeature;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A volume the node should serve: what the operator asked for, before the catalogue gives it an
 * identity.
 *
 * @param name      file-system safe name, also shown to initiators in VPD 0x83
 * @param sizeBytes capacity, a multiple of {@link #BLOCK_SIZE}
 * @param lun       the LUN it is presented at (SAM-5 4.7, flat space 0..16383)
 * @param readOnly  whether writes are refused
 * @param features  the per-LUN switches that are on (all by default); a switched-off feature is
 *                  not advertised and its commands are refused as unsupported
 * @param backing   where the blocks live
 */
public record VolumeSpec(String name, long sizeBytes, int lun, boolean readOnly, Set<UnitFeature> features,
                         Backing backing) {

    /** Where a volume's blocks live. */
    public enum Backing {
        /** A sparse image file in the data directory: survives restarts. */
        FILE,
        /**
         * Thin-provisioned memory of the node process (io.braid.store.MemoryBlockDevice): empty at
         * every start and gone at stop, with a new identity each time; for tests and benchmarks.
         */
        MEMORY;

        /** {@code file} or {@code memory}, as written in flags and node.yaml. */
        public static Backing parse(String text) {
            for (Backing b : values()) {
                if (b.name().equalsIgnoreCase(text)) {
                    return b;
                }
            }
            throw new IllegalArgumentException("\"" + text + "\" is not a volume backing (file or memory)");
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Logical block size of file-backed volumes. */
    public static final int BLOCK_SIZE = 512;
    /** Smallest volume accepted: below this real initiators and file systems misbehave. */
    public static final long MIN_SIZE = 1L << 20;
    public static final int MAX_LUN = 16383;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    public VolumeSpec {
        checkName(name);
        checkSize(sizeBytes);
        checkLun(lun);
        Objects.requireNonNull(features, "features");
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        Objects.requireNonNull(backing, "backing");
        if (backing == Backing.MEMORY && readOnly) {
            throw new IllegalArgumentException("volume \"" + name + "\": a memory volume cannot be read-only"
                    + " (it starts empty, so it would only ever read zeroes)");
        }
    }

    /** A file-backed volume with these features on. */
    public VolumeSpec(String name, long sizeBytes, int lun, boolean readOnly, Set<UnitFeature> features) {
        this(name, sizeBytes, lun, readOnly, features, Backing.FILE);
    }

    /** A volume with every feature on. */
    public VolumeSpec(String name, long sizeBytes, int lun, boolean readOnly, Backing backing) {
        this(name, sizeBytes, lun, readOnly, EnumSet.allOf(UnitFeature.class), backing);
    }

    /** A file-backed volume with every feature on. */
    public VolumeSpec(String name, long sizeBytes, int lun, boolean readOnly) {
        this(name, sizeBytes, lun, readOnly, Backing.FILE);
    }

    /** @throws IllegalArgumentException unless {@code name} is a valid volume name */
    public static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid volume name"
                    + " (1-63 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
    }

    /** @throws IllegalArgumentException unless {@code sizeBytes} is a usable volume size */
    public static void checkSize(long sizeBytes) {
        if (sizeBytes < MIN_SIZE) {
            throw new IllegalArgumentException(Sizes.format(sizeBytes)
                    + " is too small (at least 1M)");
        }
        if (sizeBytes % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException(sizeBytes + " bytes is not a multiple of the "
                    + BLOCK_SIZE + "-byte block size");
        }
    }

    /** @throws IllegalArgumentException unless {@code lun} is in the flat LUN space */
    public static void checkLun(int lun) {
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException(lun + " is out of range 0.." + MAX_LUN);
        }
    }
}
