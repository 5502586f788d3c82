package io.braid.host.pr;

/**
 * READ RESERVATION parameter data (SPC-5 "READ RESERVATION parameter data").
 *
 * @param generation PRGENERATION
 * @param reserved   whether a persistent reservation exists
 * @param key        the holder's key (0 for an all registrants type), 0 when none
 * @param type       the reservation type, null when none
 */
public record PrReservation(long generation, boolean reserved, long key, PrType type) {

    /*
     *  0-3 PRGENERATION   4-7 ADDITIONAL LENGTH (0 or 10h)
     *  8-15 RESERVATION KEY   16-19 obsolete   20 reserved   21 SCOPE (7-4) | TYPE (3-0)
     */
    public static PrReservation parse(byte[] data) {
        if (data.length < 8) {
            throw new IllegalArgumentException("READ RESERVATION data of " + data.length + " bytes; at least 8 expected");
        }
        long generation = PrCdbs.u32(data, 0);
        long length = PrCdbs.u32(data, 4);
        if (length == 0) {
            return new PrReservation(generation, false, 0, null);
        }
        if (length < 16 || data.length < 22) {
            throw new IllegalArgumentException("READ RESERVATION with ADDITIONAL LENGTH " + length + " and "
                    + data.length + " bytes; 16 and 24 expected");
        }
        return new PrReservation(generation, true, PrCdbs.u64(data, 8), PrType.of(data[21] & 0x0F));
    }
}
