package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact checks of fixed format sense data (SPC-5 "Fixed format sense data"). */
final class SenseAssert {

    private SenseAssert() {
    }

    /** CHECK CONDITION with fixed sense of exactly this key/ASC/ASCQ and no sense key specific data. */
    static void assertCheckCondition(Harness.Reply r, int key, int asc, int ascq) {
        assertSense(r, key, asc, ascq);
        assertThat(r.sense()[15]).as("SKSV").isZero();
        assertThat(r.sense()[16]).isZero();
        assertThat(r.sense()[17]).isZero();
    }

    /** CHECK CONDITION with fixed sense and a CDB field pointer at byte/bit (bit -1: no bit pointer). */
    static void assertInvalidField(Harness.Reply r, int key, int asc, int ascq, int byteIndex, int bit) {
        assertSense(r, key, asc, ascq);
        int expected = 0x80 | 0x40 | (bit >= 0 ? 0x08 | bit : 0);
        assertThat(r.sense()[15] & 0xFF).as("SKSV|C/D|BPV|bit").isEqualTo(expected);
        assertThat(((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF)).as("field pointer").isEqualTo(byteIndex);
    }

    /** ILLEGAL REQUEST / INVALID FIELD IN CDB at byte/bit. */
    static void assertInvalidFieldInCdb(Harness.Reply r, int byteIndex, int bit) {
        assertInvalidField(r, 0x5, 0x24, 0x00, byteIndex, bit);
    }

    private static void assertSense(Harness.Reply r, int key, int asc, int ascq) {
        assertThat(r.status()).as("status").isEqualTo(ScsiResult.CHECK_CONDITION);
        byte[] s = r.sense();
        assertThat(s).hasSize(18);
        assertThat(s[0] & 0x7F).as("response code").isEqualTo(0x70);
        assertThat(s[2] & 0xFF).as("sense key").isEqualTo(key);
        assertThat(s[7] & 0xFF).as("additional sense length").isEqualTo(10);
        assertThat(s[12] & 0xFF).as("ASC").isEqualTo(asc);
        assertThat(s[13] & 0xFF).as("ASCQ").isEqualTo(ascq);
    }
}
