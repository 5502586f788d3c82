package io.braid.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Objects;

/** Compares PDU records component by component: CDBs by content, data segments by bytes. */
final class PduAssert {
    private PduAssert() {
    }

    static void assertPdu(Pdu actual, Pdu expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            Object a = get(c, actual);
            Object e = get(c, expected);
            String name = expected.getClass().getSimpleName() + "." + c.getName();
            if (e instanceof byte[] eb) {
                assertThat((byte[]) a).as(name).isEqualTo(eb);
            } else if (e instanceof ByteBuf eb) {
                assertThat(ByteBufUtil.hexDump((ByteBuf) a)).as(name)
                        .isEqualTo(ByteBufUtil.hexDump(eb));
            } else {
                assertThat(Objects.equals(a, e)).as(name + ": " + a + " vs " + e).isTrue();
            }
        }
    }

    private static Object get(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
