package io.braid.scsi.internal;

import io.braid.scsi.Nexus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pending unit attention conditions of one logical unit, kept per I_T nexus (SAM-5 "Unit attention
 * conditions"). With UA_INTLCK_CTRL 00b (control mode page) a condition is cleared when it is
 * reported, by CHECK CONDITION or by REQUEST SENSE.
 */
final class UnitAttentions {

    private final ConcurrentHashMap<Nexus, List<SenseCode>> pending = new ConcurrentHashMap<>();

    /** Establishes {@code code} for {@code nexus} unless it is already pending. */
    void establish(Nexus nexus, SenseCode code) {
        if (code.key() != SenseKey.UNIT_ATTENTION) {
            throw new IllegalArgumentException(code + " is not a unit attention");
        }
        pending.compute(nexus, (n, list) -> {
            List<SenseCode> l = list == null ? new ArrayList<>(2) : list;
            if (!l.contains(code)) {
                // Reset conditions are reported first (SAM-5 gives them the highest precedence);
                // the others keep the order in which they were established.
                int at = l.size();
                while (at > 0 && precedence(l.get(at - 1)) > precedence(code)) {
                    at--;
                }
                l.add(at, code);
            }
            return l;
        });
    }

    void establishAll(Collection<Nexus> nexuses, SenseCode code) {
        for (Nexus n : nexuses) {
            establish(n, code);
        }
    }

    /** Removes and returns the condition to report next, or null. */
    SenseCode take(Nexus nexus) {
        SenseCode[] taken = new SenseCode[1];
        pending.computeIfPresent(nexus, (n, list) -> {
            taken[0] = list.remove(0);
            return list.isEmpty() ? null : list;
        });
        return taken[0];
    }

    /** The condition that would be reported next, without clearing it. */
    SenseCode peek(Nexus nexus) {
        SenseCode[] seen = new SenseCode[1];
        pending.computeIfPresent(nexus, (n, list) -> {
            seen[0] = list.get(0);
            return list;
        });
        return seen[0];
    }

    /** Drops everything pending for a nexus that went away. */
    void discard(Nexus nexus) {
        pending.remove(nexus);
    }

    private static int precedence(SenseCode code) {
        return code.asc() == 0x29 ? 0 : 1;
    }
}
