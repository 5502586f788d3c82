package io.braid.iscsi.login;

import io.braid.iscsi.login.TextFormatException.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TextKeysTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TextFormatException failure(String text) {
        return catchThrowableOfType(TextFormatException.class, () -> TextKeys.parse(bytes(text)));
    }

    @Test
    void parsesPairsInOrder() {
        Map<String, String> keys = TextKeys.parse(bytes("InitiatorName=iqn.2024-01.org.example:host\0"
                + "SessionType=Normal\0HeaderDigest=CRC32C,None\0"));
        assertThat(keys).containsExactly(
                Map.entry("InitiatorName", "iqn.2024-01.org.example:host"),
                Map.entry("SessionType", "Normal"),
                Map.entry("HeaderDigest", "CRC32C,None"));
    }

    @Test
    void emptyTextIsNoKeys() {
        assertThat(TextKeys.parse(new byte[0])).isEmpty();
    }

    @Test
    void valueMayBeEmptyAndMayContainEquals() {
        Map<String, String> keys = TextKeys.parse(bytes("SendTargets=\0X-a=b=c\0"));
        assertThat(keys).containsEntry("SendTargets", "").containsEntry("X-a", "b=c");
    }

    @Test
    void nulPaddingBetweenAndAfterPairsIsSkipped() {
        assertThat(TextKeys.parse(bytes("A=1\0\0\0B=2\0\0"))).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
    }

    @Test
    void utf8ValuesAreDecoded() {
        assertThat(TextKeys.parse(bytes("InitiatorAlias=Grüße 東京\0"))).containsEntry("InitiatorAlias", "Grüße 東京");
    }

    @Test
    void parseOfByteBufDoesNotMoveTheReaderIndexNorRelease() {
        ByteBuf buf = Unpooled.copiedBuffer("A=1\0", StandardCharsets.US_ASCII);
        assertThat(TextKeys.parse(buf)).containsEntry("A", "1");
        assertThat(buf.readerIndex()).isZero();
        assertThat(buf.refCnt()).isEqualTo(1);
        buf.release();
    }

    @Test
    void missingEquals() {
        TextFormatException e = failure("A=1\0Garbage\0");
        assertThat(e.problem()).isEqualTo(Problem.MISSING_EQUALS);
        assertThat(e).hasMessage("pair at offset 4 (\"Garbage\") has no '='");
    }

    @Test
    void emptyKey() {
        assertThat(failure("=value\0").problem()).isEqualTo(Problem.EMPTY_KEY);
    }

    @Test
    void keyOf63BytesIsAcceptedAnd64Refused() {
        String k63 = "X-" + "k".repeat(61);
        assertThat(TextKeys.parse(bytes(k63 + "=v\0"))).containsKey(k63);
        TextFormatException e = failure(k63 + "k=v\0");
        assertThat(e.problem()).isEqualTo(Problem.KEY_TOO_LONG);
        assertThat(e.getMessage()).contains("is 64 bytes; at most 63 allowed");
    }

    @Test
    void keyCharacters() {
        assertThat(TextKeys.parse(bytes("X-com.example_a+b@c-1=v\0X#NodeArchitecture=v\0"))).hasSize(2);
        assertThat(failure("Bad Key=v\0").problem()).isEqualTo(Problem.BAD_KEY_CHARACTER);
        assertThat(failure("Bad/Key=v\0").problem()).isEqualTo(Problem.BAD_KEY_CHARACTER);
        assertThat(failure("A#B=v\0").problem()).isEqualTo(Problem.BAD_KEY_CHARACTER);
        assertThat(failure("Käse=v\0").problem()).isEqualTo(Problem.BAD_KEY_CHARACTER);
    }

    @Test
    void valueOf255BytesIsAcceptedAnd256Refused() {
        assertThat(TextKeys.parse(bytes("X-v=" + "a".repeat(255) + "\0"))).hasSize(1);
        TextFormatException e = failure("TargetAlias=" + "a".repeat(256) + "\0");
        assertThat(e.problem()).isEqualTo(Problem.VALUE_TOO_LONG);
        assertThat(e.key()).isEqualTo("TargetAlias");
        assertThat(e).hasMessage("value of key TargetAlias is 256 bytes; at most 255 allowed");
    }

    @Test
    void valueLimitCountsBytesNotCharacters() {
        // 128 two-byte characters = 256 bytes
        assertThat(failure("InitiatorAlias=" + "é".repeat(128) + "\0").problem()).isEqualTo(Problem.VALUE_TOO_LONG);
    }

    @Test
    void chapBinaryValuesMayCarry1024Bytes() {
        String max = "0x" + "ab".repeat(1024); // 2050 characters
        assertThat(TextKeys.parse(bytes("CHAP_C=" + max + "\0"))).containsEntry("CHAP_C", max);
        assertThat(failure("CHAP_R=" + max + "a\0").problem()).isEqualTo(Problem.VALUE_TOO_LONG);
        // without the exception CHAP_N is an ordinary value
        assertThat(failure("CHAP_N=" + "n".repeat(256) + "\0").problem()).isEqualTo(Problem.VALUE_TOO_LONG);
    }

    @Test
    void iscsiNamesAreLimitedTo223Bytes() {
        assertThat(TextKeys.parse(bytes("TargetName=iqn." + "t".repeat(219) + "\0"))).hasSize(1);
        assertThat(failure("TargetName=iqn." + "t".repeat(220) + "\0").problem()).isEqualTo(Problem.VALUE_TOO_LONG);
    }

    @Test
    void invalidUtf8() {
        byte[] text = {'A', '=', (byte) 0xc3, (byte) 0x28, 0};
        TextFormatException e = catchThrowableOfType(TextFormatException.class, () -> TextKeys.parse(text));
        assertThat(e.problem()).isEqualTo(Problem.NOT_UTF8);
        assertThat(e).hasMessage("value of key A is not valid UTF-8");
    }

    @Test
    void duplicateKey() {
        TextFormatException e = failure("MaxBurstLength=512\0MaxBurstLength=1024\0");
        assertThat(e.problem()).isEqualTo(Problem.DUPLICATE_KEY);
        assertThat(e).hasMessage("key MaxBurstLength appears twice");
    }

    @Test
    void duplicatesAllowedWhenAsked() {
        List<KeyValue> pairs = TextKeys.parsePairs(bytes("TargetName=iqn.a\0TargetAddress=10.0.0.1:3260,1\0"
                + "TargetAddress=10.0.0.2:3260,2\0"), true);
        assertThat(pairs).extracting(KeyValue::value).containsExactly("iqn.a", "10.0.0.1:3260,1", "10.0.0.2:3260,2");
    }

    @Test
    void lastPairMustBeTerminated() {
        TextFormatException e = failure("A=1\0B=2");
        assertThat(e.problem()).isEqualTo(Problem.MISSING_TERMINATOR);
        assertThat(e).hasMessage("pair for key B at offset 4 is not terminated by NUL");
    }

    @Test
    void textOver64KiBIsRefusedBeforeParsing() {
        byte[] big = new byte[TextKeys.MAX_TEXT_BYTES + 1];
        TextFormatException e = catchThrowableOfType(TextFormatException.class, () -> TextKeys.parse(big));
        assertThat(e.problem()).isEqualTo(Problem.TEXT_TOO_LONG);
    }

    @Test
    void messagesShowNonPrintableKeyBytesAsQuestionMarks() {
        byte[] text = {'A', 1, 'B', 0};
        TextFormatException e = catchThrowableOfType(TextFormatException.class, () -> TextKeys.parse(text));
        assertThat(e.getMessage()).isEqualTo("pair at offset 0 (\"A?B\") has no '='");
    }

    @Test
    void encodeRoundTrips() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("TargetAlias", "disk ä");
        keys.put("MaxRecvDataSegmentLength", "262144");
        byte[] text = TextKeys.encode(keys);
        assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo("TargetAlias=disk ä\0MaxRecvDataSegmentLength=262144\0");
        assertThat(TextKeys.parse(text)).isEqualTo(keys);
    }

    @Test
    void encodeRefusesBadKeysAndNulValues() {
        assertThatThrownBy(() -> TextKeys.encode(List.of(new KeyValue("a b", "v")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TextKeys.encode(List.of(new KeyValue("A", "x\0y")))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void splitIntoSegments() {
        byte[] text = new byte[20000];
        List<byte[]> parts = TextKeys.split(text, 8192);
        assertThat(parts).extracting(p -> p.length).containsExactly(8192, 8192, 3616);
        assertThat(TextKeys.split(new byte[8192], 8192)).hasSize(1);
        assertThat(TextKeys.split(new byte[0], 8192)).singleElement().satisfies(p -> assertThat(p).isEmpty());
        assertThatThrownBy(() -> TextKeys.split(text, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void splitPiecesReassembleAcrossPairBoundaries() {
        byte[] text = bytes("TargetName=iqn.2024-01.org.example:t1\0TargetAddress=127.0.0.1:3260,1\0");
        TextAccumulator acc = new TextAccumulator();
        List<byte[]> parts = TextKeys.split(text, 7);
        for (int i = 0; i < parts.size(); i++) {
            acc.append(parts.get(i), i < parts.size() - 1);
        }
        assertThat(TextKeys.parse(acc.take())).containsEntry("TargetAddress", "127.0.0.1:3260,1");
    }

    @Test
    void randomBytesGiveAResultOrATextFormatExceptionNeverAnythingElse() {
        Random random = new Random(7143);
        byte[] alphabet = bytes("=\0AZaz09.-+@_#X\u00e9/ ");
        for (int i = 0; i < 20_000; i++) {
            byte[] text = new byte[random.nextInt(80)];
            for (int j = 0; j < text.length; j++) {
                text[j] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            try {
                Map<String, String> keys = TextKeys.parse(text);
                for (Map.Entry<String, String> e : keys.entrySet()) {
                    assertThat(TextKeys.isValidKeyName(e.getKey())).isTrue();
                    assertThat(e.getValue()).doesNotContain("\0");
                }
                assertThat(TextKeys.parse(TextKeys.encode(keys))).isEqualTo(keys);
            } catch (TextFormatException expected) {
                assertThat(expected.problem()).isNotNull();
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
