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
 * @param allocatedBytes bytes with storage behind them (thin provisioning; each stored twice);
 *                  equal to {@code sizeBytes} for a fully provisioned file volume
 */
public record VolumeView(String name, int lun, String id, long sizeBytes, boolean readOnly,
                         String created, List<String> urls, long allocatedBytes) {
    public VolumeView {
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    /** A fully provisioned volume. */
    public VolumeView(String name, int lun, String id, long sizeBytes, boolean readOnly,
                      String created, List<String> urls) {
        this(name, lun, id, sizeBytes, readOnly, created, urls, sizeBytes);
    }
}
