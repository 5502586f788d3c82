package io.braid.iscsi.target;

import io.braid.scsi.ScsiTarget;

import java.util.List;

/**
 * One iSCSI target node (RFC 7143 3.2) served by this server.
 *
 * @param iqn                target name
 * @param alias              TargetAlias, may be null
 * @param scsi               the SCSI target device behind it
 * @param allowedInitiators  initiator IQNs allowed to log in; empty allows all
 */
public record TargetDefinition(String iqn, String alias, ScsiTarget scsi,
                               List<String> allowedInitiators) {
    public TargetDefinition {
        allowedInitiators = allowedInitiators == null ? List.of() : List.copyOf(allowedInitiators);
    }

    public boolean allows(String initiatorIqn) {
        return allowedInitiators.isEmpty() || allowedInitiators.contains(initiatorIqn);
    }
}
