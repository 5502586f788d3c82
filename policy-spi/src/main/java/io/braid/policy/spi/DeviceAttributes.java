package io.braid.policy.spi;

import java.util.List;
import java.util.Objects;

/**
 * What discovery reports of a device (SPC-5 standard INQUIRY, VPD 80h and 83h, READ CAPACITY
 * (16)): what a module claims devices by. An immutable snapshot.
 *
 * @param id              the logical unit designator (VPD 83h), e.g. {@code naa.6001405...}
 * @param vendor          T10 VENDOR IDENTIFICATION, trimmed
 * @param product         PRODUCT IDENTIFICATION, trimmed
 * @param revision        PRODUCT REVISION LEVEL, trimmed
 * @param lunSerial       VPD 80h unit serial number, or ""
 * @param enclosureSerial the array's serial (VPD 83h target device designator), or ""
 * @param arrayType       {@code braid}, {@code alua} or {@code generic}
 * @param capacityBytes   capacity in bytes
 * @param blockSize       logical block length in bytes
 * @param alua            whether the unit reports asymmetric access states
 * @param paths           every path, connected or not
 */
public record DeviceAttributes(String id, String vendor, String product, String revision, String lunSerial,
                               String enclosureSerial, String arrayType, long capacityBytes, int blockSize,
                               boolean alua, List<PathAttributes> paths) {
    public DeviceAttributes {
        Objects.requireNonNull(id, "id");
        vendor = vendor == null ? "" : vendor.trim();
        product = product == null ? "" : product.trim();
        revision = revision == null ? "" : revision.trim();
        lunSerial = lunSerial == null ? "" : lunSerial;
        enclosureSerial = enclosureSerial == null ? "" : enclosureSerial;
        arrayType = arrayType == null ? "" : arrayType;
        paths = List.copyOf(paths);
    }

    public int pathCount() {
        return paths.size();
    }

    public List<PathAttributes> primaryPaths() {
        return paths.stream().filter(PathAttributes::primary).toList();
    }

    public List<PathAttributes> secondaryPaths() {
        return paths.stream().filter(p -> !p.primary()).toList();
    }

    public List<PathAttributes> connectedPaths() {
        return paths.stream().filter(PathAttributes::connected).toList();
    }

    public List<PathAttributes> disconnectedPaths() {
        return paths.stream().filter(p -> !p.connected()).toList();
    }
}
