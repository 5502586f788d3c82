package io.braid.host.pr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * READ FULL STATUS parameter data (SPC-5 "READ FULL STATUS parameter data"): every registration
 * with the I_T nexus it belongs to.
 *
 * @param generation    PRGENERATION
 * @param registrations one per registered I_T nexus (or initiator port with ALL_TG_PT)
 */
public record PrFullStatus(long generation, List<Registration> registrations) {
    public PrFullStatus {
        registrations = List.copyOf(registrations);
    }

    /**
     * One full status descriptor.
     *
     * @param key                  RESERVATION KEY
     * @param allTargetPorts       ALL_TG_PT
     * @param holder               R_HOLDER: this I_T nexus holds the reservation
     * @param type                 the reservation type when {@code holder}, else null
     * @param relativeTargetPortId RELATIVE TARGET PORT IDENTIFIER (0 with ALL_TG_PT)
     * @param initiatorName        the iSCSI name in the TransportID
     * @param isid                 the ISID in the TransportID, or -1 for a name-only TransportID
     */
    public record Registration(long key, boolean allTargetPorts, boolean holder, PrType type,
                               int relativeTargetPortId, String initiatorName, long isid) {

        /** The initiator port as SPC-5 writes it: {@code name,i,0x<isid>}. */
        public String initiatorPort() {
            return isid < 0 ? initiatorName : initiatorName + ",i,0x" + String.format("%012x", isid);
        }

        /** Whether this is the registration of the I_T nexus of initiator {@code name} with {@code isid}. */
        public boolean isNexusOf(String name, long isid) {
            return this.isid == isid && initiatorName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Bound on the descriptors read, whatever the data claims. */
    static final int MAX_REGISTRATIONS = 4096;

    /*
     *  0-3 PRGENERATION   4-7 ADDITIONAL LENGTH (n-7)   then descriptors:
     *  0-7 RESERVATION KEY   12 ALL_TG_PT (1) R_HOLDER (0)   13 SCOPE (7-4) | TYPE (3-0)
     *  18-19 RELATIVE TARGET PORT IDENTIFIER   20-23 ADDITIONAL DESCRIPTOR LENGTH (n-23)
     *  24-n TransportID
     */
    public static PrFullStatus parse(byte[] data) {
        if (data.length < 8) {
            throw new IllegalArgumentException("READ FULL STATUS data of " + data.length + " bytes; at least 8 expected");
        }
        long end = Math.min(data.length, 8 + PrCdbs.u32(data, 4));
        List<Registration> out = new ArrayList<>();
        int at = 8;
        while (at + 24 <= end && out.size() < MAX_REGISTRATIONS) {
            long tidLength = PrCdbs.u32(data, at + 20);
            if (at + 24 + tidLength > end) {
                break; // cut short by the allocation length
            }
            boolean holder = (data[at + 12] & 0x01) != 0;
            String[] tid = transportId(data, at + 24, (int) tidLength);
            out.add(new Registration(PrCdbs.u64(data, at), (data[at + 12] & 0x02) != 0, holder,
                    holder ? PrType.of(data[at + 13] & 0x0F) : null, PrCdbs.u16(data, at + 18), tid[0],
                    tid[1] == null ? -1 : Long.parseLong(tid[1], 16)));
            at += 24 + (int) tidLength;
        }
        return new PrFullStatus(PrCdbs.u32(data, 0), out);
    }

    /*
     * SPC-5 "iSCSI TransportID": 0 FORMAT CODE (7-6: 00b name, 01b name and ISID) | PROTOCOL
     * IDENTIFIER (3-0, 5h)   2-3 ADDITIONAL LENGTH   4-n the name (with ",i,0x" and the ISID in
     * hex for 01b), null terminated and padded.
     */
    private static String[] transportId(byte[] data, int at, int length) {
        if (length < 4 || (data[at] & 0x0F) != 0x5) {
            throw new IllegalArgumentException(String.format(
                    "TransportID of %d bytes with protocol identifier 0x%x; an iSCSI TransportID (5h) expected",
                    length, length < 1 ? -1 : data[at] & 0x0F));
        }
        int textEnd = at + 4;
        while (textEnd < at + length && data[textEnd] != 0) {
            textEnd++;
        }
        String text = new String(data, at + 4, textEnd - at - 4, StandardCharsets.UTF_8);
        int sep = text.toLowerCase(Locale.ROOT).lastIndexOf(",i,0x");
        if ((data[at] & 0xC0) == 0x40 && sep > 0) {
            return new String[] {text.substring(0, sep), text.substring(sep + 5)};
        }
        return new String[] {text, null};
    }
}
