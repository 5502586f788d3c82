package io.braid.node.api;

import java.util.List;

/**
 * One entry of {@code GET /api/v1/volumes}.
 *
 * @param name      volume name
 * @param lun       LUN it is served at
 * @param id        stable identity (the NAA designator derives from it)
 * @param sizeBytes capacity in bytes
 * @param readOnly  whether writes are refused
 * @param created   ISO-8601 creation time
 * @param urls      {@code iscsi://HOST:PORT/<target-iqn>/<lun>}, one per portal
 */
public record VolumeView(String name, int lun, String id, long sizeBytes, boolean readOnly,
                         String created, List<String> urls) {
    public VolumeView {
        urls = urls == null ? List.of() : List.copyOf(urls);
    }
}
