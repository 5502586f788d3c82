package io.braid.host.pr;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PERSISTENT RESERVE IN/OUT CDBs, the OUT parameter list and the IN parameter data, byte by byte (SPC-5). */
class PrCdbsTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void persistentReserveOutCarriesServiceActionScopeTypeAndListLength() {
        assertThat(PrCdbs.persistentReserveOut(PrOutAction.RESERVE, PrType.WRITE_EXCLUSIVE))
                .isEqualTo(hex("5f 01 01 00 00 00 00 00 18 00"));
        assertThat(PrCdbs.persistentReserveOut(PrOutAction.PREEMPT_AND_ABORT, PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS))
                .isEqualTo(hex("5f 05 08 00 00 00 00 00 18 00"));
        // REGISTER ignores SCOPE and TYPE: they stay zero whatever is passed.
        assertThat(PrCdbs.persistentReserveOut(PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY, PrType.EXCLUSIVE_ACCESS))
                .isEqualTo(hex("5f 06 00 00 00 00 00 00 18 00"));
        assertThatThrownBy(() -> PrCdbs.persistentReserveOut(PrOutAction.RELEASE, null))
                .hasMessage("RELEASE needs a reservation type");
    }

    @Test
    void parameterListHasBothKeysAndAptpl() {
        assertThat(PrCdbs.parameterList(0x0102030405060708L, 0xA0B0C0D0E0F00010L, true)).isEqualTo(hex(
                "01 02 03 04 05 06 07 08"     // RESERVATION KEY
                        + "a0 b0 c0 d0 e0 f0 00 10" // SERVICE ACTION RESERVATION KEY
                        + "00 00 00 00"             // obsolete
                        + "01 00 00 00"));          // APTPL, reserved, obsolete
    }

    @Test
    void persistentReserveInCarriesServiceActionAndAllocationLength() {
        assertThat(PrCdbs.persistentReserveIn(PrInAction.READ_FULL_STATUS, 0xFFFF))
                .isEqualTo(hex("5e 03 00 00 00 00 00 ff ff 00"));
        assertThatThrownBy(() -> PrCdbs.persistentReserveIn(PrInAction.READ_KEYS, 4))
                .hasMessage("allocation length 4 is out of range 8..65535");
    }

    @Test
    void readKeysAndReadReservationParse() {
        PrKeys k = PrKeys.parse(hex("00 00 00 07 00 00 00 10 00 00 00 00 00 00 0a bc 11 22 33 44 55 66 77 88"));
        assertThat(k.generation()).isEqualTo(7);
        assertThat(k.keys()).containsExactly(0xABCL, 0x1122334455667788L);
        // Cut short by the allocation length: what arrived is read.
        assertThat(PrKeys.parse(hex("00 00 00 07 00 00 00 10 00 00 00 00 00 00 0a bc")).keys()).containsExactly(0xABCL);
        assertThat(PrReservation.parse(hex("00 00 00 02 00 00 00 00")).reserved()).isFalse();
        PrReservation r = PrReservation.parse(hex("00 00 00 02 00 00 00 10 00 00 00 00 00 00 0a bc"
                + " 00 00 00 00 00 05 00 00"));
        assertThat(r).isEqualTo(new PrReservation(2, true, 0xABC, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY));
        assertThatThrownBy(() -> PrKeys.parse(new byte[3])).hasMessage("READ KEYS data of 3 bytes; at least 8 expected");
    }

    @Test
    void readFullStatusParsesTheIscsiTransportId() {
        byte[] tid = "iqn.x:h,i,0x80123456abcd".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] d = new byte[8 + 24 + 4 + 24];
        d[3] = 9;                                   // PRGENERATION
        d[7] = (byte) (24 + 4 + 24);                // ADDITIONAL LENGTH
        d[8 + 7] = 0x42;                            // RESERVATION KEY
        d[8 + 12] = 0x01;                           // R_HOLDER
        d[8 + 13] = 0x03;                           // LU scope, Exclusive Access
        d[8 + 19] = 2;                              // RELATIVE TARGET PORT IDENTIFIER
        d[8 + 23] = 28;                             // ADDITIONAL DESCRIPTOR LENGTH
        d[32] = 0x45;                               // format 01b (name and ISID), iSCSI
        d[35] = 24;                                 // ADDITIONAL LENGTH
        System.arraycopy(tid, 0, d, 36, tid.length);
        PrFullStatus s = PrFullStatus.parse(d);
        assertThat(s.generation()).isEqualTo(9);
        assertThat(s.registrations()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(0x42);
            assertThat(r.holder()).isTrue();
            assertThat(r.type()).isEqualTo(PrType.EXCLUSIVE_ACCESS);
            assertThat(r.relativeTargetPortId()).isEqualTo(2);
            assertThat(r.initiatorName()).isEqualTo("iqn.x:h");
            assertThat(r.isid()).isEqualTo(0x80123456abcdL);
            assertThat(r.isNexusOf("IQN.X:H", 0x80123456abcdL)).isTrue();
            assertThat(r.initiatorPort()).isEqualTo("iqn.x:h,i,0x80123456abcd");
        });
    }

    @Test
    void keysAndTypesParseFromText() {
        assertThat(PrCdbs.parseKey("0xABC")).isEqualTo(0xABC);
        assertThat(PrCdbs.parseKey("123")).isEqualTo(123);
        assertThat(PrCdbs.parseKey("0xffffffffffffffff")).isEqualTo(-1L);
        assertThat(PrCdbs.keyText(0xABC)).isEqualTo("0x0000000000000abc");
        assertThatThrownBy(() -> PrCdbs.parseKey("0x12345678123456789")).hasMessageContaining("is not 0x and 1..16 hex");
        assertThatThrownBy(() -> PrCdbs.parseKey("abc")).hasMessageContaining("is not 0x");
        assertThat(PrType.parse("wr-ex-ro")).isEqualTo(PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
        assertThat(PrType.parse("EXCLUSIVE_ACCESS")).isEqualTo(PrType.EXCLUSIVE_ACCESS);
        assertThatThrownBy(() -> PrType.parse("shared")).hasMessageContaining("is not one of [wr-ex, ex-ac");
    }
}
