package io.braid.node;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A volume as the catalogue keeps it: the identity ({@code id}) never changes once created, so the
 * NAA designator and serial number initiators see (SPC-4 7.8.6, 7.8.17) survive restarts.
 *
 * @param name      volume name
 * @param id        stable identity
 * @param sizeBytes capacity in bytes; never changed silently
 * @param lun       LUN it was last presented at
 * @param readOnly  whether it was last presented read-only
 * @param created   when it was created
 */
public record VolumeRecord(String name, UUID id, long sizeBytes, int lun, boolean readOnly,
                           Instant created) {
    public VolumeRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(created, "created");
    }
}
