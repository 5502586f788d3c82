package io.braid.host.discovery;

import io.braid.host.scsi.AluaState;
import io.braid.host.scsi.Capacity;
import io.braid.host.scsi.DeviceIdentification;
import io.braid.host.scsi.StandardInquiry;
import io.braid.host.scsi.TargetPortGroups;

/**
 * What a probe learned about one LUN through one path.
 *
 * @param lun            the LUN number
 * @param inquiry        standard INQUIRY data
 * @param unitSerial     VPD 80h unit serial number, or "" when the page is not supported
 * @param identification VPD 83h
 * @param capacity       READ CAPACITY (16), or null when the port's ALUA state (standby,
 *                       unavailable, transitioning) does not let it through
 * @param portGroups     REPORT TARGET PORT GROUPS, or null when the unit does not support it
 */
public record LunInfo(int lun, StandardInquiry inquiry, String unitSerial, DeviceIdentification identification,
                      Capacity capacity, TargetPortGroups portGroups) {

    /** Vendor of Braid's volumes in standard INQUIRY data. */
    public static final String BRAID_VENDOR = "BRAID";

    /**
     * The device identity: the VPD 83h logical unit designator, else vendor, product and serial,
     * else (nothing to group by) the path itself.
     */
    public String deviceId(String targetName) {
        return identification.logicalUnit().map(DeviceIdentification.Designator::text)
                .orElseGet(() -> unitSerial.isEmpty() ? "path." + targetName + "." + lun
                        : "serial." + inquiry.vendor() + "." + inquiry.product() + "." + unitSerial);
    }

    public String enclosureSerial() {
        return identification.targetDeviceSerial().orElse("");
    }

    public String arrayType() {
        if (BRAID_VENDOR.equals(inquiry.vendor())) {
            return "braid";
        }
        return inquiry.alua() ? "alua" : "generic";
    }

    /** The port group this path's target port belongs to, or null when not reported. */
    public TargetPortGroups.Group portGroup() {
        if (portGroups == null) {
            return null;
        }
        TargetPortGroups.Group g = identification.targetPortGroup() >= 0
                ? portGroups.group(identification.targetPortGroup()) : null;
        if (g == null && identification.relativeTargetPort() >= 0) {
            g = portGroups.groupOfPort(identification.relativeTargetPort());
        }
        return g;
    }

    public AluaState aluaState() {
        TargetPortGroups.Group g = portGroup();
        return g == null ? AluaState.NOT_REPORTED : g.state();
    }

    public PathPriority priority() {
        AluaState s = aluaState();
        return s == AluaState.ACTIVE_OPTIMIZED || s == AluaState.NOT_REPORTED ? PathPriority.PRIMARY
                : PathPriority.SECONDARY;
    }
}
