package io.braid.host.discovery;

/**
 * How the array ranks a path (SPC-5 ALUA): PRIMARY through an active/optimized target port group
 * (or every path when the unit reports no ALUA states), SECONDARY through any other group.
 */
public enum PathPriority {
    PRIMARY,
    SECONDARY
}
