package io.braid.iscsi.login;

import java.util.random.RandomGenerator;

/** A source of CHAP identifiers and challenges that gives fixed values, for known-vector tests. */
final class FixedRandom implements RandomGenerator {
    private final int identifier;
    private final byte[] pattern;

    /** nextInt(bound) gives {@code identifier}; nextBytes repeats {@code pattern}. */
    FixedRandom(int identifier, byte[] pattern) {
        this.identifier = identifier;
        this.pattern = pattern.clone();
    }

    /** Identifier 1 and challenge bytes 0x00, 0x01, ... 0x0f, 0x10, ... */
    static FixedRandom counting() {
        byte[] p = new byte[256];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return new FixedRandom(1, p);
    }

    @Override
    public int nextInt(int bound) {
        return identifier;
    }

    @Override
    public void nextBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = pattern[i % pattern.length];
        }
    }

    @Override
    public long nextLong() {
        return identifier;
    }
}
