package io.braid.store.page;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A drive changed state (docs/storage.md "Drive states and failure"); the support-bundle work
 * hangs off the FAILED events.
 *
 * @param time            when the store made the change
 * @param drive           drive index ({@code 0} is {@code d0})
 * @param driveId         the UUID in the drive's header (the new one for a replacement)
 * @param path            file or block device of the drive
 * @param from            state before
 * @param to              state after
 * @param cause           why, for people (an I/O error's message, "fault injection", ...)
 * @param affectedVolumes names of the volumes with at least one page copy on the drive
 */
public record DriveEvent(Instant time, int drive, UUID driveId, Path path, DriveState from,
                         DriveState to, String cause, List<String> affectedVolumes) {
    public DriveEvent {
        affectedVolumes = List.copyOf(affectedVolumes);
    }

    /** The drive's name, {@code d0}, {@code d1} ... */
    public String driveName() {
        return PageStore.driveName(drive);
    }
}
