package io.braid.iscsi.login;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BinaryValueTest {

    @Test
    void hexConstants() {
        assertThat(BinaryValue.decode("0x00ff10")).containsExactly(0x00, 0xff, 0x10);
        assertThat(BinaryValue.decode("0XABcd")).containsExactly(0xab, 0xcd);
        // RFC 7143 6.1: four bits per digit, so an odd count has an implied leading zero nibble
        assertThat(BinaryValue.decode("0xabc")).containsExactly(0x0a, 0xbc);
    }

    @Test
    void base64Constants() {
        // "3q2+7w==" is base64 of de ad be ef (python3: base64.b64encode(bytes.fromhex('deadbeef')))
        assertThat(BinaryValue.decode("0b3q2+7w==")).containsExactly(0xde, 0xad, 0xbe, 0xef);
        assertThat(BinaryValue.decode("0B3q2+7w==")).containsExactly(0xde, 0xad, 0xbe, 0xef);
    }

    @Test
    void encodings() {
        byte[] b = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef};
        assertThat(BinaryValue.hex(b)).isEqualTo("0xdeadbeef");
        assertThat(BinaryValue.base64(b)).isEqualTo("0b3q2+7w==");
    }

    @Test
    void malformed() {
        assertThatThrownBy(() -> BinaryValue.decode("0x")).hasMessage("binary value has no digits");
        assertThatThrownBy(() -> BinaryValue.decode("0")).hasMessage("binary value must start with 0x or 0b");
        assertThatThrownBy(() -> BinaryValue.decode("deadbeef")).hasMessageContaining("must start with 0x or 0b");
        assertThatThrownBy(() -> BinaryValue.decode("0xzz")).hasMessage("hex constant has a character other than 0-9, a-f, A-F");
        assertThatThrownBy(() -> BinaryValue.decode("0b***")).hasMessage("base64 constant is not valid RFC 4648 base64");
        assertThatThrownBy(() -> BinaryValue.decode("0q12")).hasMessageContaining("must start with 0x or 0b");
    }
}
