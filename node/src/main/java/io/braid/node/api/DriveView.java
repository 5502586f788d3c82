package io.braid.node.api;

/**
 * One entry of {@code GET /api/v1/drives}: a drive of the node's page store (docs/storage.md).
 *
 * @param name            {@code d0}, {@code d1} ...
 * @param id              the UUID written on the drive
 * @param path            file or block device
 * @param state           {@code ONLINE}, {@code FAILED} or {@code REBUILDING}
 * @param cause           why it last changed state (empty if it never did)
 * @param capacityBytes   space for page copies
 * @param usedBytes       space holding page copies
 * @param rebuildProgress fraction of its pages restored (0..1; 1 when ONLINE, 0 when FAILED)
 */
public record DriveView(String name, String id, String path, String state, String cause,
                        long capacityBytes, long usedBytes, double rebuildProgress) {
}
