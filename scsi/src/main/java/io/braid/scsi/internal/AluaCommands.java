package io.braid.scsi.internal;

import io.braid.scsi.AsymmetricAccessState;
import io.braid.scsi.ScsiResult;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.braid.scsi.internal.DataDirection.IN;
import static io.braid.scsi.internal.DataDirection.OUT;

/**
 * Asymmetric logical unit access commands (SPC-5 "REPORT TARGET PORT GROUPS command", "SET TARGET
 * PORT GROUPS command") over the target's {@link AccessStates}, and the check every command passes
 * on its way in: what a target port in each asymmetric access state processes (SPC-5 "Target port
 * asymmetric access states"), a port in the offline secondary state nothing at all.
 */
final class AluaCommands {

    /** TPGS 11b in standard INQUIRY: implicit and explicit asymmetric access. */
    static final int TPGS_IMPLICIT_AND_EXPLICIT = 0b11;

    private static final int FORMAT_LENGTH_ONLY = 0b000;
    private static final int FORMAT_EXTENDED = 0b001;
    /** Extended header IMPLICIT TRANSITION TIME: 0, not specified (transitions are instant in the core). */
    private static final int IMPLICIT_TRANSITION_TIME = 0;

    private AluaCommands() {
    }

    static List<CommandDescriptor> descriptors() {
        return List.of(
                // 1 PARAMETER DATA FORMAT (bits 7-5) | SERVICE ACTION, 6-9 ALLOCATION LENGTH.
                CommandDescriptor.of("REPORT TARGET PORT GROUPS", 0xA3, 0x0A, IN, (cdb, bs) -> BigEndian.u32(cdb, 6),
                        AluaCommands::reportTargetPortGroups,
                        "a3 ff 00 00 00 00 ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 c2"),
                // 1 SERVICE ACTION, 6-9 PARAMETER LIST LENGTH.
                CommandDescriptor.of("SET TARGET PORT GROUPS", 0xA4, 0x0A, OUT, (cdb, bs) -> BigEndian.u32(cdb, 6),
                        AluaCommands::setTargetPortGroups,
                        "a4 1f 00 00 00 00 ff ff ff ff 00 00",
                        "00 00 00 00 00 00 00 00 00 00 00 c2"));
    }

    /*
     * Parameter data, length only header (000b): 0-3 RETURN DATA LENGTH (n-3), then descriptors.
     * Extended header (001b): 0-3 RETURN DATA LENGTH, 4 FORMAT TYPE (bits 6-4) = 001b,
     * 5 IMPLICIT TRANSITION TIME, 6-7 reserved, then descriptors. Target port group descriptor:
     *  0 PREF | ASYMMETRIC ACCESS STATE   4 reserved           8.. target port descriptors:
     *  1 T_SUP O_SUP - LBD_SUP U_SUP      5 STATUS CODE            0-1 reserved
     *    S_SUP AN_SUP AO_SUP              6 vendor specific        2-3 RELATIVE TARGET PORT ID
     *  2-3 TARGET PORT GROUP              7 TARGET PORT COUNT
     * PREF is zero: no group is preferred over another that is active/optimized.
     */
    private static ScsiResult reportTargetPortGroups(Command cmd) {
        int format = (cmd.cdb()[1] & 0xE0) >>> 5;
        if (format != FORMAT_LENGTH_ONLY && format != FORMAT_EXTENDED) {
            throw CheckCondition.invalidFieldInCdb(1, 7);
        }
        AccessStates states = cmd.target().accessStates();
        states.learn(cmd.nexus()); // the port asking is always listed, even before nexusAdded
        ByteArrayOutputStream descriptors = new ByteArrayOutputStream();
        for (AccessStates.Group g : states.snapshot()) {
            byte[] d = new byte[8 + 4 * g.relativePorts().size()];
            d[0] = (byte) g.state().code();
            d[1] = (byte) 0xCF; // T_SUP O_SUP U_SUP S_SUP AN_SUP AO_SUP
            BigEndian.put16(d, 2, g.id());
            d[5] = (byte) g.statusCode();
            d[7] = (byte) g.relativePorts().size();
            int p = 8;
            for (int port : g.relativePorts().stream().sorted().toList()) {
                BigEndian.put16(d, p + 2, port);
                p += 4;
            }
            descriptors.writeBytes(d);
        }
        byte[] body = descriptors.toByteArray();
        int header = format == FORMAT_EXTENDED ? 8 : 4;
        byte[] b = new byte[header + body.length];
        BigEndian.put32(b, 0, b.length - 4);
        if (format == FORMAT_EXTENDED) {
            b[4] = (byte) (FORMAT_EXTENDED << 4);
            b[5] = IMPLICIT_TRANSITION_TIME;
        }
        System.arraycopy(body, 0, b, header, body.length);
        return cmd.dataIn(b);
    }

    /*
     * Parameter list: 0-3 reserved, then set target port group descriptors of 4 bytes:
     *  0 reserved | ASYMMETRIC ACCESS STATE (bits 3-0)  1 reserved  2-3 TARGET PORT GROUP OR TARGET PORT
     * A length that is not 4 plus whole descriptors is INVALID FIELD IN CDB (SPC-5 leaves the length
     * rules to the vendor and names that error). Every descriptor is checked before any group
     * changes. Offline (Eh), a secondary state of a single port, names a RELATIVE TARGET PORT
     * IDENTIFIER in the last field instead of a group; an unknown group or port is an INVALID
     * FIELD IN PARAMETER LIST on that field.
     */
    private static ScsiResult setTargetPortGroups(Command cmd) {
        long length = cmd.transferLength();
        if (length == 0) {
            return cmd.good();
        }
        if (length < 4 || (length - 4) % 4 != 0 || length > 4 + 4 * 0x10000L) {
            throw CheckCondition.invalidFieldInCdb(6, 7);
        }
        ByteBuf data = cmd.dataOut();
        if (data.readableBytes() < length) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = new byte[(int) length];
        data.getBytes(data.readerIndex(), list);
        AccessStates states = cmd.target().accessStates();
        Map<Integer, AsymmetricAccessState> changes = new LinkedHashMap<>();
        java.util.Set<Integer> portsOffline = new java.util.TreeSet<>();
        for (int i = 0; i < 4; i++) {
            if (list[i] != 0) {
                throw invalidField(i, -1);
            }
        }
        for (int at = 4; at < list.length; at += 4) {
            if ((list[at] & 0xF0) != 0) {
                throw invalidField(at, 7);
            }
            if (list[at + 1] != 0) {
                throw invalidField(at + 1, -1);
            }
            AsymmetricAccessState state = AsymmetricAccessState.ofCode(list[at] & 0x0F);
            if (state == null || !state.explicitlySettable()) {
                throw invalidField(at, 3);
            }
            int groupOrPort = BigEndian.u16(list, at + 2);
            if (state.secondary()) {
                if (!states.knownPort(groupOrPort)) {
                    throw invalidField(at + 2, -1);
                }
                portsOffline.add(groupOrPort);
                continue;
            }
            if (!states.known(groupOrPort)) {
                throw invalidField(at + 2, -1);
            }
            changes.put(groupOrPort, state);
        }
        states.setExplicitly(changes, portsOffline, cmd.nexus());
        return cmd.good();
    }

    private static CheckCondition invalidField(int byteIndex, int bit) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameterList(byteIndex, bit)));
    }

    /**
     * SPC-5 "Target port asymmetric access states": a command that the state of the target port
     * group it arrived through does not process ends with NOT READY and the reason. Vendor specific
     * commands (C0h-FFh) and the commands that describe the device are processed in every state;
     * Braid also lets REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK MANAGEMENT
     * FUNCTIONS through, since they describe capabilities and touch no medium.
     */
    static void checkAccess(CommandDescriptor d, AsymmetricAccessState state) {
        switch (state) {
            case ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED -> {
            }
            case STANDBY -> {
                if (!describesDevice(d) && !manages(d)) {
                    throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
                }
            }
            case UNAVAILABLE -> {
                if (!describesDevice(d) && !is(d, 0xA4, 0x0A)) {
                    throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE);
                }
            }
            case TRANSITIONING -> {
                if (!describesDevice(d)) {
                    throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION);
                }
            }
            // The port is out of use: nothing is processed through it, not even INQUIRY (as LIO does).
            case OFFLINE -> throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_OFFLINE);
        }
    }

    /** Processed in every state: INQUIRY, REPORT LUNS, REQUEST SENSE, READ/WRITE BUFFER, the reports, vendor commands. */
    private static boolean describesDevice(CommandDescriptor d) {
        return switch (d.opcode()) {
            case 0x12, 0xA0, 0x03, 0x3B, 0x3C -> true;
            case 0xA3 -> d.serviceAction() == 0x0A || d.serviceAction() == 0x0C || d.serviceAction() == 0x0D;
            default -> d.opcode() >= 0xC0;
        };
    }

    /**
     * Also processed in standby: SET TARGET PORT GROUPS, MODE SELECT/SENSE, LOG SELECT/SENSE,
     * RECEIVE DIAGNOSTIC RESULTS, SEND DIAGNOSTIC, PERSISTENT RESERVE IN/OUT.
     */
    private static boolean manages(CommandDescriptor d) {
        return switch (d.opcode()) {
            case 0x15, 0x55, 0x1A, 0x5A, 0x4C, 0x4D, 0x1C, 0x1D, 0x5E, 0x5F -> true;
            default -> is(d, 0xA4, 0x0A);
        };
    }

    private static boolean is(CommandDescriptor d, int opcode, int serviceAction) {
        return d.opcode() == opcode && d.serviceAction() == serviceAction;
    }
}
