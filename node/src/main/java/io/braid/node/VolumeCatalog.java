package io.braid.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The volumes kept in a data directory: {@code volumes/<name>.json} (identity, size, LUN, creation
 * time) for every volume, and for a file volume of an earlier Braid {@code volumes/<name>.img}
 * (a sparse file holding the blocks; page store volumes keep their blocks on the drives). A
 * volume is created when first asked for and reused afterwards; a file volume's size never
 * changes, a page store volume may grow but never shrinks.
 *
 * <p>Creation order is image then metadata, each made durable before the next: a crash leaves at
 * worst an image without metadata, which is adopted on the next start if its size matches.
 */
public final class VolumeCatalog {
    static final int FORMAT_VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(VolumeCatalog.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path dir;

    /** @param dir the {@code volumes} directory; created on first use */
    public VolumeCatalog(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    public Path imagePath(String name) {
        VolumeSpec.checkName(name);
        return dir.resolve(name + ".img");
    }

    public Path metadataPath(String name) {
        VolumeSpec.checkName(name);
        return dir.resolve(name + ".json");
    }

    /**
     * Makes sure the volume exists as asked: creates image and metadata if missing, checks them if
     * present, and records a changed LUN or read-only flag.
     *
     * @throws VolumeConflictException when what is on disk does not match {@code spec}
     */
    public VolumeRecord ensure(VolumeSpec spec) throws IOException {
        Files.createDirectories(dir);
        Path img = imagePath(spec.name());
        Path meta = metadataPath(spec.name());
        Files.deleteIfExists(tmpImagePath(spec.name()));
        if (Files.exists(meta)) {
            VolumeRecord rec = read(meta);
            if (!rec.name().equals(spec.name())) {
                throw new VolumeConflictException(meta + " describes volume \"" + rec.name()
                        + "\", not \"" + spec.name() + "\"");
            }
            if (rec.sizeBytes() != spec.sizeBytes()) {
                throw new VolumeConflictException("volume \"" + spec.name() + "\" already exists"
                        + " in " + dir + " with size " + Sizes.format(rec.sizeBytes()) + " ("
                        + rec.sizeBytes() + " bytes), but " + Sizes.format(spec.sizeBytes())
                        + " was asked; Braid never resizes or truncates a volume: ask for its"
                        + " size or use another name");
            }
            if (!Files.exists(img)) {
                throw new VolumeConflictException("volume \"" + spec.name() + "\": metadata "
                        + meta + " exists but its image " + img + " is missing");
            }
            long actual = Files.size(img);
            if (actual != rec.sizeBytes()) {
                throw new VolumeConflictException("volume \"" + spec.name() + "\": image " + img
                        + " is " + actual + " bytes but its metadata says " + rec.sizeBytes()
                        + "; refusing to use it");
            }
            if (rec.lun() != spec.lun() || rec.readOnly() != spec.readOnly()) {
                VolumeRecord updated = new VolumeRecord(rec.name(), rec.id(), rec.sizeBytes(),
                        spec.lun(), spec.readOnly(), rec.created());
                write(meta, updated);
                log.info("volume {}: now LUN {}{}", spec.name(), spec.lun(),
                        spec.readOnly() ? " (read-only)" : "");
                return updated;
            }
            return rec;
        }
        VolumeRecord rec = new VolumeRecord(spec.name(), UUID.randomUUID(), spec.sizeBytes(),
                spec.lun(), spec.readOnly(), Instant.now());
        if (Files.exists(img)) {
            long actual = Files.size(img);
            if (actual != spec.sizeBytes()) {
                throw new VolumeConflictException("volume \"" + spec.name() + "\": image " + img
                        + " exists with " + actual + " bytes (" + Sizes.format(actual)
                        + ") and no metadata, but " + Sizes.format(spec.sizeBytes())
                        + " was asked; Braid never resizes or truncates a volume");
            }
            write(meta, rec);
            log.info("volume {}: adopted existing image {} ({})", spec.name(), img,
                    Sizes.format(actual));
            return rec;
        }
        createSparseImage(spec.name(), spec.sizeBytes());
        write(meta, rec);
        log.info("volume {}: created {} ({})", spec.name(), img, Sizes.format(spec.sizeBytes()));
        return rec;
    }

    /**
     * Makes sure a page store volume's record exists as asked (no image file): creates it if
     * missing; a larger size than recorded is recorded (the volume grows), a smaller one keeps the
     * recorded size (volumes never shrink; it may have grown online).
     *
     * @throws VolumeConflictException when the record does not match {@code spec}
     */
    public VolumeRecord ensureRecord(VolumeSpec spec) throws IOException {
        Files.createDirectories(dir);
        Path meta = metadataPath(spec.name());
        if (!Files.exists(meta)) {
            VolumeRecord rec = new VolumeRecord(spec.name(), UUID.randomUUID(), spec.sizeBytes(),
                    spec.lun(), spec.readOnly(), Instant.now());
            write(meta, rec);
            log.info("volume {}: created ({})", spec.name(), Sizes.format(spec.sizeBytes()));
            return rec;
        }
        VolumeRecord rec = read(meta);
        if (!rec.name().equals(spec.name())) {
            throw new VolumeConflictException(meta + " describes volume \"" + rec.name()
                    + "\", not \"" + spec.name() + "\"");
        }
        long size = Math.max(rec.sizeBytes(), spec.sizeBytes());
        if (spec.sizeBytes() < rec.sizeBytes()) {
            // Grown online since the configuration was written: volumes never shrink.
            log.info("volume {} has {} (grown), {} is configured; keeping {}", spec.name(),
                    Sizes.format(rec.sizeBytes()), Sizes.format(spec.sizeBytes()),
                    Sizes.format(rec.sizeBytes()));
        }
        if (rec.lun() != spec.lun() || rec.readOnly() != spec.readOnly() || rec.sizeBytes() != size) {
            VolumeRecord updated = new VolumeRecord(rec.name(), rec.id(), size,
                    spec.lun(), spec.readOnly(), rec.created());
            write(meta, updated);
            log.info("volume {}: now LUN {}{}, {}", spec.name(), spec.lun(),
                    spec.readOnly() ? " (read-only)" : "", Sizes.format(size));
            return updated;
        }
        return rec;
    }

    /** Records that a page store volume grew to {@code sizeBytes}. */
    public VolumeRecord resized(VolumeRecord rec, long sizeBytes) throws IOException {
        VolumeRecord updated = new VolumeRecord(rec.name(), rec.id(), sizeBytes, rec.lun(),
                rec.readOnly(), rec.created());
        write(metadataPath(rec.name()), updated);
        return updated;
    }

    /** Every volume with metadata in the directory, by name. */
    public List<VolumeRecord> list() throws IOException {
        List<VolumeRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                out.add(read(f));
            }
        }
        out.sort(Comparator.comparing(VolumeRecord::name));
        return out;
    }

    private Path tmpImagePath(String name) {
        return dir.resolve("." + name + ".img.tmp");
    }

    private void createSparseImage(String name, long size) throws IOException {
        Path tmp = tmpImagePath(name);
        try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
            // setLength extends without writing: the image is sparse and reads as zeroes.
            f.setLength(size);
            f.getFD().sync();
        }
        Files.move(tmp, imagePath(name));
        DataDirectory.fsyncDirectory(dir);
    }

    private static VolumeRecord read(Path meta) throws IOException {
        VolumeFile f;
        try {
            f = JSON.readValue(meta.toFile(), VolumeFile.class);
        } catch (JacksonException e) {
            throw new VolumeConflictException("volume metadata " + meta + " is unreadable: "
                    + e.getOriginalMessage());
        }
        if (f == null || f.name() == null || f.id() == null || f.created() == null) {
            throw new VolumeConflictException("volume metadata " + meta
                    + " is incomplete (name, id and created are required)");
        }
        if (f.formatVersion() > FORMAT_VERSION) {
            throw new VolumeConflictException("volume metadata " + meta + " has format "
                    + f.formatVersion() + ", written by a newer Braid (this one reads "
                    + FORMAT_VERSION + ")");
        }
        try {
            return new VolumeRecord(f.name(), UUID.fromString(f.id()), f.sizeBytes(), f.lun(),
                    f.readOnly(), Instant.parse(f.created()));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new VolumeConflictException("volume metadata " + meta + " is invalid: "
                    + e.getMessage());
        }
    }

    private static void write(Path meta, VolumeRecord rec) throws IOException {
        VolumeFile f = new VolumeFile(FORMAT_VERSION, rec.name(), rec.id().toString(),
                rec.sizeBytes(), rec.lun(), rec.readOnly(), rec.created().toString());
        DataDirectory.writeAtomically(meta, JSON.writeValueAsBytes(f), false);
    }

    /** On-disk shape of {@code <name>.json}; unknown fields are kept for newer minor additions. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record VolumeFile(int formatVersion, String name, String id, long sizeBytes, int lun,
                      boolean readOnly, String created) {
    }

    /** What is on disk does not match what was asked for; the message says what and where. */
    public static final class VolumeConflictException extends IOException {
        private static final long serialVersionUID = 1L;

        public VolumeConflictException(String message) {
            super(message);
        }
    }
}
