package io.braid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileUnitStateStoreTest {

    @Test
    void recordsSurviveANewInstanceAndDeleteRemovesThem(@TempDir Path dir) throws Exception {
        FileUnitStateStore a = new FileUnitStateStore(dir, "v0");
        assertThat(a.load("pr")).isNull();
        a.store("pr", new byte[]{1, 2, 3});
        a.store("pr", new byte[]{4, 5});
        FileUnitStateStore b = new FileUnitStateStore(dir, "v0");
        assertThat(b.load("pr")).containsExactly(4, 5);
        assertThat(new FileUnitStateStore(dir, "v1").load("pr")).isNull();
        assertThat(Files.exists(dir.resolve("v0.pr.state"))).isTrue();
        b.delete("pr");
        b.delete("pr");
        assertThat(a.load("pr")).isNull();
    }

    @Test
    void aRecordNameCannotEscapeTheDirectory(@TempDir Path dir) {
        FileUnitStateStore s = new FileUnitStateStore(dir, "v0");
        assertThatThrownBy(() -> s.store("../x", new byte[1])).isInstanceOf(IllegalArgumentException.class);
    }
}
