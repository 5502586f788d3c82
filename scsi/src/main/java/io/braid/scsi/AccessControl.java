package io.braid.scsi;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * LUN masking: which logical units each initiator sees, and whether it may write them. The core
 * asks it for every command, REPORT LUNS and task management function, keyed by the nexus's
 * {@link Nexus#initiatorName()}; it never changes a unit's own read-only setting, it can only
 * narrow it. Implementations are called concurrently from any thread and must be fast (a map
 * lookup): they sit on the I/O path.
 *
 * <p>iSCSI names compare case-insensitively (RFC 7143 4.2.7.1: names are normalised to lower case),
 * so {@link #of} folds them.
 */
@FunctionalInterface
public interface AccessControl {

    /** Every initiator sees every unit read-write: the target without LUN masking. */
    AccessControl OPEN = (initiatorName, lun) -> LunAccess.READ_WRITE;

    /** What {@code initiatorName} may do with the unit at {@code lun} (0..16383). */
    LunAccess access(String initiatorName, int lun);

    /**
     * Masking from a table: initiator name to LUN number to access. An initiator not in the table,
     * and a LUN not in its row, get {@link LunAccess#NONE}.
     *
     * @throws IllegalArgumentException when two names differ only in case
     */
    static AccessControl of(Map<String, Map<Integer, LunAccess>> grants) {
        Objects.requireNonNull(grants, "grants");
        Map<String, Map<Integer, LunAccess>> folded = new HashMap<>();
        grants.forEach((name, row) -> {
            Objects.requireNonNull(name, "initiator name");
            if (folded.put(fold(name), Map.copyOf(row)) != null) {
                throw new IllegalArgumentException("initiator " + name + " is listed twice");
            }
        });
        Map<String, Map<Integer, LunAccess>> table = Map.copyOf(folded);
        return (initiatorName, lun) -> {
            Map<Integer, LunAccess> row = initiatorName == null ? null : table.get(fold(initiatorName));
            return row == null ? LunAccess.NONE : row.getOrDefault(lun, LunAccess.NONE);
        };
    }

    private static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
