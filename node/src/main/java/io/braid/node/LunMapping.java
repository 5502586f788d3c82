package io.braid.node;

import java.util.Objects;

/**
 * One volume in an initiator's LUN masking entry ({@code acls[].volumes[]} in node.yaml).
 *
 * @param volume   the volume's name
 * @param readOnly whether this initiator sees the volume write-protected
 */
public record LunMapping(String volume, boolean readOnly) {
    public LunMapping {
        Objects.requireNonNull(volume, "volume");
    }
}
