package io.braid.scsi;

import io.braid.store.BlockDevice;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What the core needs to present one logical unit.
 *
 * @param lun      the LUN number (0..16383, flat space addressing)
 * @param name     the volume name, used in logs (VPD 0x83's SCSI name string must be an
 *                 "naa."/"eui."/"iqn." name, so it carries the NAA designator instead)
 * @param id       the volume's stable identity; the NAA designator and serial number derive
 *                 from it so they survive restarts
 * @param device   the backstore; owned by the caller, who closes it
 * @param readOnly whether writes are refused with DATA PROTECT / WRITE PROTECTED
 * @param state    where state that survives restarts is kept (APTPL reservations, saved mode pages)
 * @param features the per-LUN switches that are on
 */
public record LogicalUnitSpec(int lun, String name, UUID id, BlockDevice device, boolean readOnly,
                              UnitStateStore state, Set<UnitFeature> features) {
    public LogicalUnitSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(features, "features");
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        if (lun < 0 || lun > 16383) {
            throw new IllegalArgumentException("lun " + lun + " out of range 0..16383");
        }
    }

    /** A unit with every feature on and state kept in memory only. */
    public LogicalUnitSpec(int lun, String name, UUID id, BlockDevice device, boolean readOnly) {
        this(lun, name, id, device, readOnly, UnitStateStore.inMemory(), EnumSet.allOf(UnitFeature.class));
    }

    public boolean has(UnitFeature feature) {
        return features.contains(feature);
    }
}
