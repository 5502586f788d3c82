package io.braid.cli;

import io.braid.host.api.DevicePathView;
import io.braid.host.api.DeviceView;
import io.braid.host.api.EventView;
import io.braid.node.Sizes;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@code braid host devices} and {@code braid host paths} print, in the manner of
 * {@code multipath -ll}: a device, then its paths grouped by ALUA group, best first.
 */
final class HostListing {
    private HostListing() {
    }

    /**
     * <pre>
     * v0 (naa.3a1b2c3d4e5f6071) BRAID,Braid volume
     * size=128M policy='service-time' features='queue_if_no_path 30s' array=braid wp=rw paths=4/4
     * `-+- group=optimized status=active
     *   |- 127.0.0.1 -> 127.0.9.1:3260 iqn.2026-11.io.braid:local lun 0  active  connected  active/optimized  qd=0 lat=312us ios=10 errors=0
     *   `- ...
     * </pre>
     */
    static void devices(PrintWriter out, List<DeviceView> devices) {
        if (devices.isEmpty()) {
            out.println("no devices");
            return;
        }
        boolean first = true;
        for (DeviceView d : devices) {
            if (!first) {
                out.println();
            }
            first = false;
            device(out, d);
        }
    }

    static void device(PrintWriter out, DeviceView d) {
        out.println(d.name() + (d.name().equals(d.id()) ? "" : " (" + d.id() + ")") + " " + d.vendor() + ","
                + d.product());
        StringBuilder attrs = new StringBuilder();
        attrs.append("size=").append(Sizes.format(d.sizeBytes()))
                .append(" policy='").append(d.policy()).append('\'')
                .append(" features='queue_if_no_path ").append(seconds(d.noPathTimeout())).append('\'')
                .append(" array=").append(d.arrayType())
                .append(" wp=").append(d.readOnly() ? "ro" : "rw")
                .append(" paths=").append(d.activePaths()).append('/').append(d.pathCount());
        if (!d.lunSerial().isEmpty()) {
            attrs.append(" serial=").append(d.lunSerial());
        }
        if (d.waiting() > 0 || d.noPathSince() != null) {
            attrs.append(" waiting=").append(d.waiting()).append(" no-path-since=").append(d.noPathSince());
        }
        out.println(attrs);
        Map<Integer, List<DevicePathView>> groups = new TreeMap<>();
        for (DevicePathView p : d.paths()) {
            groups.computeIfAbsent(rank(p.aluaState()), r -> new ArrayList<>()).add(p);
        }
        boolean chosen = false;
        int g = 0;
        for (Map.Entry<Integer, List<DevicePathView>> e : groups.entrySet()) {
            boolean lastGroup = ++g == groups.size();
            boolean anyActive = e.getValue().stream().anyMatch(p -> p.state().equals("active"));
            String status = anyActive && !chosen ? "active" : anyActive ? "enabled" : "failed";
            chosen |= anyActive;
            out.println((lastGroup ? "`-+- " : "|-+- ") + "group=" + GROUPS[e.getKey()] + " status=" + status);
            List<DevicePathView> ps = e.getValue();
            for (int i = 0; i < ps.size(); i++) {
                DevicePathView p = ps.get(i);
                out.println((lastGroup ? "  " : "| ") + (i == ps.size() - 1 ? "`- " : "|- ") + pathLine(p));
            }
        }
    }

    private static final String[] GROUPS = {"optimized", "non-optimized", "transitioning", "standby"};

    /** The driver's ALUA groups: which paths are tried before which. */
    static int rank(String aluaState) {
        return switch (aluaState) {
            case "active/optimized", "not reported" -> 0;
            case "active/non-optimized", "lba-dependent" -> 1;
            case "transitioning" -> 2;
            default -> 3;
        };
    }

    private static String pathLine(DevicePathView p) {
        return p.hostPort() + " -> " + p.storagePort() + " " + p.target() + " lun " + p.lun() + "  " + p.state() + "  "
                + p.connection() + "  " + p.aluaState() + "  qd=" + p.queueDepth() + " lat=" + latency(p.latencyMicros())
                + " ios=" + p.ios() + " errors=" + p.errors()
                + (p.state().equals("active") || p.lastError() == null ? "" : "  (" + p.lastError() + ")");
    }

    /** One row per path. */
    static void paths(PrintWriter out, List<DevicePathView> paths) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"DEVICE", "HOST-PORT", "STORAGE-PORT", "TARGET", "LUN", "STATE", "CONNECTION", "ALUA",
                "PRIORITY", "QD", "LATENCY", "IOS", "ERRORS", "FAILURES"});
        for (DevicePathView p : paths) {
            rows.add(new String[] {p.device() == null ? "-" : p.device(), p.hostPort(), p.storagePort(), p.target(),
                    p.lun() < 0 ? "-" : String.valueOf(p.lun()), p.state(), p.connection(), p.aluaState(),
                    p.priority(), String.valueOf(p.queueDepth()), latency(p.latencyMicros()), String.valueOf(p.ios()),
                    String.valueOf(p.errors()), String.valueOf(p.failures())});
        }
        VolumeListCommand.table(out, rows);
    }

    static void events(PrintWriter out, List<EventView> events) {
        for (EventView e : events) {
            out.println(e.sequence() + " " + e.time() + " " + e.type()
                    + (e.deviceId() == null ? "" : " " + e.deviceId())
                    + (e.path() == null ? "" : " " + e.path())
                    + (e.message() == null || e.message().isEmpty() ? "" : ": " + e.message()));
        }
    }

    /** {@code 312us}, {@code 1.25ms}, {@code 2.10s}; {@code -} before the first measurement. */
    static String latency(long micros) {
        if (micros <= 0) {
            return "-";
        }
        if (micros < 1000) {
            return micros + "us";
        }
        if (micros < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.2fms", micros / 1000.0);
        }
        return String.format(java.util.Locale.ROOT, "%.2fs", micros / 1_000_000.0);
    }

    private static String seconds(double s) {
        return s == Math.rint(s) ? (long) s + "s" : String.format(java.util.Locale.ROOT, "%.3gs", s);
    }
}
