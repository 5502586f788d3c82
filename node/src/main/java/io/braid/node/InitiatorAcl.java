package io.braid.node;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * LUN masking for one initiator ({@code acls[]} in node.yaml): the volumes it sees, each read-write
 * or read-only. Once a node has any entry, an initiator without one sees no LUN at all.
 *
 * @param initiator the initiator's iSCSI name (compared case-insensitively, RFC 7143 4.2.7.1)
 * @param volumes   what it sees; at least one
 */
public record InitiatorAcl(String initiator, List<LunMapping> volumes) {
    public InitiatorAcl {
        NodeConfig.checkIscsiName(initiator);
        volumes = List.copyOf(volumes);
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("initiator " + initiator + " is given no volume");
        }
        Set<String> seen = new HashSet<>();
        for (LunMapping m : volumes) {
            if (!seen.add(m.volume())) {
                throw new IllegalArgumentException("volume \"" + m.volume() + "\" is listed twice for " + initiator);
            }
        }
    }

    /** The initiator name in the form names are compared in. */
    public String key() {
        return initiator.toLowerCase(Locale.ROOT);
    }
}
