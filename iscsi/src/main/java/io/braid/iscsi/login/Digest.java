package io.braid.iscsi.login;

/** Values of the HeaderDigest and DataDigest keys (RFC 7143 13.1). */
public enum Digest {
    NONE("None"),
    CRC32C("CRC32C");

    private final String wireName;

    Digest(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The digest for a list item, or null when it is not one we implement. */
    public static Digest of(String value) {
        for (Digest d : values()) {
            if (d.wireName.equals(value)) {
                return d;
            }
        }
        return null;
    }
}
