package io.braid.iscsi.pdu;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * One golden vector per PDU type (RFC 7143 11), the expected bytes written field by field. Field
 * values differ from each other so that a field read from the wrong offset shows up.
 */
final class GoldenPdus {
    private GoldenPdus() {
    }

    /** A PDU, the side that receives it, and its exact wire form (no digests). */
    record Golden(String name, Side receiver, Function<TrackingAllocator, Pdu> pdu, byte[] wire) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final long LUN_1 = 0x0001_0000_0000_0000L;
    static final long ISID = 0x0002_3d00_0001L;

    static List<Golden> all() {
        return List.of(nopOut(), scsiCommandRead10(), scsiCommandWithAhs(), taskMgmtRequest(),
                loginRequest(), textRequest(), dataOut(), logoutRequest(), snack(), nopIn(),
                scsiResponse(), taskMgmtResponse(), loginResponse(), textResponse(), dataIn(),
                logoutResponse(), readyToTransfer(), asyncMessage(), reject());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Golden nopOut() {
        byte[] ping = ascii("ping!");
        byte[] wire = new Wire()
                .u8(0x40)                 // .|I| opcode 0x00: immediate NOP-Out
                .u8(0x80)                 // F=1, reserved
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(5)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0x0000_000a)         // Initiator Task Tag
                .u32(0xffff_ffffL)        // Target Transfer Tag: not an answer to a NOP-In
                .u32(0x0000_0010)         // CmdSN
                .u32(0x0000_0020)         // ExpStatSN
                .zeros(16)                // reserved
                .bytes(ping)              // ping data
                .zeros(3)                 // padding to 4 bytes
                .toBytes();
        return new Golden("NOP-Out", Side.TARGET, a -> new NopOut(true, LUN_1, 0x0a,
                Pdu.RESERVED_TAG, 0x10, 0x20, a.wrap(ping)), wire);
    }

    static final byte[] READ_10_CDB = Wire.hex("28 00 00 00 10 00 00 00 08 00 00 00 00 00 00 00");

    static Golden scsiCommandRead10() {
        byte[] wire = new Wire()
                .u8(0x01)                 // .|I=0| opcode 0x01: SCSI Command
                .u8(0xc1)                 // F=1 R=1 W=0, ATTR=1 (simple)
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0x0000_0101)         // Initiator Task Tag
                .u32(4096)                // Expected Data Transfer Length: 8 blocks of 512
                .u32(0x0000_0102)         // CmdSN
                .u32(0x0000_0103)         // ExpStatSN
                .bytes(READ_10_CDB)       // CDB: READ(10) LBA 0x1000, 8 blocks, zero-filled
                .toBytes();
        return new Golden("SCSI Command READ(10)", Side.TARGET,
                a -> new ScsiCommand(false, true, true, false, 1, LUN_1, 0x101, 4096, 0x102,
                        0x103, READ_10_CDB.clone(), -1, a.wrap(new byte[0])), wire);
    }

    /** 18 bytes: the Extended CDB AHS carries 2 of them and 2 bytes of padding. */
    static final byte[] LONG_CDB = Wire.hex(
            "7f 00 00 00 00 00 00 0a 00 0d 00 00 00 00 00 00 01 02");

    static Golden scsiCommandWithAhs() {
        byte[] immediate = ascii("abcdef");
        byte[] wire = new Wire()
                .u8(0x41)                 // .|I=1| opcode 0x01: immediate SCSI Command
                .u8(0xe2)                 // F=1 R=1 W=1 (bidirectional), ATTR=2 (ordered)
                .zeros(2)                 // reserved
                .u8(4)                    // TotalAHSLength: 4 words = 8 + 8 bytes
                .u24(6)                   // DataSegmentLength: immediate data
                .u64(LUN_1)               // LUN
                .u32(0x0000_0201)         // Initiator Task Tag
                .u32(6)                   // Expected Data Transfer Length (write part)
                .u32(0x0000_0202)         // CmdSN
                .u32(0x0000_0203)         // ExpStatSN
                .bytes(java.util.Arrays.copyOf(LONG_CDB, 16)) // first 16 CDB bytes
                .u16(3)                   // AHS 1 AHSLength: CDB length 18 - 15
                .u8(1)                    // AHSType 1: Extended CDB
                .u8(0)                    // reserved
                .u8(0x01).u8(0x02)        // CDB bytes 16 and 17
                .zeros(2)                 // AHS padding
                .u16(5)                   // AHS 2 AHSLength: always 5
                .u8(2)                    // AHSType 2: Bidirectional Read Expected DTL
                .u8(0)                    // reserved
                .u32(0x0001_0000)         // Bidirectional Read Expected Data Transfer Length
                .bytes(immediate)         // immediate data
                .zeros(2)                 // padding
                .toBytes();
        return new Golden("SCSI Command with Extended CDB and bidi AHS", Side.TARGET,
                a -> new ScsiCommand(true, true, true, true, 2, LUN_1, 0x201, 6, 0x202, 0x203,
                        LONG_CDB.clone(), 0x10000, a.wrap(immediate)), wire);
    }

    static Golden taskMgmtRequest() {
        byte[] wire = new Wire()
                .u8(0x42)                 // .|I=1| opcode 0x02: Task Management Request
                .u8(0x81)                 // F=1, Function 1: ABORT TASK
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0x0000_0301)         // Initiator Task Tag
                .u32(0x0000_0101)         // Referenced Task Tag
                .u32(0x0000_0302)         // CmdSN
                .u32(0x0000_0303)         // ExpStatSN
                .u32(0x0000_0102)         // RefCmdSN
                .u32(0x0000_0304)         // ExpDataSN
                .zeros(8)                 // reserved
                .toBytes();
        return new Golden("Task Management Request", Side.TARGET,
                a -> new TaskMgmtRequest(true, 1, LUN_1, 0x301, 0x101, 0x302, 0x303, 0x102,
                        0x304), wire);
    }

    static final byte[] LOGIN_TEXT = ascii("HeaderDigest=None\0");

    static Golden loginRequest() {
        byte[] wire = new Wire()
                .u8(0x43)                 // .|1| opcode 0x03: Login Request, I always 1
                .u8(0x87)                 // T=1 C=0, CSG=1 (operational), NSG=3 (full feature)
                .u8(0x00)                 // Version-max
                .u8(0x00)                 // Version-min
                .u8(0)                    // TotalAHSLength
                .u24(18)                  // DataSegmentLength
                .u48(ISID)                // ISID: type 0 OUI format, qualifier 1
                .u16(0x0000)              // TSIH: new session
                .u32(0x0000_0401)         // Initiator Task Tag
                .u16(0x0007)              // CID
                .zeros(2)                 // reserved
                .u32(0x0000_0402)         // CmdSN
                .u32(0x0000_0403)         // ExpStatSN
                .zeros(16)                // reserved
                .bytes(LOGIN_TEXT)        // key=value text
                .zeros(2)                 // padding
                .toBytes();
        return new Golden("Login Request", Side.TARGET,
                a -> new LoginRequest(true, false, 1, 3, 0, 0, ISID, 0, 0x401, 7, 0x402, 0x403,
                        a.wrap(LOGIN_TEXT)), wire);
    }

    static final byte[] SEND_TARGETS = ascii("SendTargets=All\0");

    static Golden textRequest() {
        byte[] wire = new Wire()
                .u8(0x44)                 // .|I=1| opcode 0x04: Text Request
                .u8(0x80)                 // F=1 C=0
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(16)                  // DataSegmentLength, no padding needed
                .u64(0)                   // LUN: reserved
                .u32(0x0000_0501)         // Initiator Task Tag
                .u32(0xffff_ffffL)        // Target Transfer Tag: new request
                .u32(0x0000_0502)         // CmdSN
                .u32(0x0000_0503)         // ExpStatSN
                .zeros(16)                // reserved
                .bytes(SEND_TARGETS)      // key=value text
                .toBytes();
        return new Golden("Text Request", Side.TARGET,
                a -> new TextRequest(true, true, false, 0, 0x501, Pdu.RESERVED_TAG, 0x502, 0x503,
                        a.wrap(SEND_TARGETS)), wire);
    }

    static Golden dataOut() {
        byte[] payload = Wire.hex("00 11 22 33 44 55 66 77");
        byte[] wire = new Wire()
                .u8(0x05)                 // .|.| opcode 0x05: SCSI Data-Out
                .u8(0x80)                 // F=1
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(8)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0x0000_0601)         // Initiator Task Tag
                .u32(0x0000_0602)         // Target Transfer Tag from the R2T
                .zeros(4)                 // reserved
                .u32(0x0000_0603)         // ExpStatSN
                .zeros(4)                 // reserved
                .u32(0x0000_0004)         // DataSN
                .u32(0x0000_2000)         // Buffer Offset
                .zeros(4)                 // reserved
                .bytes(payload)           // data
                .toBytes();
        return new Golden("Data-Out", Side.TARGET,
                a -> new DataOut(true, LUN_1, 0x601, 0x602, 0x603, 4, 0x2000, a.wrap(payload)),
                wire);
    }

    static Golden logoutRequest() {
        byte[] wire = new Wire()
                .u8(0x46)                 // .|I=1| opcode 0x06: Logout Request
                .u8(0x81)                 // F=1, Reason Code 1: close the connection
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .zeros(8)                 // reserved
                .u32(0x0000_0701)         // Initiator Task Tag
                .u16(0x0007)              // CID
                .zeros(2)                 // reserved
                .u32(0x0000_0702)         // CmdSN
                .u32(0x0000_0703)         // ExpStatSN
                .zeros(16)                // reserved
                .toBytes();
        return new Golden("Logout Request", Side.TARGET,
                a -> new LogoutRequest(true, 1, 0x701, 7, 0x702, 0x703), wire);
    }

    static Golden snack() {
        byte[] wire = new Wire()
                .u8(0x10)                 // .|.| opcode 0x10: SNACK Request
                .u8(0x81)                 // F=1, Type 1: Status SNACK
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0xffff_ffffL)        // Initiator Task Tag: reserved for Status SNACK
                .u32(0x0000_0801)         // SNACK Tag
                .zeros(4)                 // reserved
                .u32(0x0000_0802)         // ExpStatSN
                .zeros(8)                 // reserved
                .u32(0x0000_0803)         // BegRun
                .u32(0x0000_0002)         // RunLength
                .toBytes();
        return new Golden("SNACK", Side.TARGET,
                a -> new Snack(1, LUN_1, Pdu.RESERVED_TAG, 0x801, 0x802, 0x803, 2), wire);
    }

    static Golden nopIn() {
        byte[] wire = new Wire()
                .u8(0x20)                 // .|.| opcode 0x20: NOP-In
                .u8(0x80)                 // F=1
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .u64(0)                   // LUN
                .u32(0xffff_ffffL)        // Initiator Task Tag: the target's own ping
                .u32(0x0000_0901)         // Target Transfer Tag to echo
                .u32(0x0000_0902)         // StatSN
                .u32(0x0000_0903)         // ExpCmdSN
                .u32(0x0000_0913)         // MaxCmdSN
                .zeros(12)                // reserved
                .toBytes();
        return new Golden("NOP-In", Side.INITIATOR,
                a -> new NopIn(0, Pdu.RESERVED_TAG, 0x901, 0x902, 0x903, 0x913,
                        a.wrap(new byte[0])), wire);
    }

    /** SenseLength 18, then fixed-format sense: ILLEGAL REQUEST, LBA OUT OF RANGE. */
    static final byte[] SENSE = Wire.hex(
            "00 12  70 00 05 00 00 00 00 0a 00 00 00 00 21 00 00 00 00 00");

    static Golden scsiResponse() {
        byte[] wire = new Wire()
                .u8(0x21)                 // .|.| opcode 0x21: SCSI Response
                .u8(0x92)                 // 1, o=1 u=0 O=0 U=1
                .u8(0x00)                 // Response: command completed at target
                .u8(0x02)                 // Status: CHECK CONDITION
                .u8(0)                    // TotalAHSLength
                .u24(20)                  // DataSegmentLength: sense, no padding needed
                .zeros(8)                 // reserved
                .u32(0x0000_0a01)         // Initiator Task Tag
                .u32(0x0000_0000)         // SNACK Tag
                .u32(0x0000_0a02)         // StatSN
                .u32(0x0000_0a03)         // ExpCmdSN
                .u32(0x0000_0a13)         // MaxCmdSN
                .u32(0x0000_0005)         // ExpDataSN
                .u32(0x0000_0200)         // Bidirectional Read Residual Count
                .u32(0x0000_1000)         // Residual Count
                .bytes(SENSE)             // SenseLength + sense data
                .toBytes();
        return new Golden("SCSI Response", Side.INITIATOR,
                a -> new ScsiResponse(true, false, false, true, 0, 2, 0xa01, 0, 0xa02, 0xa03,
                        0xa13, 5, 0x200, 0x1000, a.wrap(SENSE)), wire);
    }

    static Golden taskMgmtResponse() {
        byte[] wire = new Wire()
                .u8(0x22)                 // .|.| opcode 0x22: Task Management Response
                .u8(0x80)                 // 1, reserved
                .u8(0x05)                 // Response 5: function not supported
                .u8(0x00)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .zeros(8)                 // reserved
                .u32(0x0000_0b01)         // Initiator Task Tag
                .zeros(4)                 // reserved
                .u32(0x0000_0b02)         // StatSN
                .u32(0x0000_0b03)         // ExpCmdSN
                .u32(0x0000_0b13)         // MaxCmdSN
                .zeros(12)                // reserved
                .toBytes();
        return new Golden("Task Management Response", Side.INITIATOR,
                a -> new TaskMgmtResponse(5, 0xb01, 0xb02, 0xb03, 0xb13), wire);
    }

    static final byte[] LOGIN_ANSWER = ascii("TargetPortalGroupTag=1\0");

    static Golden loginResponse() {
        byte[] wire = new Wire()
                .u8(0x23)                 // .|.| opcode 0x23: Login Response
                .u8(0x81)                 // T=1 C=0, CSG=0 (security), NSG=1 (operational)
                .u8(0x00)                 // Version-max
                .u8(0x00)                 // Version-active
                .u8(0)                    // TotalAHSLength
                .u24(23)                  // DataSegmentLength
                .u48(ISID)                // ISID echoed
                .u16(0x1234)              // TSIH
                .u32(0x0000_0c01)         // Initiator Task Tag
                .zeros(4)                 // reserved
                .u32(0x0000_0c02)         // StatSN
                .u32(0x0000_0c03)         // ExpCmdSN
                .u32(0x0000_0c13)         // MaxCmdSN
                .u8(0x02)                 // Status-Class: initiator error
                .u8(0x01)                 // Status-Detail: authentication failure
                .zeros(2)                 // reserved
                .zeros(8)                 // reserved
                .bytes(LOGIN_ANSWER)      // key=value text
                .zeros(1)                 // padding
                .toBytes();
        return new Golden("Login Response", Side.INITIATOR,
                a -> new LoginResponse(true, false, 0, 1, 0, 0, ISID, 0x1234, 0xc01, 0xc02, 0xc03,
                        0xc13, 2, 1, a.wrap(LOGIN_ANSWER)), wire);
    }

    static final byte[] TARGET_NAME = ascii("TargetName=iqn.2025-01.io.braid:v0\0");

    static Golden textResponse() {
        byte[] wire = new Wire()
                .u8(0x24)                 // .|.| opcode 0x24: Text Response
                .u8(0x40)                 // F=0 C=1: more text follows
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(35)                  // DataSegmentLength
                .u64(0)                   // LUN
                .u32(0x0000_0d01)         // Initiator Task Tag
                .u32(0x0000_0d02)         // Target Transfer Tag: continue with this tag
                .u32(0x0000_0d03)         // StatSN
                .u32(0x0000_0d04)         // ExpCmdSN
                .u32(0x0000_0d14)         // MaxCmdSN
                .zeros(12)                // reserved
                .bytes(TARGET_NAME)       // key=value text
                .zeros(1)                 // padding
                .toBytes();
        return new Golden("Text Response", Side.INITIATOR,
                a -> new TextResponse(false, true, 0, 0xd01, 0xd02, 0xd03, 0xd04, 0xd14,
                        a.wrap(TARGET_NAME)), wire);
    }

    static Golden dataIn() {
        byte[] payload = Wire.hex("de ad be ef 01 02");
        byte[] wire = new Wire()
                .u8(0x25)                 // .|.| opcode 0x25: SCSI Data-In
                .u8(0xc3)                 // F=1 A=1 0 0 0 O=0 U=1 S=1
                .u8(0x00)                 // reserved
                .u8(0x00)                 // Status: GOOD
                .u8(0)                    // TotalAHSLength
                .u24(6)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0x0000_0e01)         // Initiator Task Tag
                .u32(0x0000_0e04)         // Target Transfer Tag, for the DataACK the A bit asks for
                .u32(0x0000_0e02)         // StatSN
                .u32(0x0000_0e03)         // ExpCmdSN
                .u32(0x0000_0e13)         // MaxCmdSN
                .u32(0x0000_0003)         // DataSN
                .u32(0x0000_0600)         // Buffer Offset
                .u32(0x0000_00fa)         // Residual Count
                .bytes(payload)           // data
                .zeros(2)                 // padding
                .toBytes();
        return new Golden("Data-In", Side.INITIATOR,
                a -> new DataIn(true, true, false, true, true, 0, LUN_1, 0xe01,
                        0xe04, 0xe02, 0xe03, 0xe13, 3, 0x600, 0xfa, a.wrap(payload)),
                wire);
    }

    static Golden logoutResponse() {
        byte[] wire = new Wire()
                .u8(0x26)                 // .|.| opcode 0x26: Logout Response
                .u8(0x80)                 // 1, reserved
                .u8(0x00)                 // Response: closed successfully
                .u8(0x00)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .zeros(8)                 // reserved
                .u32(0x0000_0f01)         // Initiator Task Tag
                .zeros(4)                 // reserved
                .u32(0x0000_0f02)         // StatSN
                .u32(0x0000_0f03)         // ExpCmdSN
                .u32(0x0000_0f13)         // MaxCmdSN
                .zeros(4)                 // reserved
                .u16(2)                   // Time2Wait
                .u16(20)                  // Time2Retain
                .zeros(4)                 // reserved
                .toBytes();
        return new Golden("Logout Response", Side.INITIATOR,
                a -> new LogoutResponse(0, 0xf01, 0xf02, 0xf03, 0xf13, 2, 20), wire);
    }

    static Golden readyToTransfer() {
        byte[] wire = new Wire()
                .u8(0x31)                 // .|.| opcode 0x31: R2T
                .u8(0x80)                 // 1, reserved
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0x0000_1001)         // Initiator Task Tag
                .u32(0x0000_1002)         // Target Transfer Tag
                .u32(0x0000_1003)         // StatSN
                .u32(0x0000_1004)         // ExpCmdSN
                .u32(0x0000_1014)         // MaxCmdSN
                .u32(0x0000_0001)         // R2TSN
                .u32(0x0001_0000)         // Buffer Offset
                .u32(0x0004_0000)         // Desired Data Transfer Length
                .toBytes();
        return new Golden("R2T", Side.INITIATOR,
                a -> new ReadyToTransfer(LUN_1, 0x1001, 0x1002, 0x1003, 0x1004, 0x1014, 1,
                        0x10000, 0x40000), wire);
    }

    static Golden asyncMessage() {
        byte[] wire = new Wire()
                .u8(0x32)                 // .|.| opcode 0x32: Asynchronous Message
                .u8(0x80)                 // 1, reserved
                .zeros(2)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(0)                   // DataSegmentLength
                .u64(LUN_1)               // LUN
                .u32(0xffff_ffffL)        // 0xffffffff
                .zeros(4)                 // reserved
                .u32(0x0000_1101)         // StatSN
                .u32(0x0000_1102)         // ExpCmdSN
                .u32(0x0000_1112)         // MaxCmdSN
                .u8(1)                    // AsyncEvent 1: target requests logout
                .u8(0x07)                 // AsyncVCode
                .u16(0x0011)              // Parameter1
                .u16(0x0022)              // Parameter2
                .u16(0x0005)              // Parameter3: seconds left to log out
                .zeros(4)                 // reserved
                .toBytes();
        return new Golden("Async Message", Side.INITIATOR,
                a -> new AsyncMessage(LUN_1, 0x1101, 0x1102, 0x1112, 1, 7, 0x11, 0x22, 5,
                        a.wrap(new byte[0])), wire);
    }

    /** The BHS of a vendor-specific PDU (opcode 0x1c) the target refused. */
    static final byte[] REJECTED_HEADER = new Wire()
            .u8(0x1c).u8(0x80).zeros(2).u8(0).u24(0).zeros(8).u32(0x1201).zeros(28).toBytes();

    static Golden reject() {
        byte[] wire = new Wire()
                .u8(0x3f)                 // .|.| opcode 0x3f: Reject
                .u8(0x80)                 // 1, reserved
                .u8(0x05)                 // Reason: command not supported
                .u8(0x00)                 // reserved
                .u8(0)                    // TotalAHSLength
                .u24(48)                  // DataSegmentLength: the rejected BHS
                .zeros(8)                 // reserved
                .u32(0xffff_ffffL)        // 0xffffffff
                .zeros(4)                 // reserved
                .u32(0x0000_1202)         // StatSN
                .u32(0x0000_1203)         // ExpCmdSN
                .u32(0x0000_1213)         // MaxCmdSN
                .u32(0x0000_0000)         // DataSN/R2TSN: reserved here
                .zeros(8)                 // reserved
                .bytes(REJECTED_HEADER)   // complete header of the bad PDU
                .toBytes();
        return new Golden("Reject", Side.INITIATOR,
                a -> new Reject(5, 0x1202, 0x1203, 0x1213, 0, a.wrap(REJECTED_HEADER)), wire);
    }
}
