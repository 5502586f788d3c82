package io.braid.common.config;

import com.fasterxml.jackson.core.JacksonException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictYamlTest {
    record Port(String address, Integer tpgt) {
    }

    record Conf(String name, List<Port> portals, Boolean fast) {
    }

    private static String error(String yaml) {
        try {
            StrictYaml.MAPPER.readValue(yaml, Conf.class);
        } catch (JacksonException e) {
            return StrictYaml.describe("c.yaml", e, "name, portals, fast");
        }
        throw new AssertionError("parsed: " + yaml);
    }

    @Test
    void everyErrorIsOneLineNamingTheFieldPath() {
        assertThat(error("name: a\nnmae: b\n")).isEqualTo("c.yaml: nmae: unknown field (expected one of: fast, name, portals)");
        assertThat(error("portals:\n  - address: x\n    tpgt: abc\n")).isEqualTo("c.yaml: portals[0].tpgt: \"abc\" is not a whole number");
        assertThat(error("portals:\n  - address: x\n    tpgt: 1.5\n")).startsWith("c.yaml: portals[0].tpgt: ");
        assertThat(error("fast: maybe\n")).isEqualTo("c.yaml: fast: \"maybe\" is not true or false");
        assertThat(error("name: [a]\n")).isEqualTo("c.yaml: name: expected a single value (text)");
        assertThat(error("- a\n")).isEqualTo("c.yaml: expected a mapping of settings (name, portals, fast) at the top level");
        assertThat(error("name: a\nname: b\n")).startsWith("c.yaml: ").contains("name");
        assertThat(error("name: 'a\n")).startsWith("c.yaml: line ").endsWith("(YAML syntax)");
        assertThat(error("")).isEqualTo("c.yaml: file is empty");
    }

    @Test
    void readsSmallFilesAndRefusesMissingOrHugeOnes(@TempDir Path dir) throws IOException {
        Path ok = Files.writeString(dir.resolve("ok.yaml"), "name: a\n");
        assertThat(StrictYaml.readFile(ok)).isEqualTo("name: a\n");
        assertThatThrownBy(() -> StrictYaml.readFile(dir.resolve("none.yaml")))
                .hasMessage(dir.resolve("none.yaml") + ": no such file");
        Path big = Files.write(dir.resolve("big.yaml"), new byte[(int) StrictYaml.MAX_FILE_SIZE + 1]);
        assertThatThrownBy(() -> StrictYaml.readFile(big)).hasMessage(big + ": file is larger than 1 MiB");
    }
}
