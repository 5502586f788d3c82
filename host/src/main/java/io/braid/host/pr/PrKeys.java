package io.braid.host.pr;

import java.util.ArrayList;
import java.util.List;

/**
 * READ KEYS parameter data (SPC-5 "READ KEYS parameter data"): the generation and one key per
 * registered I_T nexus.
 *
 * @param generation PRGENERATION
 * @param keys       the registered keys, one per registration (a key may repeat)
 */
public record PrKeys(long generation, List<Long> keys) {
    public PrKeys {
        keys = List.copyOf(keys);
    }

    /*
     *  0-3 PRGENERATION   4-7 ADDITIONAL LENGTH (n-7)   8-n RESERVATION KEY list, 8 bytes each
     */
    public static PrKeys parse(byte[] data) {
        if (data.length < 8) {
            throw new IllegalArgumentException("READ KEYS data of " + data.length + " bytes; at least 8 expected");
        }
        long length = PrCdbs.u32(data, 4);
        if (length % 8 != 0) {
            throw new IllegalArgumentException("READ KEYS ADDITIONAL LENGTH " + length + " is not a multiple of 8");
        }
        // The list may be cut short by the allocation length: read what arrived.
        long available = Math.min(length, data.length - 8L);
        List<Long> keys = new ArrayList<>();
        for (int at = 8; at + 8 <= 8 + available; at += 8) {
            keys.add(PrCdbs.u64(data, at));
        }
        return new PrKeys(PrCdbs.u32(data, 0), keys);
    }

    /** Whether {@code key} is registered through at least one I_T nexus. */
    public boolean contains(long key) {
        return keys.contains(key);
    }
}
