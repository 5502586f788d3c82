package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.SenseKey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pending unit attention conditions of one logical unit, kept per I_T nexus (SAM-5 "Unit attention
 * conditions"). With UA_INTLCK_CTRL 00b (control mode page) a condition is cleared when it is
 * reported, by CHECK CONDITION or by REQUEST SENSE.
 *
 * <p>Conditions are reported in the order of {@link #PRECEDENCE}, those of equal rank in the order
 * they were established; a condition already pending is not queued twice, so a nexus never has more
 * pending conditions than there are sense codes. A reset condition (29h/xx) makes every pending
 * condition of lower precedence obsolete — the reset itself is what the initiator must react to, and
 * it rereads whatever state it keeps — so it replaces them; when a reset of higher or equal rank is
 * still pending, that one stands for both.
 */
final class UnitAttentions {

    /**
     * Reporting order, highest first (SAM-5 "Unit attention condition precedence" for the 29h
     * family, then the order SPC-5 gives the conditions a logical unit establishes itself). A code
     * not listed ranks below all of these.
     */
    static final List<List<SenseCode>> PRECEDENCE = List.of(
            List.of(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED),
            List.of(SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED),
            List.of(SenseCode.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR),
            List.of(SenseCode.RESERVATIONS_PREEMPTED, SenseCode.RESERVATIONS_RELEASED,
                    SenseCode.REGISTRATIONS_PREEMPTED),
            List.of(SenseCode.MODE_PARAMETERS_CHANGED),
            List.of(SenseCode.CAPACITY_DATA_HAS_CHANGED),
            List.of(SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED),
            List.of(SenseCode.INQUIRY_DATA_HAS_CHANGED),
            List.of(SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED));

    private static final Map<SenseCode, Integer> RANK = new EnumMap<>(SenseCode.class);

    static {
        for (int rank = 0; rank < PRECEDENCE.size(); rank++) {
            for (SenseCode code : PRECEDENCE.get(rank)) {
                if (code.key() != SenseKey.UNIT_ATTENTION || RANK.put(code, rank) != null) {
                    throw new ExceptionInInitializerError(code + " is not a unit attention or is ranked twice");
                }
            }
        }
    }

    private final ConcurrentHashMap<Nexus, List<SenseCode>> pending = new ConcurrentHashMap<>();

    /** Establishes {@code code} for {@code nexus} in order of precedence (see the class comment). */
    void establish(Nexus nexus, SenseCode code) {
        if (code.key() != SenseKey.UNIT_ATTENTION) {
            throw new IllegalArgumentException(code + " is not a unit attention");
        }
        int rank = rank(code);
        boolean reset = isReset(code);
        pending.compute(nexus, (n, list) -> {
            List<SenseCode> l = list == null ? new ArrayList<>(2) : list;
            if (reset) {
                l.removeIf(c -> rank(c) > rank);
                if (l.stream().anyMatch(UnitAttentions::isReset)) {
                    return l; // what is left is a reset at least as broad: it covers this one
                }
            } else if (l.contains(code)) {
                return l;
            }
            int at = l.size();
            while (at > 0 && rank(l.get(at - 1)) > rank) {
                at--;
            }
            l.add(at, code);
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
        if (!pending.containsKey(nexus)) {
            return null; // every command asks: no allocation when nothing is pending
        }
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

    /** Everything pending for {@code nexus} in reporting order, for tests and diagnostics. */
    List<SenseCode> pending(Nexus nexus) {
        List<SenseCode> out = new ArrayList<>();
        pending.computeIfPresent(nexus, (n, list) -> {
            out.addAll(list);
            return list;
        });
        return out;
    }

    /** Drops everything pending for a nexus that went away. */
    void discard(Nexus nexus) {
        pending.remove(nexus);
    }

    static int rank(SenseCode code) {
        return RANK.getOrDefault(code, PRECEDENCE.size());
    }

    /** The 29h family: power on, hard reset, logical unit reset, I_T nexus loss. */
    private static boolean isReset(SenseCode code) {
        return code.asc() == 0x29;
    }
}
