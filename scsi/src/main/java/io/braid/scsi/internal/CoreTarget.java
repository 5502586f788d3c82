package io.braid.scsi.internal;

import io.braid.scsi.AccessControl;
import io.braid.scsi.AsymmetricAccessState;
import io.braid.scsi.HeldTasks;
import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.LunAccess;
import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTarget;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TargetPortGroups;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.function.Predicate;

/**
 * The SCSI target device (SAM-5 "SCSI target device"): routes each task to its logical unit,
 * applies the checks every command shares in the order SAM-5 and SPC-5 give them, runs the
 * handler from the {@link CommandTable}, and implements task management over the tasks in flight.
 *
 * <p>Order of checks for a command: the LUN (LOGICAL UNIT NOT SUPPORTED unless the command answers
 * for any LUN), then a pending unit attention (unless the command ignores them), then the opcode
 * (INVALID COMMAND OPERATION CODE, also for a command the unit's switches turn off), then reserved
 * and unsupported CDB bits (INVALID FIELD IN CDB with the field pointer), then the asymmetric access
 * state of the target port group the nexus uses, then reservations (RESERVATION CONFLICT,
 * {@link ReservationConflicts}), then write protection, then the handler's own checks.
 *
 * <p>LUN masking: every lookup of a unit goes through the {@link AccessControl} with the nexus's
 * initiator name, so a unit hidden from an initiator is, for that initiator, exactly an unsupported
 * LUN (REPORT LUNS, INQUIRY peripheral qualifier 011b, LOGICAL UNIT NOT SUPPORTED, task management
 * LUN DOES NOT EXIST), and a read-only grant makes the unit write-protected for it alone.
 *
 * <p>Task management never waits without bound: a task that does not leave {@link #execute} within
 * {@link #DEFAULT_ABORT_WAIT} after being aborted (a backstore call that hangs) makes the function
 * answer FUNCTION REJECTED; the task's own result is discarded whenever it does end.
 */
public final class CoreTarget implements ScsiTarget {

    private static final Logger log = LoggerFactory.getLogger(CoreTarget.class);

    /** How long task management waits for aborted tasks to leave {@link #execute}. */
    public static final Duration DEFAULT_ABORT_WAIT = Duration.ofSeconds(10);

    private final ScsiTargetIdentity identity;
    private final Map<Integer, LogicalUnit> units;
    private final List<Long> reportedLuns;
    private final CommandTable table = Commands.standard();
    private final TaskSet tasks = new TaskSet();
    private final Set<Nexus> nexuses = ConcurrentHashMap.newKeySet();
    private final ByteBufAllocator allocator;
    private final TargetLimits limits;
    private final AccessControl access;
    private volatile Duration abortWait = DEFAULT_ABORT_WAIT;
    private volatile HeldTasks held = HeldTasks.NONE;

    /** A target without LUN masking: every initiator sees every unit. */
    public CoreTarget(ScsiTargetIdentity identity, List<LogicalUnitSpec> specs, ByteBufAllocator allocator,
                      TargetLimits limits) {
        this(identity, specs, allocator, limits, AccessControl.OPEN);
    }
    private final CopyManager copyManager = new CopyManager();
    private final AccessStates accessStates = new AccessStates(this::accessStateChanged);

    /**
     * @param allocator where data-in buffers come from; the transport releases them
     * @param access    LUN masking per initiator
     * @throws IllegalArgumentException for two units with one LUN or one volume id, or a unit
     *                                  whose block size or capacity the core cannot present
     */
    public CoreTarget(ScsiTargetIdentity identity, List<LogicalUnitSpec> specs, ByteBufAllocator allocator,
                      TargetLimits limits, AccessControl access) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.access = Objects.requireNonNull(access, "access");
        Map<Integer, LogicalUnit> byLun = new TreeMap<>();
        Set<UUID> ids = new HashSet<>();
        for (LogicalUnitSpec spec : specs) {
            int bs = spec.device().blockSize();
            if (bs < 512 || bs > 65536 || Integer.bitCount(bs) != 1) {
                throw new IllegalArgumentException("volume " + spec.name() + ": block size " + bs
                        + " is not a power of two in 512..65536");
            }
            if (spec.device().blockCount() <= 0) {
                throw new IllegalArgumentException("volume " + spec.name() + " has no blocks");
            }
            if (!ids.add(spec.id())) {
                throw new IllegalArgumentException("volume id " + spec.id() + " used twice: LUN identifiers would collide");
            }
            if (byLun.putIfAbsent(spec.lun(), new LogicalUnit(spec)) != null) {
                throw new IllegalArgumentException("lun " + spec.lun() + " used twice");
            }
        }
        this.units = Collections.unmodifiableMap(byLun);
        List<Long> luns = new ArrayList<>();
        byLun.keySet().forEach(l -> luns.add(Lun.encode(l)));
        this.reportedLuns = List.copyOf(luns);
    }

    public ScsiTargetIdentity identity() {
        return identity;
    }

    public TargetLimits limits() {
        return limits;
    }

    public ByteBufAllocator allocator() {
        return allocator;
    }

    public CommandTable commandTable() {
        return table;
    }

    /** The unit behind a LUN number, or null, whoever asks (management and tests; commands use {@link #unit(Nexus, int)}). */
    public LogicalUnit unit(int lun) {
        return units.get(lun);
    }

    /** The unit at {@code lun} as {@code nexus} sees it: null when there is none or masking hides it. */
    public LogicalUnit unit(Nexus nexus, int lun) {
        LogicalUnit unit = units.get(lun);
        return unit == null || accessOf(nexus, unit) == LunAccess.NONE ? null : unit;
    }

    /**
     * Whether {@code nexus} must not change the medium of {@code unit} (SBC-4 "Write protection"):
     * the unit itself is read-only, or masking grants this initiator reading only.
     */
    public boolean writeProtected(Nexus nexus, LogicalUnit unit) {
        return unit.readOnly() || accessOf(nexus, unit) != LunAccess.READ_WRITE;
    }

    private LunAccess accessOf(Nexus nexus, LogicalUnit unit) {
        LunAccess a = access.access(nexus.initiatorName(), unit.lun());
        return a == null ? LunAccess.NONE : a;
    }

    @Override
    public void heldTasks(HeldTasks held) {
        this.held = Objects.requireNonNull(held, "held");
    }

    /** Sets how long task management waits for aborted tasks; for tests of hung backstores. */
    void abortWait(Duration wait) {
        this.abortWait = Objects.requireNonNull(wait, "wait");
    }

    /** Every unit, ascending by LUN. */
    Collection<LogicalUnit> units() {
        return units.values();
    }

    /**
     * The unit whose VPD page 83h NAA designator is {@code naa} and which {@code nexus} can see
     * (REPORT LUNS lists it), or null: how the copy manager finds EXTENDED COPY targets.
     */
    LogicalUnit unitByNaa(byte[] naa, Nexus nexus) {
        List<Long> visible = luns(nexus);
        for (LogicalUnit u : units.values()) {
            if (Arrays.equals(u.naa(), naa) && visible.contains(Lun.encode(u.lun()))) {
                return u;
            }
        }
        return null;
    }

    CopyManager copyManager() {
        return copyManager;
    }

    AccessStates accessStates() {
        return accessStates;
    }

    @Override
    public TargetPortGroups targetPortGroups() {
        return accessStates;
    }

    /** SPC-5: every I_T nexus but the one that asked learns of an access state change, on every unit. */
    private void accessStateChanged(Nexus requester) {
        Collection<Nexus> told = AccessStates.others(nexuses, requester);
        for (LogicalUnit unit : units.values()) {
            unit.unitAttentions().establishAll(told, SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        }
    }

    @Override
    public ScsiResult execute(ScsiTask task) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(task.nexus(), "task.nexus");
        int lun = Lun.decode(task.lun());
        LogicalUnit unit = lun == Lun.UNSUPPORTED ? null : unit(task.nexus(), lun);
        TaskSet.Entry entry = null;
        try {
            entry = tasks.register(task.nexus(), task.tag(), lun);
            if (entry == null) {
                return overlapped(task, lun, unit);
            }
            ScsiResult result;
            try {
                result = dispatch(task, lun, unit, entry);
            } catch (TaskAborted e) {
                result = null;
            }
            return decided(task, lun, entry, result);
        } finally {
            finished(task, entry);
        }
    }

    /** SAM-5 "Overlapped commands": a tag that is still in use on this nexus. */
    private static ScsiResult overlapped(ScsiTask task, int lun, LogicalUnit unit) {
        log.debug("lun {}: task tag {} already in use on {}", lun, task.tag(), task.nexus());
        SenseFormat format = unit == null ? SenseFormat.FIXED : unit.senseFormat();
        return new ScsiResult(ScsiResult.CHECK_CONDITION,
                Sense.of(SenseCode.OVERLAPPED_COMMANDS_ATTEMPTED).encode(format), null, 0);
    }

    /** The result a registered task ends with: TASK ABORTED when task management won the race. */
    private static ScsiResult decided(ScsiTask task, int lun, TaskSet.Entry entry, ScsiResult result) {
        if (!entry.complete()) {
            // Task management won the race: its answer says aborted, so this result is dropped.
            if (result != null && result.dataIn() != null) {
                result.dataIn().release();
            }
            result = null;
        }
        if (result == null) {
            log.debug("lun {}: task {} on {} aborted", lun, task.tag(), task.nexus());
            return new ScsiResult(ScsiResult.TASK_ABORTED, null, null, 0);
        }
        return result;
    }

    /** Releases the task's data-out and takes it out of the task set. */
    private void finished(ScsiTask task, TaskSet.Entry entry) {
        ByteBuf dataOut = task.dataOut();
        if (dataOut != null && dataOut.refCnt() > 0) {
            dataOut.release();
        }
        // Last of all, so task management waiting on this task sees it completely finished.
        if (entry != null) {
            tasks.finish(entry);
        }
    }

    /**
     * Runs consecutive plain WRITEs of one nexus to consecutive blocks of one unit as one write to
     * the device (see {@link ScsiTarget#executeAll}); everything else, and any run of one, goes
     * through {@link #execute}.
     */
    @Override
    public void executeAll(ScsiTask[] batch, Completion done) {
        int i = 0;
        while (i < batch.length) {
            LogicalUnit unit = plainWriteUnit(batch[i]);
            int j = i + 1;
            if (unit != null) {
                long next = writeEnd(batch[i]);
                while (j < batch.length && plainWriteUnit(batch[j]) == unit
                        && batch[j].nexus().equals(batch[i].nexus()) && writeLba(batch[j]) == next) {
                    next = writeEnd(batch[j]);
                    j++;
                }
            }
            if (j - i == 1) {
                if (done.abandoned(i)) {
                    batch[i].dataOut().release();
                    done.completed(i, ScsiResult.ABORTED);
                } else {
                    done.completed(i, execute(batch[i]));
                }
            } else {
                executeWrites(batch, i, j, unit, done);
            }
            i = j;
        }
    }

    /**
     * The largest WRITE that joins a combined write. Joining copies the data once, which for a
     * small write costs far less than the system calls it saves (two per write with a mirrored
     * page store); from about this size on the copy costs as much as a call.
     */
    static final int COMBINED_WRITE_MAX = 32 << 10;

    /**
     * The unit of a WRITE(10/12/16) that may join a combined write: SIMPLE or untagged, no FUA, at
     * least one block and at most {@link #COMBINED_WRITE_MAX} bytes, and data-out of exactly the
     * blocks it names (anything else has its own outcome to report and goes alone); null for any
     * other task.
     */
    private LogicalUnit plainWriteUnit(ScsiTask task) {
        byte[] cdb = task.cdb();
        if (cdb == null || cdb.length < 10 || task.nexus() == null || task.dataOut() == null
                || task.attribute() != TaskAttribute.SIMPLE && task.attribute() != TaskAttribute.UNTAGGED
                || (cdb[1] & 0x08) != 0) {
            return null;
        }
        LbaFields fields = writeFields(cdb);
        if (fields == null) {
            return null;
        }
        int lun = Lun.decode(task.lun());
        LogicalUnit unit = lun == Lun.UNSUPPORTED ? null : unit(task.nexus(), lun);
        long blocks = fields.blocks(cdb);
        if (unit == null || blocks == 0 || blocks > COMBINED_WRITE_MAX / unit.blockSize()
                || task.dataOut().readableBytes() != blocks * unit.blockSize()) {
            return null;
        }
        return unit;
    }

    private static LbaFields writeFields(byte[] cdb) {
        return switch (cdb[0] & 0xFF) {
            case 0x2A -> LbaFields.TEN;
            case 0xAA -> cdb.length >= 12 ? LbaFields.TWELVE : null;
            case 0x8A -> cdb.length >= 16 ? LbaFields.SIXTEEN : null;
            default -> null;
        };
    }

    private static long writeLba(ScsiTask task) {
        return writeFields(task.cdb()).lba(task.cdb());
    }

    private static long writeEnd(ScsiTask task) {
        LbaFields f = writeFields(task.cdb());
        return f.lba(task.cdb()) + f.blocks(task.cdb());
    }

    /**
     * Tasks {@code from..to-1} of {@code batch}: plain WRITEs of one nexus to consecutive blocks of
     * {@code unit}. Each is registered and checked as {@link #execute} would; those admitted are
     * written together ({@link #writeTogether}), or one by one where they cannot be.
     */
    private void executeWrites(ScsiTask[] batch, int from, int to, LogicalUnit unit, Completion done) {
        int n = to - from;
        int lun = unit.lun();
        TaskSet.Entry[] entries = new TaskSet.Entry[n];
        Command[] admitted = new Command[n];
        ScsiResult[] results = new ScsiResult[n];
        try {
            for (int k = 0; k < n; k++) {
                ScsiTask task = batch[from + k];
                if (done.abandoned(from + k)) {
                    results[k] = ScsiResult.ABORTED; // never registered: its data-out goes in finished()
                    continue;
                }
                entries[k] = tasks.register(task.nexus(), task.tag(), lun);
                if (entries[k] == null) {
                    results[k] = overlapped(task, lun, unit);
                    continue;
                }
                try {
                    admitted[k] = admit(task, unit, entries[k]);
                } catch (RuntimeException e) {
                    results[k] = refused(task, lun, unit, e);
                    continue;
                }
                long lba = writeLba(task);
                long blocks = writeEnd(task) - lba;
                if (lba < 0 || blocks > unit.blockCount() || lba > unit.blockCount() - blocks
                        || blocks > limits.maxTransferBlocks(unit.blockSize())) {
                    // Its handler has an error to report (LBA OUT OF RANGE, INVALID FIELD IN CDB).
                    results[k] = runAdmitted(admitted[k], task, lun, unit);
                    admitted[k] = null;
                }
            }
            int k = 0;
            while (k < n) {
                if (admitted[k] == null) {
                    k++;
                    continue;
                }
                // A task refused in between leaves a gap in the blocks: runs end there.
                int end = k + 1;
                while (end < n && admitted[end] != null
                        && writeLba(batch[from + end]) == writeEnd(batch[from + end - 1])) {
                    end++;
                }
                if (end - k < 2 || !writeTogether(unit, admitted, k, end, results)) {
                    for (int m = k; m < end; m++) {
                        results[m] = runAdmitted(admitted[m], batch[from + m], lun, unit);
                    }
                }
                k = end;
            }
        } finally {
            for (int k = 0; k < n; k++) {
                ScsiTask task = batch[from + k];
                ScsiResult r = entries[k] == null ? results[k] : decided(task, lun, entries[k], results[k]);
                finished(task, entries[k]);
                results[k] = r;
            }
        }
        for (int k = 0; k < n; k++) {
            done.completed(from + k, results[k]);
        }
    }

    /** An admitted command run alone: its handler under the task order, failures as statuses. */
    private ScsiResult runAdmitted(Command command, ScsiTask task, int lun, LogicalUnit unit) {
        try {
            return runInOrder(command, unit, task, command.entry());
        } catch (TaskAborted e) {
            return null;
        } catch (RuntimeException e) {
            return refused(task, lun, unit, e);
        }
    }

    /**
     * Writes admitted commands {@code from..to-1} (consecutive blocks, each with exactly its data)
     * with one call to the device, under the task order and the range lock like a single WRITE.
     * Returns false, having written nothing it reports, when they must go one by one instead: an
     * ORDERED task holds or waits for the unit, one of them was aborted, or the write failed (each
     * then gets its own sense and LBA; writing the same blocks twice is harmless).
     */
    private boolean writeTogether(LogicalUnit unit, Command[] commands, int from, int to, ScsiResult[] results) {
        Lock order = unit.taskOrder().readLock();
        try {
            // With a timeout the fair lock queues behind a waiting ORDERED task instead of barging.
            if (!order.tryLock(0, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        ByteBuf joined = null;
        try {
            int bytes = 0;
            for (int k = from; k < to; k++) {
                if (commands[k].entry().aborted()) {
                    return false;
                }
                bytes += commands[k].dataOut().readableBytes();
            }
            joined = allocator.directBuffer(bytes, bytes);
            for (int k = from; k < to; k++) {
                ByteBuf d = commands[k].dataOut();
                joined.writeBytes(d, d.readerIndex(), d.readableBytes());
            }
            Command first = commands[from];
            unit.write(first, writeLba(first.task()), joined.nioBuffer(0, bytes), false);
            for (int k = from; k < to; k++) {
                results[k] = commands[k].good();
            }
            return true;
        } catch (CheckCondition | TaskAborted e) {
            return false;
        } finally {
            if (joined != null) {
                joined.release();
            }
            order.unlock();
        }
    }

    private ScsiResult dispatch(ScsiTask task, int lun, LogicalUnit unit, TaskSet.Entry entry) {
        Command command;
        try {
            command = admit(task, unit, entry);
        } catch (TaskAborted e) {
            throw e;
        } catch (RuntimeException e) {
            return refused(task, lun, unit, e);
        }
        try {
            ScsiResult result = unit == null ? command.descriptor().handler().handle(command)
                    : runInOrder(command, unit, task, entry);
            if (log.isTraceEnabled()) {
                log.trace("lun {} tag {}: {} -> status {} length {}", lun, task.tag(), command.descriptor().name(),
                        result.status(), result.transferLength());
            }
            return result;
        } catch (TaskAborted e) {
            throw e;
        } catch (RuntimeException e) {
            return refused(task, lun, unit, e);
        }
    }

    /**
     * The checks every command passes before its handler runs, in the order of the class comment;
     * throws {@link CheckCondition} or {@link ReservationConflict} for the first that fails.
     */
    private Command admit(ScsiTask task, LogicalUnit unit, TaskSet.Entry entry) {
        byte[] cdb = task.cdb() == null ? new byte[0] : task.cdb();
        CommandDescriptor d = table.find(cdb);
        boolean truncated = d != null && cdb.length < d.cdbLength();
        if (truncated) {
            d = null; // shorter than its opcode says: no command we can interpret
        }
        if (unit == null && (d == null || !d.has(CommandFlag.SERVED_FOR_UNKNOWN_LUN))) {
            throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
        }
        if (unit != null && (d == null || !d.has(CommandFlag.IGNORES_UNIT_ATTENTION))) {
            SenseCode ua = unit.unitAttentions().take(task.nexus());
            if (ua != null) {
                log.debug("lun {}: reporting {} to {}", unit.lun(), ua, task.nexus());
                throw CheckCondition.of(ua);
            }
        }
        if (d == null) {
            throw truncated ? CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE) : table.unsupported(cdb);
        }
        if (unit != null && !unit.offers(d)) {
            // A per-LUN switch is off: as on a target without the command. A service action
            // of an opcode the unit still offers otherwise is an invalid field (GET LBA STATUS
            // under READ CAPACITY (16)); an opcode switched off entirely is unknown.
            throw offersOpcode(unit, d.opcode()) ? table.unsupported(cdb)
                    : CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE);
        }
        CheckCondition sanitizing = unit == null ? null : unit.sanitizer().refusal(d);
        if (sanitizing != null) {
            throw sanitizing;
        }
        FieldPointer invalid = d.firstInvalidBit(cdb);
        if (invalid != null) {
            throw new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_CDB, invalid));
        }
        if (task.attribute() == TaskAttribute.ACA) {
            // No ACA support (NORMACA 0), so no ACA condition can exist for this task to join.
            throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        }
        if (unit != null) {
            AsymmetricAccessState state = accessStates.effectiveState(task.nexus());
            AluaCommands.checkAccess(d, state);
            ReservationConflicts.check(d, cdb, unit, task.nexus());
        }
        if (d.has(CommandFlag.WRITES_MEDIUM) && writeProtected(task.nexus(), unit)) {
            throw CheckCondition.of(SenseCode.WRITE_PROTECTED);
        }
        return new Command(this, task, d, unit, entry, described(cdb, d, unit));
    }

    /** Bytes of data the CDB describes (0 when it names no command we know). */
    private long described(byte[] cdb, CommandDescriptor d, LogicalUnit unit) {
        return d == null ? 0 : d.transferLength().bytes(cdb, unit == null ? 0 : unit.blockSize());
    }

    /**
     * The status for a command that failed a check or whose handler threw: CHECK CONDITION with
     * the sense, RESERVATION CONFLICT, or INTERNAL TARGET FAILURE for anything unexpected.
     */
    private ScsiResult refused(ScsiTask task, int lun, LogicalUnit unit, RuntimeException failure) {
        byte[] cdb = task.cdb() == null ? new byte[0] : task.cdb();
        CommandDescriptor d = table.find(cdb);
        if (d != null && cdb.length < d.cdbLength()) {
            d = null;
        }
        SenseFormat format = unit == null ? SenseFormat.FIXED : unit.senseFormat();
        long described = described(cdb, d, unit);
        String name = d == null ? String.format("opcode %02Xh", cdb.length == 0 ? 0 : cdb[0] & 0xFF) : d.name();
        if (failure instanceof CheckCondition e) {
            if (log.isDebugEnabled()) {
                log.debug("lun {} tag {}: {} -> CHECK CONDITION {}", lun, task.tag(), name, e.getMessage());
            }
            return new ScsiResult(ScsiResult.CHECK_CONDITION, e.sense().encode(format), null,
                    Command.saturated(described));
        }
        if (failure instanceof ReservationConflict e) {
            log.debug("lun {} tag {}: {} -> RESERVATION CONFLICT: {}", lun, task.tag(), name, e.getMessage());
            return new ScsiResult(ScsiResult.RESERVATION_CONFLICT, null, null, Command.saturated(described));
        }
        if (failure instanceof TaskAborted e) {
            throw e;
        }
        log.error("lun {} tag {}: {} failed", lun, task.tag(), d == null ? "command" : name, failure);
        return new ScsiResult(ScsiResult.CHECK_CONDITION,
                Sense.of(SenseCode.INTERNAL_TARGET_FAILURE).encode(format), null, Command.saturated(described));
    }

    /** Whether the unit offers any command with this opcode. */
    private boolean offersOpcode(LogicalUnit unit, int opcode) {
        return table.all().stream().anyMatch(c -> c.opcode() == opcode && unit.offers(c));
    }

    /**
     * SAM-5 task attributes: SIMPLE tasks run concurrently (QUEUE ALGORITHM MODIFIER 1h), an
     * ORDERED task waits for every task already running on the unit and holds back later ones,
     * HEAD OF QUEUE runs at once. Waiting polls the abort flag so task management can end it.
     */
    private ScsiResult runInOrder(Command command, LogicalUnit unit, ScsiTask task, TaskSet.Entry entry) {
        TaskAttribute attribute = task.attribute() == null ? TaskAttribute.SIMPLE : task.attribute();
        Lock lock = switch (attribute) {
            case HEAD_OF_QUEUE -> null;
            case ORDERED -> unit.taskOrder().writeLock();
            default -> unit.taskOrder().readLock();
        };
        if (lock == null) {
            return command.descriptor().handler().handle(command);
        }
        try {
            while (!lock.tryLock(20, TimeUnit.MILLISECONDS)) {
                command.checkAborted();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
        }
        try {
            command.checkAborted();
            return command.descriptor().handler().handle(command);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public TaskManagementResponse manageTask(Nexus nexus, TaskManagementFunction function, long lun,
                                             long referencedTag) {
        Objects.requireNonNull(nexus, "nexus");
        Objects.requireNonNull(function, "function");
        int lunNo = Lun.decode(lun);
        LogicalUnit unit = lunNo == Lun.UNSUPPORTED ? null : unit(nexus, lunNo);
        log.debug("task management {} lun {} tag {} from {}", function, lunNo, referencedTag, nexus);
        return switch (function) {
            case ABORT_TASK -> abortTask(nexus, lunNo, referencedTag);
            case ABORT_TASK_SET -> unit == null ? TaskManagementResponse.LUN_DOES_NOT_EXIST
                    : abortAll(tasks.matching(e -> e.lun() == lunNo && e.nexus().equals(nexus)));
            case CLEAR_TASK_SET -> unit == null ? TaskManagementResponse.LUN_DOES_NOT_EXIST : clearTaskSet(nexus, unit);
            case LOGICAL_UNIT_RESET -> unit == null ? TaskManagementResponse.LUN_DOES_NOT_EXIST : resetUnit(unit,
                    SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
            case TARGET_WARM_RESET, TARGET_COLD_RESET -> resetTarget(nexus);
            case QUERY_TASK -> {
                TaskSet.Entry e = tasks.find(nexus, referencedTag);
                yield e != null && e.lun() == lunNo && !e.aborted()
                        ? TaskManagementResponse.FUNCTION_SUCCEEDED : TaskManagementResponse.FUNCTION_COMPLETE;
            }
            case QUERY_TASK_SET -> unit == null ? TaskManagementResponse.LUN_DOES_NOT_EXIST
                    : tasks.matching(e -> e.lun() == lunNo && e.nexus().equals(nexus) && !e.aborted()).isEmpty()
                    ? TaskManagementResponse.FUNCTION_COMPLETE : TaskManagementResponse.FUNCTION_SUCCEEDED;
            case QUERY_ASYNCHRONOUS_EVENT -> unit == null ? TaskManagementResponse.LUN_DOES_NOT_EXIST
                    : unit.unitAttentions().peek(nexus) == null
                    ? TaskManagementResponse.FUNCTION_COMPLETE : TaskManagementResponse.FUNCTION_SUCCEEDED;
            // NormACA 0 and CACAS 0: the function is not implemented (SAM-5 service response
            // FUNCTION REJECTED, which RFC 7143 11.6.1 carries as "Task management function not
            // supported"); no ACA condition can ever exist to clear.
            case CLEAR_ACA -> TaskManagementResponse.FUNCTION_NOT_SUPPORTED;
            // Allegiance reassignment needs ErrorRecoveryLevel 2; the iSCSI transport offers 0.
            case TASK_REASSIGN -> TaskManagementResponse.TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED;
        };
    }

    private TaskManagementResponse abortTask(Nexus nexus, int lun, long tag) {
        TaskSet.Entry e = tasks.find(nexus, tag);
        if (e == null || e.lun() != lun) {
            return TaskManagementResponse.TASK_DOES_NOT_EXIST;
        }
        e.abort();
        if (!e.aborted()) {
            return TaskManagementResponse.TASK_DOES_NOT_EXIST; // its result was already decided
        }
        return awaitAll(List.of(e));
    }

    /**
     * Aborts the tasks and waits for every one of them that ends aborted, also those an earlier
     * function aborted and that are still leaving: the answer means none of them touches the medium.
     */
    private TaskManagementResponse abortAll(List<TaskSet.Entry> entries) {
        List<TaskSet.Entry> aborted = new ArrayList<>();
        for (TaskSet.Entry e : entries) {
            e.abort();
            if (e.aborted()) {
                aborted.add(e);
            }
        }
        return awaitAll(aborted);
    }

    /**
     * CLEAR TASK SET with TST 000b (one task set for all I_T nexuses): every nexus's tasks on the
     * unit end, those the transport still holds (collecting Data-Out, waiting for their CmdSN) and
     * those in the core; with TAS 0 the other nexuses that lost tasks learn it from COMMANDS
     * CLEARED BY ANOTHER INITIATOR (SAM-5 "CLEAR TASK SET", SPC-5 control mode page TAS).
     */
    private TaskManagementResponse clearTaskSet(Nexus nexus, LogicalUnit unit) {
        Set<Nexus> lost = new HashSet<>(held.abort(Lun.encode(unit.lun()), n -> true));
        List<TaskSet.Entry> entries = tasks.matching(e -> e.lun() == unit.lun());
        TaskManagementResponse r = abortAll(entries);
        entries.stream().map(TaskSet.Entry::nexus).forEach(lost::add);
        lost.remove(nexus);
        unit.unitAttentions().establishAll(lost, SenseCode.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
        return r;
    }

    /**
     * SAM-5 "Logical unit reset": abort every task on the unit, return mode parameters to their
     * defaults and establish a unit attention for every I_T nexus.
     */
    private TaskManagementResponse resetUnit(LogicalUnit unit, SenseCode condition) {
        TaskManagementResponse r = abortAll(tasks.matching(e -> e.lun() == unit.lun()));
        unit.modeParameters().revertToSaved();
        unit.mediumRemoval().clear();
        copyManager.reset(unit.lun());
        unit.reservations().reset();
        unit.unitAttentions().establishAll(nexuses, condition);
        log.info("lun {} ({}) reset", unit.lun(), unit.name());
        return r;
    }

    /**
     * A hard reset of the target (SAM-5 "Hard reset"): every unit the nexus can see is reset. Under
     * LUN masking the target an initiator sees is its view, so a reset never reaches units hidden
     * from it; without masking that is every unit.
     */
    private TaskManagementResponse resetTarget(Nexus nexus) {
        TaskManagementResponse r = TaskManagementResponse.FUNCTION_COMPLETE;
        for (LogicalUnit unit : units.values()) {
            if (accessOf(nexus, unit) == LunAccess.NONE) {
                continue;
            }
            if (resetUnit(unit, SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED)
                    != TaskManagementResponse.FUNCTION_COMPLETE) {
                r = TaskManagementResponse.FUNCTION_REJECTED;
            }
        }
        return r;
    }

    /**
     * Task management answers only once aborted tasks have left {@link #execute} (SAM-5 "Task
     * management functions"), but waits at most {@link #abortWait} in all: a task stuck in the
     * backstore makes the answer FUNCTION REJECTED rather than a function that never answers.
     */
    private TaskManagementResponse awaitAll(List<TaskSet.Entry> aborted) {
        long deadline = System.nanoTime() + abortWait.toNanos();
        try {
            for (TaskSet.Entry e : aborted) {
                if (!e.awaitDone(deadline - System.nanoTime())) {
                    log.warn("lun {}: aborted task {} of {} has not ended after {} ms (backstore call hanging?);"
                            + " task management function rejected", e.lun(), e.tag(), e.nexus(), abortWait.toMillis());
                    return TaskManagementResponse.FUNCTION_REJECTED;
                }
            }
            return TaskManagementResponse.FUNCTION_COMPLETE;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return TaskManagementResponse.FUNCTION_REJECTED;
        }
    }

    @Override
    public void capacityChanged(int lun) {
        LogicalUnit unit = units.get(lun);
        if (unit == null) {
            throw new IllegalArgumentException("no logical unit " + lun);
        }
        unit.unitAttentions().establishAll(nexuses, SenseCode.CAPACITY_DATA_HAS_CHANGED);
        log.info("lun {} ({}): capacity now {} blocks", lun, unit.name(), unit.blockCount());
    }

    @Override
    public void nexusAdded(Nexus nexus) {
        Objects.requireNonNull(nexus, "nexus");
        nexuses.add(nexus);
        accessStates.learn(nexus);
        for (LogicalUnit unit : units.values()) {
            unit.unitAttentions().establish(nexus, SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        }
        log.debug("nexus added: {}", nexus);
    }

    @Override
    public void nexusRemoved(Nexus nexus) {
        Objects.requireNonNull(nexus, "nexus");
        nexuses.remove(nexus);
        for (LogicalUnit unit : units.values()) {
            unit.unitAttentions().discard(nexus);
            unit.mediumRemoval().release(nexus);
            unit.reservations().nexusLost(nexus);
        }
        copyManager.forget(nexus);
        // SAM-5 "I_T nexus loss": the nexus's tasks are aborted; nobody is left to wait for them.
        for (TaskSet.Entry e : tasks.matching(e -> e.nexus().equals(nexus))) {
            e.abort();
        }
        log.debug("nexus removed: {}", nexus);
    }

    @Override
    public boolean quick(ScsiTask task) {
        byte[] cdb = task.cdb();
        TaskAttribute attribute = task.attribute();
        if (cdb == null || cdb.length < 6
                || attribute != TaskAttribute.SIMPLE && attribute != TaskAttribute.UNTAGGED) {
            return false;
        }
        return switch (cdb[0] & 0xFF) {
            case 0x08, 0x0A -> true; // READ(6), WRITE(6): no FUA bit
            case 0x28, 0x2A, 0xA8, 0xAA, 0x88, 0x8A -> (cdb[1] & 0x08) == 0; // READ/WRITE(10/12/16) without FUA
            default -> false;
        };
    }

    @Override
    public boolean staysInMemory(ScsiTask task) {
        LogicalUnit unit = plainWriteUnit(task);
        if (unit == null || unit.taskOrder().isWriteLocked() || unit.taskOrder().hasQueuedThreads()) {
            return false;
        }
        LbaFields f = writeFields(task.cdb());
        return unit.writeStaysInMemory(f.lba(task.cdb()), f.blocks(task.cdb()));
    }

    @Override
    public List<Long> luns(Nexus nexus) {
        Objects.requireNonNull(nexus, "nexus");
        if (access == AccessControl.OPEN) {
            return reportedLuns;
        }
        List<Long> visible = new ArrayList<>(units.size());
        for (LogicalUnit unit : units.values()) {
            if (accessOf(nexus, unit) != LunAccess.NONE) {
                visible.add(Lun.encode(unit.lun()));
            }
        }
        return List.copyOf(visible);
    }

    /** The I_T nexuses logged in now. */
    Set<Nexus> nexuses() {
        return Collections.unmodifiableSet(nexuses);
    }

    /**
     * The SCSI target port name of a relative target port identifier, as the logged-in nexuses
     * report it; null when no nexus uses that port.
     */
    String targetPortName(int relativeTargetPortId) {
        for (Nexus n : nexuses) {
            if (n.relativeTargetPortId() == relativeTargetPortId && n.targetPort() != null) {
                return n.targetPort();
            }
        }
        return null;
    }

    /**
     * Aborts the tasks of the selected nexuses on a unit, those the transport holds first, and
     * waits until they have left {@link #execute} (SPC-5 PREEMPT AND ABORT: the preempted
     * nexuses' tasks end before the command completes).
     */
    void abortTasks(LogicalUnit unit, Predicate<Nexus> which) {
        held.abort(Lun.encode(unit.lun()), which);
        abortAll(tasks.matching(e -> e.lun() == unit.lun() && which.test(e.nexus())));
    }

    /** Tasks inside {@link #execute} right now, for tests and diagnostics. */
    public int tasksInFlight() {
        return tasks.size();
    }
}
