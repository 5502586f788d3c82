package io.braid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeCatalogTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void createsASparseImageAndMetadata() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir.resolve("volumes"));
        VolumeRecord rec = catalog.ensure(new VolumeSpec("v0", 64 * MIB, 0, false));

        Path img = dir.resolve("volumes/v0.img");
        assertThat(img).exists();
        assertThat(Files.size(img)).isEqualTo(64 * MIB);
        assertThat(dir.resolve("volumes/v0.json")).exists();
        assertThat(rec.name()).isEqualTo("v0");
        assertThat(rec.sizeBytes()).isEqualTo(64 * MIB);
        assertThat(rec.lun()).isZero();
        // Sparse: a fresh 64 MiB image must not occupy 64 MiB of disk.
        Process stat = new ProcessBuilder("stat", "-c", "%b", img.toString()).start();
        String blocks = new String(stat.getInputStream().readAllBytes()).strip();
        assertThat(stat.waitFor()).isZero();
        assertThat(Long.parseLong(blocks) * 512).isLessThan(64 * MIB);
        String json = Files.readString(dir.resolve("volumes/v0.json"));
        assertThat(json).contains("\"id\" : \"" + rec.id() + "\"", "\"sizeBytes\" : 67108864",
                "\"formatVersion\" : 1", "\"created\"");
    }

    @Test
    void identitySurvivesANewCatalogueOnTheSameDirectory() throws Exception {
        VolumeRecord first = new VolumeCatalog(dir).ensure(new VolumeSpec("v0", 8 * MIB, 0, false));
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("v0.img").toFile(), "rw")) {
            f.seek(4096);
            f.write("payload".getBytes());
        }
        VolumeRecord again = new VolumeCatalog(dir).ensure(new VolumeSpec("v0", 8 * MIB, 0, false));
        assertThat(again).isEqualTo(first);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("v0.img").toFile(), "r")) {
            byte[] b = new byte[7];
            f.seek(4096);
            f.readFully(b);
            assertThat(new String(b)).isEqualTo("payload");
        }
    }

    @Test
    void aDifferentSizeIsAnErrorNotAResize() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir);
        catalog.ensure(new VolumeSpec("v0", 8 * MIB, 0, false));
        assertThatThrownBy(() -> catalog.ensure(new VolumeSpec("v0", 16 * MIB, 0, false)))
                .isInstanceOf(VolumeCatalog.VolumeConflictException.class)
                .hasMessage("volume \"v0\" already exists in " + dir + " with size 8 MiB (8388608"
                        + " bytes), but 16 MiB was asked; Braid never resizes or truncates a volume:"
                        + " ask for its size or use another name");
        assertThat(Files.size(dir.resolve("v0.img"))).isEqualTo(8 * MIB);
    }

    @Test
    void lunAndReadOnlyChangesAreRecordedKeepingTheIdentity() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir);
        VolumeRecord first = catalog.ensure(new VolumeSpec("v0", 8 * MIB, 0, false));
        VolumeRecord moved = catalog.ensure(new VolumeSpec("v0", 8 * MIB, 3, true));
        assertThat(moved.id()).isEqualTo(first.id());
        assertThat(moved.created()).isEqualTo(first.created());
        assertThat(moved.lun()).isEqualTo(3);
        assertThat(moved.readOnly()).isTrue();
        assertThat(catalog.list()).containsExactly(moved);
    }

    @Test
    void missingImageWithMetadataIsAnError() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir);
        catalog.ensure(new VolumeSpec("v0", 8 * MIB, 0, false));
        Files.delete(dir.resolve("v0.img"));
        assertThatThrownBy(() -> catalog.ensure(new VolumeSpec("v0", 8 * MIB, 0, false)))
                .hasMessageContaining("metadata " + dir.resolve("v0.json") + " exists but its image")
                .hasMessageContaining("is missing");
    }

    @Test
    void imageOfTheWrongLengthIsRefused() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir);
        catalog.ensure(new VolumeSpec("v0", 8 * MIB, 0, false));
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("v0.img").toFile(), "rw")) {
            f.setLength(4 * MIB);
        }
        assertThatThrownBy(() -> catalog.ensure(new VolumeSpec("v0", 8 * MIB, 0, false)))
                .hasMessageContaining("is 4194304 bytes but its metadata says 8388608");
    }

    @Test
    void anImageWithoutMetadataIsAdoptedWhenItsSizeMatches() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("disk.img").toFile(), "rw")) {
            f.setLength(2 * MIB);
        }
        VolumeCatalog catalog = new VolumeCatalog(dir);
        assertThatThrownBy(() -> catalog.ensure(new VolumeSpec("disk", 4 * MIB, 0, false)))
                .hasMessageContaining("exists with 2097152 bytes (2 MiB) and no metadata");
        VolumeRecord rec = catalog.ensure(new VolumeSpec("disk", 2 * MIB, 0, false));
        assertThat(rec.sizeBytes()).isEqualTo(2 * MIB);
        assertThat(dir.resolve("disk.json")).exists();
    }

    @Test
    void corruptMetadataIsAClearError() throws Exception {
        Files.writeString(dir.resolve("v0.json"), "{not json");
        Files.createFile(dir.resolve("v0.img"));
        assertThatThrownBy(() -> new VolumeCatalog(dir).ensure(new VolumeSpec("v0", 8 * MIB, 0, false)))
                .isInstanceOf(VolumeCatalog.VolumeConflictException.class)
                .hasMessageStartingWith("volume metadata " + dir.resolve("v0.json") + " is unreadable: ");
    }

    @Test
    void metadataFromANewerFormatIsRefused() throws Exception {
        Files.writeString(dir.resolve("v0.json"), """
                {"formatVersion": 2, "name": "v0", "id": "0b6a8f56-0000-4000-8000-000000000001",
                 "sizeBytes": 8388608, "lun": 0, "readOnly": false, "created": "2026-11-01T00:00:00Z"}
                """);
        assertThatThrownBy(() -> new VolumeCatalog(dir).ensure(new VolumeSpec("v0", 8 * MIB, 0, false)))
                .hasMessageContaining("has format 2, written by a newer Braid");
    }

    @Test
    void listsEveryVolumeByName() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir);
        catalog.ensure(new VolumeSpec("b", 2 * MIB, 1, false));
        catalog.ensure(new VolumeSpec("a", 1 * MIB, 0, false));
        assertThat(catalog.list()).extracting(VolumeRecord::name).containsExactly("a", "b");
        assertThat(new VolumeCatalog(dir.resolve("none")).list()).isEmpty();
    }

    @Test
    void leftoverTemporaryImageFromACrashIsCleanedUp() throws Exception {
        Files.writeString(dir.resolve(".v0.img.tmp"), "partial");
        new VolumeCatalog(dir).ensure(new VolumeSpec("v0", 1 * MIB, 0, false));
        assertThat(dir.resolve(".v0.img.tmp")).doesNotExist();
        assertThat(Files.size(dir.resolve("v0.img"))).isEqualTo(MIB);
    }

    @Test
    void pageStoreRecordsHaveNoImageGrowAndNeverShrink() throws Exception {
        VolumeCatalog catalog = new VolumeCatalog(dir);
        VolumeRecord rec = catalog.ensureRecord(new VolumeSpec("p", 8 * MIB, 2, false));
        assertThat(dir.resolve("p.json")).exists();
        assertThat(dir.resolve("p.img")).doesNotExist();
        assertThat(catalog.ensureRecord(new VolumeSpec("p", 8 * MIB, 2, false))).isEqualTo(rec);
        VolumeRecord grown = catalog.ensureRecord(new VolumeSpec("p", 16 * MIB, 3, true));
        assertThat(grown.id()).isEqualTo(rec.id());
        assertThat(grown.sizeBytes()).isEqualTo(16 * MIB);
        assertThat(grown.lun()).isEqualTo(3);
        // A smaller configured size keeps the recorded one: volumes never shrink.
        assertThat(catalog.ensureRecord(new VolumeSpec("p", 8 * MIB, 3, true))).isEqualTo(grown);
        assertThat(catalog.resized(grown, 32 * MIB).sizeBytes()).isEqualTo(32 * MIB);
        assertThat(catalog.list()).extracting(VolumeRecord::sizeBytes).containsExactly(32 * MIB);
    }
}
