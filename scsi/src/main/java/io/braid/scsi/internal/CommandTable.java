package io.braid.scsi.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dispatch table: command descriptors by operation code, and by service action for the
 * opcodes that carry one (SPC-5 "Operation code" and "Service action" rules). The table is the
 * single list of what the core supports; REPORT SUPPORTED OPERATION CODES will read it.
 */
public final class CommandTable {

    private final Map<Integer, CommandDescriptor> byOpcode = new HashMap<>();
    private final Map<Integer, Map<Integer, CommandDescriptor>> byServiceAction = new HashMap<>();

    CommandTable(List<CommandDescriptor> descriptors) {
        for (CommandDescriptor d : descriptors) {
            if (d.serviceAction() < 0) {
                if (byServiceAction.containsKey(d.opcode()) || byOpcode.putIfAbsent(d.opcode(), d) != null) {
                    throw new IllegalArgumentException("opcode " + hex(d.opcode()) + " defined twice");
                }
            } else {
                if (byOpcode.containsKey(d.opcode())) {
                    throw new IllegalArgumentException("opcode " + hex(d.opcode()) + " both with and without service action");
                }
                Map<Integer, CommandDescriptor> sas = byServiceAction.computeIfAbsent(d.opcode(), k -> new HashMap<>());
                if (sas.putIfAbsent(d.serviceAction(), d) != null) {
                    throw new IllegalArgumentException(d.name() + ": service action defined twice");
                }
            }
        }
    }

    /** The descriptor for this CDB, or null when the opcode or its service action is not supported. */
    public CommandDescriptor find(byte[] cdb) {
        if (cdb.length == 0) {
            return null;
        }
        int opcode = cdb[0] & 0xFF;
        Map<Integer, CommandDescriptor> sas = byServiceAction.get(opcode);
        if (sas == null) {
            return byOpcode.get(opcode);
        }
        return cdb.length < 2 ? null : sas.get(serviceAction(opcode, cdb));
    }

    /** Whether {@code opcode} is one that carries a service action (SPC-5 "Service action"). */
    public boolean hasServiceActions(int opcode) {
        return byServiceAction.containsKey(opcode);
    }

    /** The descriptor of an opcode and service action (-1 for none), or null. */
    public CommandDescriptor find(int opcode, int serviceAction) {
        Map<Integer, CommandDescriptor> sas = byServiceAction.get(opcode);
        return sas == null ? (serviceAction < 0 ? byOpcode.get(opcode) : null) : sas.get(serviceAction);
    }

    /**
     * The error for a CDB {@link #find} did not know: INVALID COMMAND OPERATION CODE, or INVALID
     * FIELD IN CDB pointing at the service action when only that is unknown (SPC-5: the field
     * pointer at byte 1 is how libiscsi and others recognise "service action not supported").
     */
    public CheckCondition unsupported(byte[] cdb) {
        if (cdb.length > 1 && byServiceAction.containsKey(cdb[0] & 0xFF)) {
            return CheckCondition.invalidFieldInCdb(1, 4);
        }
        return CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE);
    }

    /** Every descriptor, ordered by opcode then service action. */
    public List<CommandDescriptor> all() {
        List<CommandDescriptor> out = new ArrayList<>(byOpcode.values());
        byServiceAction.values().forEach(m -> out.addAll(m.values()));
        out.sort(Comparator.comparingInt(CommandDescriptor::opcode).thenComparingInt(CommandDescriptor::serviceAction));
        return Collections.unmodifiableList(out);
    }

    /**
     * SERVICE ACTION: bytes 8-9 of a variable length CDB (7Fh), byte 1 bits 4-0 for the other
     * service action opcodes (SPC-5 "Variable length CDB formats" and "Service action").
     */
    private static int serviceAction(int opcode, byte[] cdb) {
        if (opcode == 0x7F) {
            return cdb.length < 10 ? -1 : BigEndian.u16(cdb, 8);
        }
        return cdb[1] & 0x1F;
    }

    private static String hex(int v) {
        return String.format("%02Xh", v);
    }
}
