package io.braid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void aSecondOpenIsRefusedUntilTheFirstCloses() throws Exception {
        Path root = dir.resolve("data");
        try (DataDirectory first = DataDirectory.open(root)) {
            assertThat(first.root()).isEqualTo(root.toAbsolutePath());
            assertThatThrownBy(() -> DataDirectory.open(root))
                    .isInstanceOf(DataDirectory.DataDirectoryInUseException.class)
                    .hasMessage("data directory " + root + " is in use by another Braid process"
                            + " (stop it first, or choose another directory)");
        }
        DataDirectory.open(root).close();
    }

    @Test
    void nodeIdIsCreatedOnceAndKept() throws Exception {
        UUID id;
        try (DataDirectory d = DataDirectory.open(dir)) {
            id = d.nodeId();
            assertThat(d.nodeId()).isEqualTo(id);
        }
        try (DataDirectory d = DataDirectory.open(dir)) {
            assertThat(d.nodeId()).isEqualTo(id);
        }
    }

    @Test
    void controlFileAndOwnerOnlyTokenRoundTrip() throws Exception {
        ControlFile c = new ControlFile("http://127.0.0.1:1234", 42, "n", "iqn.2026-11.io.braid:n",
                "2026-11-21T10:00:00Z");
        assertThat(ControlFile.read(dir)).isEmpty();
        c.write(dir, "s3cret-token");
        assertThat(ControlFile.read(dir)).contains(c);
        assertThat(ControlFile.readToken(dir)).isEqualTo("s3cret-token");
        assertThat(PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(ControlFile.TOKEN_FILE))))
                .isEqualTo("rw-------");
        ControlFile.remove(dir);
        assertThat(ControlFile.read(dir)).isEmpty();
        assertThat(dir.resolve(ControlFile.TOKEN_FILE)).doesNotExist();
    }
}
