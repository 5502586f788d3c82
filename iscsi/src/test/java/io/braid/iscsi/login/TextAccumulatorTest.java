package io.braid.iscsi.login;

import io.braid.iscsi.login.TextFormatException.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TextAccumulatorTest {

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void gathersUntilCBitClears() {
        TextAccumulator acc = new TextAccumulator();
        ByteBuf a = buf("InitiatorNa");
        ByteBuf b = buf("me=iqn.x\0Sessio");
        ByteBuf c = buf("nType=Discovery\0");
        assertThat(acc.append(a, true)).isFalse();
        assertThat(acc.append(b, true)).isFalse();
        assertThat(acc.append(c, false)).isTrue();
        assertThat(TextKeys.parse(acc.take())).containsEntry("InitiatorName", "iqn.x").containsEntry("SessionType", "Discovery");
        assertThat(acc.isEmpty()).isTrue();
        // the PDUs' buffers are untouched and still owned by the caller
        assertThat(a.readerIndex()).isZero();
        assertThat(a.release() && b.release() && c.release()).isTrue();
    }

    @Test
    void singlePduWithoutCBit() {
        TextAccumulator acc = new TextAccumulator();
        assertThat(acc.append(buf("A=1\0"), false)).isTrue();
        assertThat(acc.size()).isEqualTo(4);
        assertThat(acc.take()).hasSize(4);
    }

    @Test
    void boundIsCheckedBeforeCopying() {
        TextAccumulator acc = new TextAccumulator(10);
        acc.append(new byte[6], true);
        TextFormatException e = catchThrowableOfType(TextFormatException.class, () -> acc.append(new byte[5], true));
        assertThat(e.problem()).isEqualTo(Problem.TEXT_TOO_LONG);
        assertThat(e).hasMessage("text of 6 + 5 bytes exceeds the limit of 10");
        assertThat(acc.isEmpty()).isTrue();
        assertThat(acc.append(new byte[10], false)).isTrue();
    }

    @Test
    void defaultBoundIs64KiB() {
        TextAccumulator acc = new TextAccumulator();
        for (int i = 0; i < 8; i++) {
            acc.append(new byte[8192], true);
        }
        assertThat(catchThrowableOfType(TextFormatException.class, () -> acc.append(new byte[1], false)).problem())
                .isEqualTo(Problem.TEXT_TOO_LONG);
    }
}
