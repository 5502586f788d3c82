package io.braid.policy.spi;

import java.util.Objects;

/**
 * One path of a device as discovery reported it (the attributes a module {@link
 * PolicyModule#claims claims} by).
 *
 * @param ref             the path
 * @param connected       whether its session is logged in
 * @param primary         PRIMARY (active/optimized, or no ALUA) rather than SECONDARY
 * @param preferred       the PREF bit of its target port group
 * @param targetPortGroup the target port group (VPD 83h), or -1
 * @param access          the port group's access state from the last probe
 */
public record PathAttributes(PathRef ref, boolean connected, boolean primary, boolean preferred, int targetPortGroup,
                             AccessState access) {
    public PathAttributes {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(access, "access");
    }
}
