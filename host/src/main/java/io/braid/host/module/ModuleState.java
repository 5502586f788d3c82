package io.braid.host.module;

import java.util.Locale;
import java.util.Set;

/**
 * A module's life in the registry. ACTIVE modules decide for their devices; a QUARANTINED one is
 * kept in memory (for {@code braid host module list}) but decides nothing; RETIRING is an old
 * version replaced by a new one (or an unloaded module) that waits until no I/O is inside it;
 * UNLOADED is gone (its class loader closed).
 */
public enum ModuleState {
    ACTIVE, QUARANTINED, RETIRING, UNLOADED;

    private Set<ModuleState> next() {
        return switch (this) {
            case ACTIVE -> Set.of(QUARANTINED, RETIRING);
            case QUARANTINED -> Set.of(RETIRING);
            case RETIRING -> Set.of(UNLOADED);
            case UNLOADED -> Set.of();
        };
    }

    public boolean canMoveTo(ModuleState to) {
        return next().contains(to);
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
