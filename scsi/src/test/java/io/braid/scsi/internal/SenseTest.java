package io.braid.scsi.internal;

import io.braid.scsi.SenseKey;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SenseTest {

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    @Test
    void fixedFormatWithoutExtras() {
        byte[] b = Sense.of(SenseCode.INVALID_COMMAND_OPERATION_CODE).encode(SenseFormat.FIXED);
        // 70 (current, VALID 0), obsolete, key 5, info 0, additional length 0A, cmd-specific 0,
        // ASC 20, ASCQ 00, FRU 0, sense key specific 0.
        assertThat(hex(b)).isEqualTo("70 00 05 00 00 00 00 0a 00 00 00 00 20 00 00 00 00 00");
    }

    @Test
    void fixedFormatFieldPointerWithBit() {
        byte[] b = Sense.of(SenseCode.INVALID_FIELD_IN_CDB, FieldPointer.cdb(2, 7)).encode(SenseFormat.FIXED);
        // byte 15: SKSV 80 | C/D 40 | BPV 08 | bit 7 = CF; field pointer 0002.
        assertThat(hex(b)).isEqualTo("70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 cf 00 02");
    }

    @Test
    void fixedFormatFieldPointerWholeByteAndParameterList() {
        byte[] cdb = Sense.of(SenseCode.INVALID_FIELD_IN_CDB, FieldPointer.cdb(300, -1)).encode(SenseFormat.FIXED);
        assertThat(hex(cdb).substring(45)).isEqualTo("c0 01 2c");
        byte[] param = Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameterList(4, 0))
                .encode(SenseFormat.FIXED);
        assertThat(hex(param).substring(45)).isEqualTo("88 00 04");
    }

    @Test
    void fixedFormatInformationSetsValid() {
        byte[] b = Sense.of(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION).withInformation(0x01020304L)
                .encode(SenseFormat.FIXED);
        assertThat(hex(b)).isEqualTo("f0 00 0e 01 02 03 04 0a 00 00 00 00 1d 00 00 00 00 00");
    }

    @Test
    void fixedFormatInformationTooWideLeavesValidClear() {
        byte[] b = Sense.of(SenseCode.UNRECOVERED_READ_ERROR).withInformation(0x1_0000_0000L).encode(SenseFormat.FIXED);
        assertThat(hex(b)).isEqualTo("70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00");
    }

    @Test
    void descriptorFormatPlain() {
        byte[] b = Sense.of(SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED).encode(SenseFormat.DESCRIPTOR);
        assertThat(hex(b)).isEqualTo("72 06 29 03 00 00 00 00");
    }

    @Test
    void descriptorFormatWithInformationAndFieldPointer() {
        byte[] b = new Sense(SenseCode.INVALID_FIELD_IN_CDB, FieldPointer.cdb(1, 4), java.util.OptionalLong.of(0x1_0000_0002L))
                .encode(SenseFormat.DESCRIPTOR);
        assertThat(hex(b)).isEqualTo("72 05 24 00 00 00 00 14"
                // information descriptor: type 00, length 0A, VALID, reserved, 8-byte value
                + " 00 0a 80 00 00 00 00 01 00 00 00 02"
                // sense key specific descriptor: type 02, length 06, 2 reserved, SKS, reserved
                + " 02 06 00 00 cc 00 01 00");
    }

    @Test
    void fieldPointerRangesAreChecked() {
        assertThatThrownBy(() -> FieldPointer.cdb(0x10000, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldPointer.cdb(1, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkConditionDescribesItself() {
        assertThat(CheckCondition.invalidFieldInCdb(2, 7).getMessage()).isEqualTo("INVALID_FIELD_IN_CDB at CDB byte 2 bit 7");
        assertThat(CheckCondition.invalidFieldInCdb(2, 7).getStackTrace()).isEmpty();
    }

    @Test
    void everyUnitAttentionCodeHasTheUnitAttentionKey() {
        for (SenseCode c : SenseCode.values()) {
            if (c.asc() == 0x29 || c.asc() == 0x2A || c.asc() == 0x2F || c.asc() == 0x3F) {
                assertThat(c.key()).as(c.name()).isEqualTo(SenseKey.UNIT_ATTENTION);
            }
        }
    }
}
