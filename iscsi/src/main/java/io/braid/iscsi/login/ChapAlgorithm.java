package io.braid.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * CHAP digest algorithms by their CHAP_A number (RFC 1994 4.1; RFC 7143 12.1.3). 5 (MD5) is the
 * one every implementation must support; 6, 7 and 8 are the values Linux LIO, open-iscsi and
 * SCST use for SHA-1, SHA-256 and SHA3-256.
 */
public enum ChapAlgorithm {
    MD5(5, "MD5", 16),
    SHA1(6, "SHA-1", 20),
    SHA256(7, "SHA-256", 32),
    SHA3_256(8, "SHA3-256", 32);

    /** Largest binary CHAP_C or CHAP_R (RFC 7143 12.1.3). */
    public static final int MAX_BINARY_BYTES = 1024;
    /** Shortest challenge we send: 16 bytes, the digest length when the digest is longer. */
    public static final int MIN_CHALLENGE_BYTES = 16;

    private final int number;
    private final String jcaName;
    private final int digestLength;

    ChapAlgorithm(int number, String jcaName, int digestLength) {
        this.number = number;
        this.jcaName = jcaName;
        this.digestLength = digestLength;
    }

    /** The CHAP_A value. */
    public int number() {
        return number;
    }

    /** Bytes of a response. */
    public int digestLength() {
        return digestLength;
    }

    /** Bytes of a challenge we generate: at least 16, at least the digest length. */
    public int challengeLength() {
        return Math.max(MIN_CHALLENGE_BYTES, digestLength);
    }

    /** The algorithm for a CHAP_A number, or null when we do not implement it. */
    public static ChapAlgorithm of(long number) {
        for (ChapAlgorithm a : values()) {
            if (a.number == number) {
                return a;
            }
        }
        return null;
    }

    /**
     * The CHAP response: Hash(identifier || secret || challenge), RFC 1994 4.1. The secret is
     * taken as its UTF-8 bytes.
     */
    public byte[] response(int identifier, String secret, byte[] challenge) {
        if (identifier < 0 || identifier > 255) {
            throw new IllegalArgumentException("CHAP identifier out of range 0..255: " + identifier);
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " missing from this JDK", e);
        }
        md.update((byte) identifier);
        md.update(secret.getBytes(StandardCharsets.UTF_8));
        md.update(challenge);
        return md.digest();
    }
}
