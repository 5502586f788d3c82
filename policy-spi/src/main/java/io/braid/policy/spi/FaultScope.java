package io.braid.policy.spi;

/** What an error says is broken, which decides how many paths a failure takes out of service. */
public enum FaultScope {
    /** The session (I_T nexus): every path through it, for every device. */
    NEXUS,
    /** The target port group's access state (ALUA): this device's paths in the same group. */
    PORT_GROUP,
    /** This path alone (this LUN through this nexus). */
    PATH
}
