package io.braid.policy.spi;

import java.util.Objects;

/**
 * One usable path as a decision sees it: a snapshot taken for that decision.
 *
 * @param ref             the path
 * @param access          the port group's access state
 * @param primary         PRIMARY rather than SECONDARY
 * @param preferred       the PREF bit of its target port group
 * @param targetPortGroup the target port group, or -1
 * @param order           the path's place in the device's fixed order (preferred, then primary,
 *                        then by host port, storage port and LUN), from 0
 * @param queueDepth      commands of this device in flight through the path now
 * @param latencyNanos    exponentially weighted mean latency of its commands (weight 1/8), 0
 *                        before the first
 * @param ios             commands completed through the path
 */
public record PathInfo(PathRef ref, AccessState access, boolean primary, boolean preferred, int targetPortGroup,
                       int order, int queueDepth, long latencyNanos, long ios) {
    public PathInfo {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(access, "access");
    }
}
