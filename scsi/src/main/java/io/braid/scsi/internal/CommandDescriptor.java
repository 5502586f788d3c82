package io.braid.scsi.internal;

import io.braid.scsi.ScsiResult;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the core knows about one operation code (and service action) before parsing its
 * fields: the dispatch table entry. The usage bitmap is the CDB USAGE DATA that REPORT SUPPORTED
 * OPERATION CODES returns (SPC-5 "One_command parameter data format").
 *
 * @param name           the T10 command name, for logs
 * @param opcode         operation code
 * @param serviceAction  service action, or -1 for a command without one
 * @param cdbLength      CDB length in bytes
 * @param direction      direction of the data transfer
 * @param transferLength bytes the CDB describes (see {@link TransferLength})
 * @param handler        executes the command
 * @param usage          CDB usage bitmap: a bit is one when the device server evaluates it. Byte 0
 *                       is the opcode, all ones
 * @param ignored        bits that are obsolete or vendor specific: accepted whatever their value.
 *                       Any set bit in neither mask is a reserved or unsupported field and ends
 *                       the command with INVALID FIELD IN CDB pointing at it
 * @param flags          processing rules applied by the dispatcher
 */
public record CommandDescriptor(String name, int opcode, int serviceAction, int cdbLength,
                                DataDirection direction, TransferLength transferLength,
                                Handler handler, byte[] usage, byte[] ignored, Set<CommandFlag> flags) {

    /** Bytes of data the CDB describes, computed before the handler runs. */
    @FunctionalInterface
    public interface TransferLength {
        TransferLength NONE = (cdb, blockSize) -> 0;

        /**
         * @param blockSize the logical block size of the addressed unit, 0 when there is none
         * @return the byte count, possibly larger than any buffer the core would allocate
         */
        long bytes(byte[] cdb, int blockSize);
    }

    /** Executes a validated command; task errors are thrown as {@link CheckCondition}. */
    @FunctionalInterface
    public interface Handler {
        ScsiResult handle(Command command);
    }

    public CommandDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(transferLength, "transferLength");
        Objects.requireNonNull(handler, "handler");
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        if (usage.length != cdbLength || ignored.length != cdbLength) {
            throw new IllegalArgumentException(name + ": usage/ignored bitmaps must have " + cdbLength + " bytes");
        }
        if ((usage[0] & 0xFF) != opcode) {
            throw new IllegalArgumentException(name + ": usage byte 0 must be the opcode");
        }
        usage = usage.clone();
        ignored = ignored.clone();
    }

    /**
     * @param usageHex   the usage bitmap as hex bytes separated by spaces, one per CDB byte
     * @param ignoredHex the ignored-bits bitmap in the same form
     */
    public static CommandDescriptor of(String name, int opcode, int serviceAction, DataDirection direction,
                                       TransferLength transferLength, Handler handler,
                                       String usageHex, String ignoredHex, CommandFlag... flags) {
        byte[] usage = parseHex(usageHex);
        return new CommandDescriptor(name, opcode, serviceAction, usage.length, direction, transferLength,
                handler, usage, parseHex(ignoredHex), flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags));
    }

    private static byte[] parseHex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    public boolean has(CommandFlag flag) {
        return flags.contains(flag);
    }

    public byte[] usage() {
        return usage.clone();
    }

    public byte[] ignored() {
        return ignored.clone();
    }

    /**
     * The first set bit of {@code cdb} that is neither used nor ignored: the most significant
     * offending bit of the lowest offending byte, or null when every set bit is allowed.
     */
    public FieldPointer firstInvalidBit(byte[] cdb) {
        for (int i = 1; i < cdbLength; i++) {
            int bad = cdb[i] & ~(usage[i] | ignored[i]) & 0xFF;
            if (bad != 0) {
                return FieldPointer.cdb(i, 31 - Integer.numberOfLeadingZeros(bad));
            }
        }
        return null;
    }
}
