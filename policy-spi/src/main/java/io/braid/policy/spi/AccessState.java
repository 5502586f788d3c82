package io.braid.policy.spi;

/** A target port group's asymmetric access state (SPC-5 5.16.2 "Asymmetric logical unit access"). */
public enum AccessState {
    ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED, STANDBY, UNAVAILABLE, LBA_DEPENDENT, OFFLINE, TRANSITIONING,
    /** The unit does not report asymmetric access states (all paths equal). */
    NOT_REPORTED;

    /** Whether I/O through a port in this state is served (active/optimized, non-optimized, LBA dependent, not reported). */
    public boolean active() {
        return this == ACTIVE_OPTIMIZED || this == ACTIVE_NON_OPTIMIZED || this == LBA_DEPENDENT
                || this == NOT_REPORTED;
    }
}
