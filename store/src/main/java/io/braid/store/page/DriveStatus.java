package io.braid.store.page;

import java.nio.file.Path;
import java.util.UUID;

/**
 * One drive as the store sees it now.
 *
 * @param index           drive index ({@code d<index>})
 * @param id              the UUID in its header
 * @param path            file or block device
 * @param state           ONLINE, FAILED or REBUILDING
 * @param cause           why it last changed state (empty for a drive that never did)
 * @param capacityBytes   slots × page size
 * @param usedBytes       allocated slots × page size
 * @param rebuildProgress fraction of pages restored while REBUILDING (0..1), otherwise 1 for
 *                        ONLINE and 0 for FAILED
 */
public record DriveStatus(int index, UUID id, Path path, DriveState state, String cause,
                          long capacityBytes, long usedBytes, double rebuildProgress) {
    /** {@code d0}, {@code d1} ... */
    public String name() {
        return PageStore.driveName(index);
    }
}
