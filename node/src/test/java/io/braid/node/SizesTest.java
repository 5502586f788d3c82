package io.braid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
            "4096, 4096",
            "4096B, 4096",
            "1K, 1024",
            "1k, 1024",
            "512M, 536870912",
            "512MiB, 536870912",
            "512mb, 536870912",
            "1G, 1073741824",
            "1GiB, 1073741824",
            "' 2G ', 2147483648",
            "3T, 3298534883328",
            "1P, 1125899906842624",
            "64 M, 67108864",
    })
    void parsesBinaryUnits(String text, long expected) {
        assertThat(Sizes.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"12X", "", "G", "1.5G", "-1G", "1GG", "1 G B", "0x10", "1e9"})
    void rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"" + text + "\" is not a size (use e.g. 512M, 1G)");
    }

    @Test
    void rejectsOverflowInsteadOfWrapping() {
        assertThatThrownBy(() -> Sizes.parse("9999999999P"))
                .hasMessage("\"9999999999P\" is too large");
        assertThatThrownBy(() -> Sizes.parse("99999999999999999999"))
                .hasMessage("\"99999999999999999999\" is not a size (use e.g. 512M, 1G)");
        assertThatThrownBy(() -> Sizes.parse("9999999999999999999"))
                .hasMessage("\"9999999999999999999\" is too large");
    }

    @Test
    void formatsExactlyInTheLargestDividingUnit() {
        assertThat(Sizes.format(1L << 30)).isEqualTo("1 GiB");
        assertThat(Sizes.format(1536L << 20)).isEqualTo("1536 MiB");
        assertThat(Sizes.format(512)).isEqualTo("512 bytes");
        assertThat(Sizes.format(0)).isEqualTo("0 bytes");
        assertThat(Sizes.format(64L << 20)).isEqualTo("64 MiB");
    }
}
