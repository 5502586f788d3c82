package io.braid.host.pr;

import java.util.Arrays;
import java.util.Locale;

/**
 * Persistent reservation types (SPC-5 "Persistent reservations type codes"), with the names
 * {@code mpathpersist} and {@code sg_persist} users know ({@code wr-ex} ...).
 */
public enum PrType {
    /** Write Exclusive: only the holder writes. */
    WRITE_EXCLUSIVE(0x1, "wr-ex"),
    /** Exclusive Access: only the holder reads or writes. */
    EXCLUSIVE_ACCESS(0x3, "ex-ac"),
    /** Write Exclusive, Registrants Only. */
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, "wr-ex-ro"),
    /** Exclusive Access, Registrants Only. */
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, "ex-ac-ro"),
    /** Write Exclusive, All Registrants: every registrant is a holder. */
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, "wr-ex-ar"),
    /** Exclusive Access, All Registrants: every registrant is a holder. */
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, "ex-ac-ar");

    private final int code;
    private final String label;

    PrType(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The TYPE field value. */
    public int code() {
        return code;
    }

    /** The short name used by the CLI and the API, e.g. {@code wr-ex}. */
    public String label() {
        return label;
    }

    /** Whether every registered I_T nexus is a reservation holder (SPC-5: all registrants types). */
    public boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Whether registered I_T nexuses that do not hold the reservation still have access. */
    public boolean registrantsHaveAccess() {
        return this != WRITE_EXCLUSIVE && this != EXCLUSIVE_ACCESS;
    }

    /** The type with this TYPE code. */
    public static PrType of(int code) {
        for (PrType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format("persistent reservation type 0x%x is not one of SPC-5's", code));
    }

    /** The type named by its label ({@code wr-ex}) or enum name, case-insensitively. */
    public static PrType parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (PrType t : values()) {
            if (t.label.equals(n) || t.name().toLowerCase(Locale.ROOT).equals(n.replace('-', '_'))) {
                return t;
            }
        }
        throw new IllegalArgumentException("reservation type \"" + name + "\" is not one of "
                + Arrays.stream(values()).map(PrType::label).toList());
    }
}
