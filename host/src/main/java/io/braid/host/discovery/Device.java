package io.braid.host.discovery;

import java.util.List;

/**
 * A multipath device: every path whose LUN reports the same VPD 83h logical unit designator
 * (SPC-5 "Device Identification VPD page"). The attributes come from the most recent probe of a
 * path (standard INQUIRY, VPD 80h and 83h, READ CAPACITY (16)).
 *
 * @param id              the logical unit designator as text, e.g. {@code naa.6001405...}
 * @param vendor          T10 VENDOR IDENTIFICATION
 * @param product         PRODUCT IDENTIFICATION
 * @param revision        PRODUCT REVISION LEVEL
 * @param lunSerial       VPD 80h unit serial number, or "" when not reported
 * @param enclosureSerial the array's serial (VPD 83h target device designator), or ""
 * @param arrayType       what kind of array: {@code braid} for Braid, else {@code alua} or
 *                        {@code generic} by the unit's TPGS support
 * @param capacityBytes   capacity in bytes; 0 while no path could read it (every path's port in
 *                        an ALUA state that refuses READ CAPACITY)
 * @param blockSize       logical block length in bytes; 0 likewise
 * @param alua            whether the unit reports asymmetric access states (TPGS non-zero and
 *                        REPORT TARGET PORT GROUPS answered)
 * @param paths           every path to the device, sorted by host port, storage port, target, LUN
 */
public record Device(String id, String vendor, String product, String revision, String lunSerial,
                     String enclosureSerial, String arrayType, long capacityBytes, int blockSize, boolean alua,
                     List<Path> paths) {
    public Device {
        paths = List.copyOf(paths);
    }

    public int pathCount() {
        return paths.size();
    }

    public List<Path> primaryPaths() {
        return paths.stream().filter(p -> p.priority() == PathPriority.PRIMARY).toList();
    }

    public List<Path> secondaryPaths() {
        return paths.stream().filter(p -> p.priority() == PathPriority.SECONDARY).toList();
    }

    public List<Path> connectedPaths() {
        return paths.stream().filter(Path::connected).toList();
    }

    public List<Path> disconnectedPaths() {
        return paths.stream().filter(p -> !p.connected()).toList();
    }
}
