package io.braid.scsi.internal;

/**
 * SPC-5 "Persistent reservations type codes": the TYPE field of PERSISTENT RESERVE OUT and of the
 * reservation descriptors, with the access rules each type gives non-holders.
 */
enum PrType {
    WRITE_EXCLUSIVE(0x1, "WE"),
    EXCLUSIVE_ACCESS(0x3, "EA"),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, "WERO"),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, "EARO"),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, "WEAR"),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, "EAAR");

    private final int code;
    private final String abbreviation;

    PrType(int code, String abbreviation) {
        this.code = code;
        this.abbreviation = abbreviation;
    }

    int code() {
        return code;
    }

    String abbreviation() {
        return abbreviation;
    }

    /** The type with this TYPE code, or null for a reserved value. */
    static PrType of(int code) {
        for (PrType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Every registered I_T nexus is a reservation holder (SPC-5 "Persistent reservation holder"). */
    boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Registrants only: one holder, but every registered I_T nexus has the holder's access. */
    boolean registrantsOnly() {
        return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    /** Reads by non-holders conflict too (the exclusive access family), not only writes. */
    boolean exclusiveAccess() {
        return this == EXCLUSIVE_ACCESS || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Registered I_T nexuses are treated as holders when commands are checked for conflicts. */
    boolean registrantsHaveAccess() {
        return registrantsOnly() || allRegistrants();
    }
}
