package io.braid.host.scsi;

import java.util.ArrayList;
import java.util.List;

/**
 * REPORT TARGET PORT GROUPS parameter data, length-only format (SPC-5 "REPORT TARGET PORT
 * GROUPS parameter data format"): bytes 0-3 RETURN DATA LENGTH, then one descriptor per group:
 * {@code 0 PREF | ASYMMETRIC ACCESS STATE, 1 supported states, 2-3 TARGET PORT GROUP,
 * 5 STATUS CODE, 7 TARGET PORT COUNT}, then 4 bytes per port with the relative port identifier
 * in bytes 2-3.
 *
 * @param groups the reported groups in order
 */
public record TargetPortGroups(List<Group> groups) {
    public TargetPortGroups {
        groups = List.copyOf(groups);
    }

    /** One target port group and the relative port identifiers in it. */
    public record Group(int id, AluaState state, boolean preferred, List<Integer> relativePorts) {
        public Group {
            relativePorts = List.copyOf(relativePorts);
        }
    }

    public static TargetPortGroups parse(byte[] b) {
        if (b.length < 4) {
            throw new IllegalArgumentException("REPORT TARGET PORT GROUPS data of " + b.length
                    + " bytes; at least 4 expected");
        }
        long returnLength = (b[0] & 0xFFL) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        int end = (int) Math.min(b.length, 4 + returnLength);
        List<Group> groups = new ArrayList<>();
        int at = 4;
        while (at + 8 <= end) {
            int count = b[at + 7] & 0xFF;
            List<Integer> ports = new ArrayList<>(count);
            int p = at + 8;
            for (int i = 0; i < count && p + 4 <= end; i++, p += 4) {
                ports.add((b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF));
            }
            groups.add(new Group((b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF),
                    AluaState.of(b[at] & 0x0F), (b[at] & 0x80) != 0, ports));
            at = at + 8 + 4 * count;
        }
        return new TargetPortGroups(groups);
    }

    /** The group with {@code id}, or null. */
    public Group group(int id) {
        for (Group g : groups) {
            if (g.id() == id) {
                return g;
            }
        }
        return null;
    }

    /** The group a relative target port belongs to, or null. */
    public Group groupOfPort(int relativePort) {
        for (Group g : groups) {
            if (g.relativePorts().contains(relativePort)) {
                return g;
            }
        }
        return null;
    }
}
