package io.braid.iscsi.login;

import java.util.Objects;

/** One {@code key=value} pair of a text data segment (RFC 7143 6.1). */
public record KeyValue(String key, String value) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        // CHAP values are not secrets, but they are noise in logs and help offline guessing.
        return key + "=" + (key.startsWith("CHAP_") && !key.equals("CHAP_A") ? "…" : value);
    }
}
