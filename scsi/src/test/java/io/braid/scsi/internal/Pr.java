package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.TaskAttribute;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PERSISTENT RESERVE IN/OUT as an initiator builds them, run through a {@link Harness}. */
final class Pr {

    static final int WE = 1;
    static final int EA = 3;
    static final int WERO = 5;
    static final int EARO = 6;
    static final int WEAR = 7;
    static final int EAAR = 8;
    static final int[] TYPES = {WE, EA, WERO, EARO, WEAR, EAAR};

    /** A second path of host A: the same initiator port through target port 2. */
    static final Nexus NEXUS_A2 = new Nexus(Harness.NEXUS_A.initiatorPort(), Harness.NEXUS_A.initiatorName(),
            "iqn.2024-01.io.braid:t0,t,0x0002", 2, 1);
    /** Host C through target port 1. */
    static final Nexus NEXUS_C = new Nexus("iqn.2024-01.test:host-c,i,0x400001370002", "iqn.2024-01.test:host-c",
            "iqn.2024-01.io.braid:t0,t,0x0001", 1, 0);

    private final Harness h;

    Pr(Harness h) {
        this.h = h;
    }

    Harness.Reply out(Nexus n, int sa, int type, long key, long saKey) {
        return out(n, sa, type, basic(key, saKey, 0));
    }

    Harness.Reply out(Nexus n, int sa, int type, byte[] list) {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) sa;
        cdb[2] = (byte) type;
        BigEndian.put32(cdb, 5, list.length);
        return h.run(n, 0, cdb, Unpooled.wrappedBuffer(list), TaskAttribute.SIMPLE);
    }

    /** A basic parameter list; {@code flags} is byte 20 (SPEC_I_PT 08h, ALL_TG_PT 04h, APTPL 01h). */
    static byte[] basic(long key, long saKey, int flags) {
        byte[] b = new byte[24];
        BigEndian.put64(b, 0, key);
        BigEndian.put64(b, 8, saKey);
        b[20] = (byte) flags;
        return b;
    }

    /** A SPEC_I_PT list: the basic list, TRANSPORTID PARAMETER DATA LENGTH, the TransportIDs. */
    static byte[] specIPt(long key, long saKey, int flags, byte[]... tids) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (byte[] tid : tids) {
            t.writeBytes(tid);
        }
        ByteBuffer b = ByteBuffer.allocate(28 + t.size());
        b.put(basic(key, saKey, flags | 0x08)).putInt(t.size()).put(t.toByteArray());
        return b.array();
    }

    /** A REGISTER AND MOVE list. */
    static byte[] move(long key, long saKey, boolean unreg, int rtpi, byte[] tid) {
        ByteBuffer b = ByteBuffer.allocate(24 + tid.length);
        b.putLong(key).putLong(saKey).put((byte) 0).put((byte) (unreg ? 2 : 0)).putShort((short) rtpi)
                .putInt(tid.length).put(tid);
        return b.array();
    }

    Harness.Reply in(Nexus n, int sa) {
        return h.run(n, 0, Harness.cdb(String.format("5e %02x 00 00 00 00 00 40 00 00", sa)), null, TaskAttribute.SIMPLE);
    }

    void good(Harness.Reply r) {
        assertThat(r.status()).as("status").isEqualTo(ScsiResult.GOOD);
    }

    void conflict(Harness.Reply r) {
        assertThat(r.status()).as("status").isEqualTo(ScsiResult.RESERVATION_CONFLICT);
        assertThat(r.sense()).isNull();
    }

    void register(Nexus n, long key) {
        good(out(n, 0x06, 0, 0, key));
    }

    void reserve(Nexus n, long key, int type) {
        good(out(n, 0x01, type, key, 0));
    }

    List<Long> keys(Nexus n) {
        Harness.Reply r = in(n, 0);
        good(r);
        int len = (int) BigEndian.u32(r.data(), 4);
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < len / 8; i++) {
            keys.add(BigEndian.u64(r.data(), 8 + 8 * i));
        }
        return keys;
    }

    int generation(Nexus n) {
        Harness.Reply r = in(n, 0);
        good(r);
        return (int) BigEndian.u32(r.data(), 0);
    }

    /** READ RESERVATION: {key, type}, or null when there is none. */
    long[] reservation(Nexus n) {
        Harness.Reply r = in(n, 1);
        good(r);
        if (BigEndian.u32(r.data(), 4) == 0) {
            assertThat(r.data()).hasSize(8);
            return null;
        }
        assertThat(BigEndian.u32(r.data(), 4)).isEqualTo(16);
        return new long[] {BigEndian.u64(r.data(), 8), r.data()[21] & 0x0F};
    }

    Harness.Reply read(Nexus n) {
        return h.run(n, 0, Harness.cdb("28 00 00 00 00 01 00 00 01 00"), null, TaskAttribute.SIMPLE);
    }

    Harness.Reply write(Nexus n) {
        return h.run(n, 0, Harness.cdb("2a 00 00 00 00 01 00 00 01 00"), Unpooled.wrappedBuffer(new byte[512]),
                TaskAttribute.SIMPLE);
    }

    Harness.Reply tur(Nexus n) {
        return h.run(n, 0, Harness.cdb("00 00 00 00 00 00"), null, TaskAttribute.SIMPLE);
    }

    /** ASC/ASCQ of the unit attention TEST UNIT READY reports, or -1 when it is GOOD. */
    int pendingUa(Nexus n) {
        Harness.Reply r = tur(n);
        if (r.status() == ScsiResult.GOOD) {
            return -1;
        }
        assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(r.senseKey()).isEqualTo(0x6);
        return r.asc() << 8 | r.ascq();
    }
}
