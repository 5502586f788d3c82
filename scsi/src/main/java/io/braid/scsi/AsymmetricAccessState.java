package io.braid.scsi;

/**
 * The target port asymmetric access states Braid supports (SPC-5 "Target port asymmetric access
 * states"), with their ASYMMETRIC ACCESS STATE code. Logical block dependent is not supported.
 * {@link #OFFLINE} is the one secondary state: it belongs to a single target port, not to a group
 * ({@link TargetPortGroups#setOffline}).
 */
public enum AsymmetricAccessState {
    /** Every command is processed; the preferred way to the logical units. */
    ACTIVE_OPTIMIZED(0x0),
    /** Every command is processed, possibly more slowly (e.g. forwarded to the owning node). */
    ACTIVE_NON_OPTIMIZED(0x1),
    /** Only management commands; others end with NOT READY / TARGET PORT IN STANDBY STATE. */
    STANDBY(0x2),
    /** Fewer still; others end with NOT READY / TARGET PORT IN UNAVAILABLE STATE. */
    UNAVAILABLE(0x3),
    /**
     * A secondary state of one target port, whatever its group's state: the port is out of use and
     * every command through it ends with NOT READY / LOGICAL UNIT NOT READY, OFFLINE.
     */
    OFFLINE(0xE),
    /** Between two states, set only by an implicit transition; others end with ASYMMETRIC ACCESS STATE TRANSITION. */
    TRANSITIONING(0xF);

    private final int code;

    AsymmetricAccessState(int code) {
        this.code = code;
    }

    /** The ASYMMETRIC ACCESS STATE field value. */
    public int code() {
        return code;
    }

    /** Whether SET TARGET PORT GROUPS may request this state (SPC-5: transitioning may not be requested). */
    public boolean explicitlySettable() {
        return this != TRANSITIONING;
    }

    /** Whether this is a state of a single target port (offline) rather than of a target port group. */
    public boolean secondary() {
        return this == OFFLINE;
    }

    /** The state with this code, or null for a code Braid does not support. */
    public static AsymmetricAccessState ofCode(int code) {
        for (AsymmetricAccessState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
