package io.braid.host.scsi;

import java.util.ArrayList;
import java.util.List;

/**
 * REPORT LUNS parameter data (SPC-5 "REPORT LUNS parameter data format"): bytes 0-3 LUN LIST
 * LENGTH, 4-7 reserved, then 8-byte LUN fields.
 *
 * @param luns        the LUN numbers this initiator can address, in reported order
 * @param listLength  LUN LIST LENGTH in bytes, which may exceed what was transferred
 * @param unsupported LUN fields whose addressing method {@link SamLun} does not decode
 */
public record ReportLuns(List<Integer> luns, long listLength, int unsupported) {
    public ReportLuns {
        luns = List.copyOf(luns);
    }

    public static ReportLuns parse(byte[] b) {
        if (b.length < 8) {
            throw new IllegalArgumentException("REPORT LUNS data of " + b.length + " bytes; at least 8 expected");
        }
        long listLength = (b[0] & 0xFFL) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        long available = Math.min(listLength, b.length - 8L);
        List<Integer> luns = new ArrayList<>();
        int unsupported = 0;
        for (int at = 8; at + 8 <= 8 + available; at += 8) {
            long field = 0;
            for (int i = 0; i < 8; i++) {
                field = field << 8 | (b[at + i] & 0xFF);
            }
            int lun = SamLun.decode(field);
            if (lun < 0) {
                unsupported++;
            } else if (!luns.contains(lun)) {
                luns.add(lun);
            }
        }
        return new ReportLuns(luns, listLength, unsupported);
    }

    /** Whether the list was longer than the allocation length let through. */
    public boolean truncated(int transferred) {
        return listLength > transferred - 8L;
    }
}
