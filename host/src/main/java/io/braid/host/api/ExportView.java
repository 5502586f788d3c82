package io.braid.host.api;

/**
 * One NBD export in {@code GET /api/v1/exports}.
 *
 * @param name      the export name
 * @param deviceId  the device id
 * @param lunSerial the device's VPD 80h serial
 * @param sizeBytes size
 * @param readOnly  write protected
 * @param unixUri   {@code nbd+unix:///<name>?socket=<path>}
 * @param tcpUri    {@code nbd://127.0.0.1:<port>/<name>}, or null without TCP
 */
public record ExportView(String name, String deviceId, String lunSerial, long sizeBytes, boolean readOnly,
                         String unixUri, String tcpUri) {
}
