package io.braid.scsi.internal;

import io.braid.scsi.Nexus;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The medium removal prevention of one logical unit (SBC-4 "PREVENT ALLOW MEDIUM REMOVAL
 * command"): kept per I_T nexus; removal is prevented while any nexus prevents it. A nexus's
 * prevention ends with its own ALLOW, with the loss of the nexus, and with a logical unit reset or
 * hard reset (SPC-5 "PREVENT ALLOW MEDIUM REMOVAL": "the prevention of medium removal shall be
 * cleared ... by an I_T nexus loss ... a logical unit reset ...").
 */
final class MediumRemoval {

    private final Set<Nexus> preventing = ConcurrentHashMap.newKeySet();

    void prevent(Nexus nexus, boolean prevent) {
        if (prevent) {
            preventing.add(nexus);
        } else {
            preventing.remove(nexus);
        }
    }

    boolean prevented() {
        return !preventing.isEmpty();
    }

    /** The nexus went away (logout, connection loss, session reinstatement). */
    void release(Nexus nexus) {
        preventing.remove(nexus);
    }

    /** Logical unit reset or hard reset. */
    void clear() {
        preventing.clear();
    }
}
