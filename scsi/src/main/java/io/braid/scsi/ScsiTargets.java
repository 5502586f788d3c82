package io.braid.scsi;

import io.braid.scsi.internal.CoreTarget;
import io.braid.scsi.internal.TargetLimits;
import io.netty.buffer.ByteBufAllocator;

import java.util.List;
import java.util.Objects;

/** Creates the SCSI core's {@link ScsiTarget} (SAM-5 "SCSI target device") for a set of logical units. */
public final class ScsiTargets {

    private ScsiTargets() {
    }

    /**
     * A target presenting {@code units}, each a direct access block device (SBC-4) identified by
     * its volume UUID. Data-in buffers come from {@link ByteBufAllocator#DEFAULT}; READ and WRITE
     * are limited to 8 MiB each (reported in the Block Limits VPD page).
     *
     * @throws IllegalArgumentException when two units share a LUN or a volume id, or a device has
     *                                  no blocks or an unusable block size
     */
    public static ScsiTarget create(ScsiTargetIdentity identity, List<LogicalUnitSpec> units) {
        return create(identity, units, AccessControl.OPEN);
    }

    /**
     * The same with LUN masking: each initiator sees the units {@code access} grants it, read-only
     * where the grant says so. {@link AccessControl#OPEN} (what the two-argument form uses) lets
     * every initiator see every unit.
     */
    public static ScsiTarget create(ScsiTargetIdentity identity, List<LogicalUnitSpec> units,
                                    AccessControl access) {
        Objects.requireNonNull(units, "units");
        return new CoreTarget(identity, List.copyOf(units), ByteBufAllocator.DEFAULT, TargetLimits.DEFAULT, access);
    }
}
