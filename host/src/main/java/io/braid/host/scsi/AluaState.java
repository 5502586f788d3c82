package io.braid.host.scsi;

/**
 * Asymmetric access states of a target port group (SPC-5 "Asymmetric logical unit access"),
 * plus {@link #NOT_REPORTED} for a unit without ALUA or whose REPORT TARGET PORT GROUPS failed.
 */
public enum AluaState {
    ACTIVE_OPTIMIZED(0x0, "active/optimized"),
    ACTIVE_NON_OPTIMIZED(0x1, "active/non-optimized"),
    STANDBY(0x2, "standby"),
    UNAVAILABLE(0x3, "unavailable"),
    LBA_DEPENDENT(0x4, "lba-dependent"),
    OFFLINE(0xE, "offline"),
    TRANSITIONING(0xF, "transitioning"),
    NOT_REPORTED(-1, "not reported");

    private final int wire;
    private final String label;

    AluaState(int wire, String label) {
        this.wire = wire;
        this.label = label;
    }

    public int wire() {
        return wire;
    }

    /** The name {@code multipath -ll} style output uses. */
    public String label() {
        return label;
    }

    /** The state for a 4-bit ASYMMETRIC ACCESS STATE; reserved values read as NOT_REPORTED. */
    public static AluaState of(int value) {
        for (AluaState s : values()) {
            if (s.wire == value) {
                return s;
            }
        }
        return NOT_REPORTED;
    }

    /** Whether I/O sent through a port in this state is served (possibly more slowly). */
    public boolean active() {
        return this == ACTIVE_OPTIMIZED || this == ACTIVE_NON_OPTIMIZED || this == LBA_DEPENDENT
                || this == NOT_REPORTED;
    }
}
