package io.braid.host.multipath;

import io.braid.host.ExportedDevice;
import io.braid.host.discovery.Device;

import java.util.Map;

/**
 * The name a device is exported (and listed) by. The initiator does not know volume names, so
 * the default is the device id (the VPD 83h designator, e.g. {@code naa.3a1b2c3d4e5f6071}), which
 * is stable across restarts and paths; a caller that knows the volumes maps ids or LUN serials
 * (VPD 80h; for a Braid volume, its UUID as 32 hex digits) to names.
 */
@FunctionalInterface
public interface DeviceNaming {
    /** The export name of {@code d}; must pass {@link ExportedDevice#checkName}. */
    String name(Device d);

    /**
     * The LUN serial (VPD 80h) a Braid node reports for the volume with this id: the UUID as 32
     * lower-case hex digits, without dashes. A key for {@link #of}.
     */
    static String braidVolumeSerial(java.util.UUID volumeId) {
        java.util.HexFormat hex = java.util.HexFormat.of();
        return hex.toHexDigits(volumeId.getMostSignificantBits()) + hex.toHexDigits(volumeId.getLeastSignificantBits());
    }

    /** The device id. */
    static DeviceNaming byId() {
        return Device::id;
    }

    /**
     * The name {@code names} gives the device's id, else its LUN serial (case-insensitive), else
     * the device id.
     */
    static DeviceNaming of(Map<String, String> names) {
        Map<String, String> copy = Map.copyOf(names);
        for (String n : copy.values()) {
            ExportedDevice.checkName(n);
        }
        return d -> {
            String n = copy.get(d.id());
            if (n == null && !d.lunSerial().isEmpty()) {
                n = copy.get(d.lunSerial());
                if (n == null) {
                    for (Map.Entry<String, String> e : copy.entrySet()) {
                        if (e.getKey().equalsIgnoreCase(d.lunSerial())) {
                            n = e.getValue();
                        }
                    }
                }
            }
            return n != null ? n : d.id();
        };
    }
}
