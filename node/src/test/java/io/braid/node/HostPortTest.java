package io.braid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void parsesIpv4HostNameAndBracketedIpv6() {
        assertThat(HostPort.parse("127.0.0.1:3260", -1)).isEqualTo(new HostPort("127.0.0.1", 3260));
        assertThat(HostPort.parse("san.example:3261", -1)).isEqualTo(new HostPort("san.example", 3261));
        assertThat(HostPort.parse("[::1]:3260", -1)).isEqualTo(new HostPort("::1", 3260));
        assertThat(HostPort.parse("0.0.0.0:0", -1)).isEqualTo(new HostPort("0.0.0.0", 0));
    }

    @Test
    void appliesTheDefaultPortOnlyWhenAllowed() {
        assertThat(HostPort.parse("10.1.1.27", 3260)).isEqualTo(new HostPort("10.1.1.27", 3260));
        assertThat(HostPort.parse("[fe80::1]", 3260)).isEqualTo(new HostPort("fe80::1", 3260));
        assertThatThrownBy(() -> HostPort.parse("10.1.1.27", -1))
                .hasMessage("\"10.1.1.27\" is not HOST:PORT (e.g. 127.0.0.1:3260 or [::1]:3260)");
    }

    @Test
    void printsIpv6InBrackets() {
        assertThat(new HostPort("::1", 3260)).hasToString("[::1]:3260");
        assertThat(new HostPort("127.0.0.1", 3260)).hasToString("127.0.0.1:3260");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":3260", "host:", "host:abc", "host:-1", "[::1", "[]:1", "[::1]x",
            "a b:1", "host:123456"})
    void rejectsMalformedAddresses(String text) {
        assertThatThrownBy(() -> HostPort.parse(text, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\" is not HOST:PORT");
    }

    @Test
    void rejectsOutOfRangePortsAndBareIpv6() {
        assertThatThrownBy(() -> HostPort.parse("h:70000", -1))
                .hasMessage("\"h:70000\": port 70000 is out of range 0..65535");
        assertThatThrownBy(() -> HostPort.parse("::1:3260", -1))
                .hasMessage("\"::1:3260\": write IPv6 addresses in brackets, e.g. [::1]:3260");
    }
}
