package io.braid.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.iscsi.pdu.GoldenPdus.Golden;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The trace line: exact text, one line, and no data segment content ever. */
class PduLogTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void noLeaks() {
        alloc.assertAllReleased();
    }

    private String format(boolean inbound, Golden golden) {
        Pdu pdu = golden.pdu().apply(alloc);
        String line = PduLog.format(inbound, pdu);
        pdu.release();
        return line;
    }

    @Test
    void scsiCommandShowsTheCdbAtItsOwnLength() {
        assertThat(format(true, GoldenPdus.scsiCommandRead10())).isEqualTo(
                "<< SCSI_CMD itt=0x00000101 flags=FR attr=1 cmdSn=258 expStatSn=259"
                        + " lun=0x0001000000000000 edtl=4096 cdb=28000000100000000800 len=0");
    }

    @Test
    void variableLengthCdbAndBidiLengthAreShown() {
        assertThat(format(true, GoldenPdus.scsiCommandWithAhs())).isEqualTo(
                "<< SCSI_CMD itt=0x00000201 flags=IFRW attr=2 cmdSn=514 expStatSn=515"
                        + " lun=0x0001000000000000 edtl=6 cdb=7f0000000000000a000d0000000000000102"
                        + " bidiReadLength=65536 len=6");
    }

    @Test
    void outboundDataInWithStatus() {
        assertThat(format(false, GoldenPdus.dataIn())).isEqualTo(
                ">> DATA_IN itt=0x00000e01 flags=FAUS ttt=0x00000e04 lun=0x0001000000000000"
                        + " statSn=3586 expCmdSn=3587 maxCmdSn=3603 dataSn=3 offset=1536"
                        + " status=0x00 residual=250 len=6");
    }

    @Test
    void loginLinesShowStagesAndStatusButNoKeys() {
        assertThat(format(true, GoldenPdus.loginRequest())).isEqualTo(
                "<< LOGIN_REQ itt=0x00000401 flags=T csg=1 nsg=3 isid=0x00023d000001 tsih=0 cid=7"
                        + " cmdSn=1026 expStatSn=1027 versions=0-0 len=18");
        assertThat(format(false, GoldenPdus.loginResponse())).isEqualTo(
                ">> LOGIN_RSP itt=0x00000c01 flags=T csg=0 nsg=1 isid=0x00023d000001 tsih=4660"
                        + " statSn=3074 expCmdSn=3075 maxCmdSn=3091 status=0x0201 version=0"
                        + " len=23");
    }

    @Test
    void rejectNamesTheRejectedPdu() {
        assertThat(format(false, GoldenPdus.reject())).isEqualTo(
                ">> REJECT reason=0x05 statSn=4610 expCmdSn=4611 maxCmdSn=4627 dataSn=0"
                        + " rejectedOpcode=0x1c rejectedItt=0x00001201 len=48");
    }

    @Test
    void sequenceNumbersAreUnsigned() {
        NopOut nop = new NopOut(false, 0, 7, Pdu.RESERVED_TAG, 0xffff_fffe, 0x8000_0000,
                Unpooled.EMPTY_BUFFER);
        assertThat(PduLog.format(nop)).isEqualTo("NOP_OUT itt=0x00000007 ttt=0xffffffff"
                + " lun=0x0000000000000000 cmdSn=4294967294 expStatSn=2147483648 len=0");
    }

    @Test
    void chapSecretsInLoginAndTextDataAreNeverPrinted() {
        String secret = "CHAP_N=alice\0CHAP_R=0x3f9a8b7c6d5e4f30\0";
        ByteBuf keys = alloc.wrap(secret.getBytes(StandardCharsets.US_ASCII));
        LoginRequest login = new LoginRequest(true, false, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1,
                keys.retainedDuplicate());
        TextResponse text = new TextResponse(true, false, 0, 1, 2, 3, 4, 5, keys);

        for (Pdu pdu : List.of(login, text)) {
            String line = PduLog.format(pdu);
            assertThat(line).doesNotContain("CHAP").doesNotContain("alice")
                    .doesNotContain("3f9a8b7c").endsWith(" len=" + secret.length());
            pdu.release();
        }
        assertThat(keys.refCnt()).isZero();
    }

    static List<Golden> goldens() {
        return GoldenPdus.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void everyPduIsOneLineEndingWithItsDataLength(Golden golden) {
        Pdu pdu = golden.pdu().apply(alloc);
        String line = PduLog.format(pdu);
        assertThat(line).doesNotContain("\n").endsWith(" len=" + pdu.data().readableBytes());
        pdu.release();
    }

    @Test
    void invalidPduLine() {
        ByteBuf header = alloc.wrap(GoldenPdus.REJECTED_HEADER);
        InvalidPdu invalid = new InvalidPdu(header, Reject.COMMAND_NOT_SUPPORTED,
                "Opcode 0x1c is not supported; expected one of RFC 7143 11.2.1.2");
        assertThat(PduLog.format(invalid)).isEqualTo("INVALID opcode=0x1c itt=0x00001201"
                + " reason=0x05 error=Opcode 0x1c is not supported; expected one of RFC 7143"
                + " 11.2.1.2");
        invalid.release();
    }

    @Test
    void cdbLengthFollowsTheOperationCodeGroup() {
        assertThat(PduLog.cdbLength(new byte[16])).isEqualTo(6);          // TEST UNIT READY
        assertThat(PduLog.cdbLength(cdb(0x28))).isEqualTo(10);            // READ(10)
        assertThat(PduLog.cdbLength(cdb(0x5a))).isEqualTo(10);            // MODE SENSE(10)
        assertThat(PduLog.cdbLength(cdb(0x88))).isEqualTo(16);            // READ(16)
        assertThat(PduLog.cdbLength(cdb(0xa0))).isEqualTo(12);            // REPORT LUNS
        assertThat(PduLog.cdbLength(cdb(0xc0))).isEqualTo(16);            // vendor: all of it
    }

    private static byte[] cdb(int opcode) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        return cdb;
    }
}
