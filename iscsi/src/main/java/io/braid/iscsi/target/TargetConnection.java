package io.braid.iscsi.target;

import io.braid.iscsi.login.NegotiatedParameters;
import io.braid.iscsi.pdu.AsyncMessage;
import io.braid.iscsi.pdu.DataIn;
import io.braid.iscsi.pdu.DataOut;
import io.braid.iscsi.pdu.InvalidPdu;
import io.braid.iscsi.pdu.LoginRequest;
import io.braid.iscsi.pdu.LogoutRequest;
import io.braid.iscsi.pdu.LogoutResponse;
import io.braid.iscsi.pdu.NopIn;
import io.braid.iscsi.pdu.NopOut;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.PduEncoder;
import io.braid.iscsi.pdu.PduFrameDecoder;
import io.braid.iscsi.pdu.PduLog;
import io.braid.iscsi.pdu.ReadyToTransfer;
import io.braid.iscsi.pdu.Reject;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.iscsi.pdu.Snack;
import io.braid.iscsi.pdu.TaskMgmtRequest;
import io.braid.iscsi.pdu.TaskMgmtResponse;
import io.braid.iscsi.pdu.TextRequest;
import io.braid.iscsi.pdu.TextResponse;
import io.braid.scsi.ScsiResult;
import io.braid.scsi.ScsiTask;
import io.braid.scsi.TaskAttribute;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Target side of one iSCSI connection (RFC 7143 7.1.3 target state diagram, simplified to the
 * states ErrorRecoveryLevel 0 needs): login, then the full-feature phase — SCSI commands with
 * immediate, unsolicited and R2T-solicited data, Data-In with phase-collapsed status, NOP
 * pings, Text (SendTargets), task management, logout, Reject for malformed PDUs.
 *
 * <p>Threading: every method runs on the channel's event loop except where noted; SCSI execution
 * runs on the storage executor and its completion hops back to the event loop.
 */
final class TargetConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TargetConnection.class);
    private static final Logger pduLog = LoggerFactory.getLogger("io.braid.iscsi.pdu.trace");

    /** Connection states (RFC 7143 7.1.3: S1 FREE, S4 IN_LOGIN, S5 LOGGED_IN, S6 IN_LOGOUT). */
    enum State {
        FREE, IN_LOGIN, LOGGED_IN, IN_LOGOUT, CLOSED;

        private static final Map<State, Set<State>> ALLOWED = Map.of(
                FREE, EnumSet.of(IN_LOGIN, CLOSED),
                IN_LOGIN, EnumSet.of(LOGGED_IN, CLOSED),
                LOGGED_IN, EnumSet.of(IN_LOGOUT, CLOSED),
                IN_LOGOUT, EnumSet.of(CLOSED),
                CLOSED, EnumSet.noneOf(State.class));

        boolean canMoveTo(State next) {
            return ALLOWED.get(this).contains(next);
        }
    }

    private final SocketChannel channel;
    private final Portal portal;
    private final TargetServerConfig config;
    private final SessionRegistry registry;
    private final ExecutorService storage;
    private final PduFrameDecoder decoder;
    private final PduEncoder encoder;
    private final String name;
    private final LoginPhase login;

    private State state = State.FREE;
    private Session session;
    private NegotiatedParameters params;
    private int cid;
    private int statSn;
    private int nextTtt = 1;
    private final Map<Integer, CommandTask> tasks = new HashMap<>();
    /** Tasks ended by a data sequence error whose remaining Data-Out PDUs are dropped silently. */
    private final Set<Integer> draining = new java.util.LinkedHashSet<>();
    private static final int MAX_DRAINING = 256;
    /**
     * The longest a task management function waits for the tasks it aborted, in all; a little
     * more than the SCSI core's own bound, so a backstore call that hangs turns into FUNCTION
     * REJECTED instead of a TMF the initiator waits for forever.
     */
    static final long TMF_WAIT_MILLIS = 12_000;
    private final TextConversation text;
    /**
     * Task management functions between arrival and response. While one runs, commands that become
     * ready to execute wait in {@link #heldBack} instead of entering the SCSI core, so a function
     * never aborts a command sent after it.
     */
    private int tmfRunning;
    private final java.util.ArrayDeque<CommandTask> heldBack = new java.util.ArrayDeque<>();

    /** Tasks handed to the core together at the end of this event-loop turn ({@link #dispatch}). */
    private final List<CommandTask> ready = new ArrayList<>();
    private boolean dispatchScheduled;
    /** Set once slow chunks run on the event loop used up its stall budget: until {@link #handOffUntil}, none is. */
    private boolean handingOff;
    private long handOffUntil;
    /** The current hand-off period ({@link #runHere}) and when the last one began. */
    private long handOffNanos = HAND_OFF_MIN_NANOS;
    private long lastHandOff = System.nanoTime() - 2 * HAND_OFF_MAX_NANOS;
    /** What is left of the stall budget ({@link #runHere}), as of {@link #stallBudgetAt}. */
    private long stallBudget = STALL_BURST_NANOS;
    private long stallBudgetAt = System.nanoTime();
    /** Tasks the core finished, queued by storage threads for the event loop ({@link #drainDone}). */
    private final Queue<CommandTask> done = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainDone;
    /**
     * Most tasks, and (roughly) most data bytes, one storage thread takes at a time: consecutive
     * {@linkplain io.braid.scsi.ScsiTarget#quick quick} tasks (plain READ and WRITE) made ready in
     * one turn share a virtual thread, one thread start and one carrier wake-up for the lot
     * (docs/performance.md). Chunks had been turned off because libiscsi's Sanitize.Reset failed
     * with them in the whole conformance suite; the cause was a logout race, not the chunks (see
     * {@link #onLogout}): a session's reservations outlived its Logout Response by a moment.
     */
    private static final int CHUNK_TASKS = 32;
    private static final long CHUNK_BYTES = 256 * 1024;
    /**
     * Whether chunks of writes that {@linkplain io.braid.scsi.ScsiTarget#staysInMemory stay in
     * memory} run on this event loop ({@link #runHere}); {@code -Dbraid.iscsi.writesOnEventLoop=false}
     * hands every chunk to a storage thread as before (docs/performance.md).
     */
    static final boolean WRITES_ON_EVENT_LOOP =
            !"false".equalsIgnoreCase(System.getProperty("braid.iscsi.writesOnEventLoop"));
    /** A chunk run here that took longer than this stalled the event loop: see {@link #runHere}. */
    static final long SLOW_CHUNK_NANOS = 1_000_000;
    /**
     * The stall budget: slow chunks on the event loop may stall it for this long in a burst, and
     * for 1/{@link #STALL_SHARE} of the time after that, before the connection hands chunks off.
     */
    static final long STALL_BURST_NANOS = 20_000_000;
    static final int STALL_SHARE = 20;
    /** How long a connection hands every chunk off once its stall budget is used up, at first and at most. */
    static final long HAND_OFF_MIN_NANOS = 100_000_000;
    static final long HAND_OFF_MAX_NANOS = 5_000_000_000L;

    private int pingTtt = Pdu.RESERVED_TAG;
    private ScheduledFuture<?> pingTimeout;

    private TargetConnection(SocketChannel channel, Portal portal, TargetServerConfig config,
                             SessionRegistry registry, ExecutorService storage,
                             PduFrameDecoder decoder, PduEncoder encoder,
                             Supplier<List<Portal>> portals) {
        this.channel = channel;
        this.portal = portal;
        this.config = config;
        this.registry = registry;
        this.storage = storage;
        this.decoder = decoder;
        this.encoder = encoder;
        InetSocketAddress remote = channel.remoteAddress();
        this.name = remote == null ? "?" : IscsiTargetServer.format(remote);
        this.login = new LoginPhase(this, portal, config, registry);
        this.text = new TextConversation(this, config, portals);
    }

    /** Builds the pipeline of an accepted connection. */
    static void install(SocketChannel ch, Portal portal, TargetServerConfig config,
                        SessionRegistry registry, ExecutorService storage,
                        Supplier<List<Portal>> portals) {
        PduFrameDecoder decoder = PduFrameDecoder.forTarget();
        PduEncoder encoder = new PduEncoder();
        TargetConnection connection = new TargetConnection(ch, portal, config, registry, storage,
                decoder, encoder, portals);
        // One flush per read batch, and one per event-loop turn for completions: every send below
        // asks for a flush, and a syscall per PDU would cost more than the rest of the PDU's path.
        ch.pipeline().addLast("flush", new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ch.pipeline().addLast("decoder", decoder);
        ch.pipeline().addLast("encoder", encoder);
        ch.pipeline().addLast("connection", connection);
    }

    int cid() {
        return cid;
    }

    Channel channel() {
        return channel;
    }

    String name() {
        return name;
    }

    Session session() {
        return session;
    }

    NegotiatedParameters params() {
        return params;
    }

    private void moveTo(State next) {
        if (state == next) {
            return;
        }
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("connection " + name + ": " + state + " -> " + next + " not allowed");
        }
        log.debug("connection {}: {} -> {}", name, state, next);
        state = next;
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        log.debug("connection {} accepted on portal {}:{}", name, portal.host(), portal.port());
        moveTo(State.IN_LOGIN);
        // RFC 7143 6.1: a login that does not complete is not allowed to hold the connection forever.
        channel.eventLoop().schedule(() -> {
            if (state == State.IN_LOGIN) {
                log.info("connection {}: login not completed in 30 s; closing", name);
                close("login timeout");
            }
        }, 30, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InvalidPdu invalid) {
            onInvalid(invalid);
            return;
        }
        Pdu pdu = (Pdu) msg;
        if (pduLog.isTraceEnabled()) {
            pduLog.trace(">> {} {}", name, PduLog.format(pdu));
        }
        if (state == State.CLOSED) {
            pdu.release();
            return;
        }
        try {
            if (state == State.IN_LOGIN) {
                if (pdu instanceof LoginRequest req) {
                    login.onRequest(req);
                } else {
                    log.info("connection {}: {} during login; closing", name, pdu.opcode());
                    pdu.release();
                    close("PDU other than Login during login");
                }
                return;
            }
            if (pdu instanceof LoginRequest) {
                // RFC 7143 6.2: a Login Request in full-feature phase is a protocol error.
                reject(Reject.PROTOCOL_ERROR, pdu);
                pdu.release();
                return;
            }
            onFullFeature(pdu);
        } catch (RuntimeException e) {
            log.warn("connection {}: failed handling {}: {}", name, pdu.opcode(), e.toString(), e);
            pdu.release();
            close("internal error");
        }
    }

    private void onFullFeature(Pdu pdu) {
        switch (pdu) {
            case ScsiCommand c -> session.sequence(this, c, c.cmdSn(), c.immediate());
            case DataOut d -> onDataOut(d);
            case NopOut n -> {
                if (n.ttt() != Pdu.RESERVED_TAG) {
                    onPingAnswer(n);
                }
                if (n.itt() == Pdu.RESERVED_TAG) {
                    n.release(); // an answer to our ping, or a one-way ping: no CmdSN advance
                } else {
                    session.sequence(this, n, n.cmdSn(), n.immediate());
                }
            }
            case TextRequest t -> session.sequence(this, t, t.cmdSn(), t.immediate());
            case TaskMgmtRequest t -> session.sequence(this, t, t.cmdSn(), t.immediate());
            case LogoutRequest l -> session.sequence(this, l, l.cmdSn(), l.immediate());
            case Snack s -> {
                // ErrorRecoveryLevel 0: SNACK is not supported (RFC 7143 11.16).
                reject(Reject.PROTOCOL_ERROR, s);
            }
            default -> {
                reject(Reject.PROTOCOL_ERROR, pdu);
                pdu.release();
            }
        }
    }

    /** Delivers a PDU in CmdSN order (called by {@link Session#sequence} on this event loop). */
    void deliver(Pdu pdu) {
        if (state != State.LOGGED_IN && state != State.IN_LOGOUT) {
            pdu.release();
            return;
        }
        switch (pdu) {
            case ScsiCommand c when session.hasEnded() -> c.release(); // sent after a logout of the session
            case ScsiCommand c -> onScsiCommand(c);
            case NopOut n -> {
                session.refreshWindow();
                send(new NopIn(n.lun(), n.itt(), Pdu.RESERVED_TAG, statSn++, session.expCmdSn(),
                        session.maxCmdSn(), n.data()));
            }
            case TextRequest t -> {
                session.refreshWindow();
                text.onRequest(t);
            }
            case TaskMgmtRequest t -> {
                session.refreshWindow();
                onTaskManagement(t);
            }
            case LogoutRequest l -> {
                session.refreshWindow();
                onLogout(l);
            }
            default -> pdu.release();
        }
    }

    /** Delivers a PDU sequenced on another connection of the session. Any thread. */
    void deliverLater(Pdu pdu) {
        channel.eventLoop().execute(() -> deliver(pdu));
    }

    private void onInvalid(InvalidPdu invalid) {
        log.debug("connection {}: rejecting PDU: {}", name, invalid.message());
        if (state == State.IN_LOGIN) {
            invalid.header().release();
            close("invalid PDU during login: " + invalid.message());
            return;
        }
        sendReject(invalid.rejectReason(), invalid.header());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            ping();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("connection {}: {}", name, cause.toString());
        } else {
            log.info("connection {}: closing after error: {}", name, cause.getMessage());
        }
        close("error: " + cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cleanUp();
        ctx.fireChannelInactive();
    }

    // ---------------------------------------------------------------- login completion

    /**
     * Called by the login phase once the final Login Response has been written: switches the
     * codec to the negotiated digests and limits and enters the full-feature phase.
     */
    void loggedIn(Session session, int cid, NegotiatedParameters params, int firstStatSn) {
        this.session = session;
        this.cid = cid;
        this.params = params;
        this.statSn = firstStatSn;
        decoder.setHeaderDigest(params.headerDigestCrc32c());
        decoder.setDataDigest(params.dataDigestCrc32c());
        decoder.setMaxRecvDataSegmentLength(params.targetMaxRecvDataSegmentLength());
        encoder.setHeaderDigest(params.headerDigestCrc32c());
        encoder.setDataDigest(params.dataDigestCrc32c());
        moveTo(State.LOGGED_IN);
        if (config.nopInIntervalMillis() > 0 && !session.discovery()) {
            channel.pipeline().addBefore("decoder", "idle",
                    new IdleStateHandler(config.nopInIntervalMillis(), 0, 0, TimeUnit.MILLISECONDS));
        }
    }

    /** Writes a login-phase PDU (no digests yet). */
    void sendLogin(Pdu pdu) {
        send(pdu);
    }

    // ---------------------------------------------------------------- SCSI commands

    private void onScsiCommand(ScsiCommand c) {
        if (session.discovery()) {
            // RFC 7143 4.3: a discovery session carries only Text and Logout.
            reject(Reject.PROTOCOL_ERROR, c);
            c.release();
            return;
        }
        if (tasks.containsKey(c.itt())) {
            // RFC 7143 11.17.1: a tag still in use.
            reject(Reject.TASK_IN_PROGRESS, c);
            c.release();
            return;
        }
        int immediateLength = c.data().readableBytes();
        if (c.read() && c.write()) {
            // Bidirectional commands are not part of the SBC set served here.
            reject(Reject.COMMAND_NOT_SUPPORTED, c);
            c.release();
            return;
        }
        if (immediateLength > 0 && (!c.write() || !params.immediateData()
                || immediateLength > Math.min(params.firstBurstLength(), c.expectedDataTransferLength()))) {
            log.debug("connection {}: immediate data of {} bytes not allowed (W={}, ImmediateData={}, FirstBurstLength={}, EDTL={})",
                    name, immediateLength, c.write(), params.immediateData(), params.firstBurstLength(),
                    Integer.toUnsignedLong(c.expectedDataTransferLength()));
            reject(Reject.PROTOCOL_ERROR, c);
            c.release();
            return;
        }
        if (c.expectedDataTransferLength() < 0) {
            reject(Reject.INVALID_PDU_FIELD, c);
            c.release();
            return;
        }
        CommandTask task = new CommandTask(c);
        draining.remove(task.itt);
        tasks.put(task.itt, task);
        session.taskStarted();
        if (!c.write() || task.edtl == 0) {
            c.data().release();
            submit(task);
            return;
        }
        if (immediateLength > 0) {
            task.append(channel.alloc(), c.data().retain());
        }
        c.data().release();
        int unsolicitedLimit = params.initialR2T() ? 0 : Math.min(params.firstBurstLength(), task.edtl);
        if (!c.finalPdu() && !params.initialR2T()) {
            task.unsolicitedRemaining = Math.max(0, unsolicitedLimit - immediateLength);
        }
        task.nextR2tOffset = task.unsolicitedRemaining > 0 ? unsolicitedLimit : task.received;
        if (task.allDataReceived()) {
            submit(task);
        } else if (task.unsolicitedRemaining == 0) {
            sendR2ts(task);
        }
    }

    private void onDataOut(DataOut d) {
        CommandTask task = tasks.get(d.itt());
        if (task == null && draining.contains(d.itt())) {
            d.release(); // the rest of a train whose task already ended
            return;
        }
        if (task == null || task.phase != CommandTask.Phase.COLLECTING || !task.write()) {
            log.debug("connection {}: Data-Out for unknown or complete task itt=0x{}", name, Integer.toHexString(d.itt()));
            reject(Reject.PROTOCOL_ERROR, d);
            d.release();
            return;
        }
        int length = d.data().readableBytes();
        if (d.ttt() == Pdu.RESERVED_TAG) {
            // Unsolicited data (RFC 7143 4.2.5.2).
            if (d.dataSn() != task.unsolicitedDataSn || d.bufferOffset() != task.received
                    || length > task.unsolicitedRemaining) {
                dataSequenceError(task, d, "unsolicited DataSN " + Integer.toUnsignedLong(d.dataSn())
                        + " offset " + Integer.toUnsignedLong(d.bufferOffset()) + " length " + length
                        + " (expected DataSN " + task.unsolicitedDataSn + ", offset " + task.received
                        + ", at most " + task.unsolicitedRemaining + " bytes)");
                return;
            }
            task.unsolicitedDataSn++;
            task.unsolicitedRemaining -= length;
            task.append(channel.alloc(), d.data());
            if (d.finalPdu() || task.unsolicitedRemaining == 0) {
                task.unsolicitedRemaining = 0;
                task.nextR2tOffset = task.received;
                if (task.allDataReceived()) {
                    submit(task);
                } else {
                    sendR2ts(task);
                }
            }
            return;
        }
        CommandTask.Burst burst = task.burst(d.ttt());
        if (burst == null) {
            log.debug("connection {}: Data-Out with unknown TTT 0x{}", name, Integer.toHexString(d.ttt()));
            reject(Reject.INVALID_PDU_FIELD, d);
            d.release();
            return;
        }
        if (d.dataSn() != burst.nextDataSn || d.bufferOffset() != burst.offset + burst.received
                || length > burst.length - burst.received || task.received != burst.offset + burst.received) {
            dataSequenceError(task, d, "DataSN " + Integer.toUnsignedLong(d.dataSn()) + " offset "
                    + Integer.toUnsignedLong(d.bufferOffset()) + " length " + length + " (expected DataSN "
                    + burst.nextDataSn + ", offset " + (burst.offset + burst.received) + ", at most "
                    + (burst.length - burst.received) + " bytes)");
            return;
        }
        burst.nextDataSn++;
        burst.received += length;
        task.append(channel.alloc(), d.data());
        if (burst.received == burst.length) {
            task.bursts.remove(burst);
            if (task.allDataReceived()) {
                submit(task);
            } else {
                sendR2ts(task);
            }
        } else if (d.finalPdu()) {
            // F set before the burst was complete: the initiator gave up on this sequence.
            dataSequenceError(task, null, "Data-Out sequence for R2T " + burst.r2tSn + " ended after "
                    + burst.received + " of " + burst.length + " bytes");
        }
    }

    /**
     * A Data-Out that breaks the sequence rules. ErrorRecoveryLevel 0 has no within-command
     * recovery (RFC 7143 7.1.4.1): the task ends with a Reject carrying the offending header (the
     * initiator completes the task with an error), nothing is written, and the rest of its Data-Out
     * train is drained silently so the connection and the other tasks go on.
     */
    private void dataSequenceError(CommandTask task, DataOut d, String what) {
        log.info("connection {}: itt=0x{}: {}; task ended", name, Integer.toHexString(task.itt), what);
        tasks.remove(task.itt);
        task.release();
        task.phase = CommandTask.Phase.DONE;
        task.finished.complete(null);
        session.taskFinished();
        drain(task.itt);
        if (d != null) {
            reject(Reject.PROTOCOL_ERROR, d);
            d.release();
        } else {
            sendReject(Reject.PROTOCOL_ERROR, headerOf(task.command));
        }
    }

    /** Sends R2Ts up to MaxOutstandingR2T for the rest of the task's data (RFC 7143 11.8). */
    private void sendR2ts(CommandTask task) {
        while (task.bursts.size() < params.maxOutstandingR2T() && task.nextR2tOffset < task.edtl) {
            int length = Math.min(params.maxBurstLength(), task.edtl - task.nextR2tOffset);
            int ttt = allocateTtt();
            CommandTask.Burst burst = new CommandTask.Burst(ttt, task.nextR2tSn++, task.nextR2tOffset, length);
            task.bursts.add(burst);
            task.nextR2tOffset += length;
            task.dataSnSent++;
            send(new ReadyToTransfer(task.lun, task.itt, ttt, statSn, session.expCmdSn(), session.maxCmdSn(),
                    burst.r2tSn, burst.offset, length));
        }
    }

    private int allocateTtt() {
        int t = nextTtt++;
        if (nextTtt == Pdu.RESERVED_TAG) {
            nextTtt = 1;
        }
        return t;
    }

    /**
     * Hands a task whose data is complete to the SCSI core. Tasks made ready during one event-loop
     * turn (usually one socket read's worth) go to the storage executor together at the end of the
     * turn, a few per hand-off ({@link #dispatch}), so a queue of small commands costs one
     * thread wake-up instead of one each.
     */
    private void submit(CommandTask task) {
        if (tmfRunning > 0) {
            heldBack.add(task); // still COLLECTING as far as task management is concerned
            return;
        }
        task.phase = CommandTask.Phase.EXECUTING;
        ScsiCommand c = task.command;
        task.scsiTask = new ScsiTask(session.nexus(), c.lun(), c.cdb(), Integer.toUnsignedLong(c.itt()),
                TaskAttribute.fromWire(c.attr()), c.expectedDataTransferLength(),
                task.write() ? task.takeData(channel.alloc()) : Unpooled.EMPTY_BUFFER);
        ready.add(task);
        if (!dispatchScheduled) {
            dispatchScheduled = true;
            try {
                channel.eventLoop().execute(this::dispatch);
            } catch (RejectedExecutionException e) {
                dispatch();
            }
        }
    }

    /**
     * Sends the ready tasks to the storage executor: consecutive {@linkplain
     * io.braid.scsi.ScsiTarget#quick quick} ones (plain READ and WRITE) in chunks of at most
     * {@link #CHUNK_TASKS} tasks and {@link #CHUNK_BYTES} bytes that share a storage thread and run
     * one after the other (each is a few microseconds against the page cache), every other task on
     * a thread of its own, so a long one (SANITIZE, a flush, a copy) never holds back the rest.
     */
    private void dispatch() {
        dispatchScheduled = false;
        int n = ready.size();
        var scsi = session.target().scsi();
        int start = 0;
        while (start < n) {
            int end = start + 1;
            if (scsi.quick(ready.get(start).scsiTask)) {
                long bytes = chunkBytes(ready.get(start));
                while (end < n && end - start < CHUNK_TASKS && bytes < CHUNK_BYTES
                        && scsi.quick(ready.get(end).scsiTask)) {
                    bytes += chunkBytes(ready.get(end));
                    end++;
                }
            }
            CommandTask[] chunk = ready.subList(start, end).toArray(new CommandTask[0]);
            if (runHere(scsi, chunk)) {
                start = end;
                continue;
            }
            try {
                storage.execute(() -> execute(scsi, chunk));
            } catch (RejectedExecutionException e) {
                for (CommandTask task : chunk) {
                    task.scsiTask.dataOut().release();
                    tasks.remove(task.itt);
                    task.finished.complete(null);
                }
            }
            start = end;
        }
        ready.clear();
    }

    /**
     * Runs {@code chunk} on this event loop when every task in it is a write that {@linkplain
     * io.braid.scsi.ScsiTarget#staysInMemory stays in memory}: a 4 KiB write into the page cache
     * costs a few microseconds, the hand-off to a storage thread and the two wake-ups that go with
     * it cost more (docs/performance.md). The answer is a hint — a page may have been cleaned
     * meanwhile, another writer may hold its stripe, the kernel may make a writer wait for the
     * page cache — so the time of chunks slower than {@link #SLOW_CHUNK_NANOS} is charged to a
     * stall budget of {@link #STALL_BURST_NANOS} that refills at 1/{@link #STALL_SHARE} of the
     * time passing. A few slow chunks a second (the page store has some of 1–5 ms while the disk
     * is busy) then stall the loop for a few percent of its time and keep their place on it; a
     * storage that is slow for longer uses the budget up, and the connection hands every chunk off
     * for a while: {@link #HAND_OFF_MIN_NANOS}, twice the last period when the budget ran out
     * again within two periods of the last hand-off, up to {@link #HAND_OFF_MAX_NANOS}; the budget
     * starts again from nothing after a period. Returns whether it ran the chunk.
     */
    private boolean runHere(io.braid.scsi.ScsiTarget scsi, CommandTask[] chunk) {
        if (!WRITES_ON_EVENT_LOOP) {
            return false;
        }
        if (handingOff) {
            if (System.nanoTime() - handOffUntil < 0) {
                return false;
            }
            handingOff = false;
        }
        for (CommandTask task : chunk) {
            if (task.aborted || !scsi.staysInMemory(task.scsiTask)) {
                return false;
            }
        }
        long start = System.nanoTime();
        execute(scsi, chunk);
        long now = System.nanoTime();
        long took = now - start;
        if (took > SLOW_CHUNK_NANOS) {
            stallBudget = Math.min(STALL_BURST_NANOS, stallBudget + (start - stallBudgetAt) / STALL_SHARE) - took;
            stallBudgetAt = now;
            if (stallBudget < 0) {
                handOffNanos = now - lastHandOff < 2 * handOffNanos
                        ? Math.min(2 * handOffNanos, HAND_OFF_MAX_NANOS) : HAND_OFF_MIN_NANOS;
                lastHandOff = now;
                handingOff = true;
                handOffUntil = now + handOffNanos;
                stallBudget = 0; // the period is the penalty: no debt carried past it
                log.debug("connection {}: {} write(s) on the event loop took {} µs and used up its stall budget;"
                        + " handing chunks off for {} ms", name, chunk.length, took / 1000, handOffNanos / 1_000_000);
            }
        }
        return true;
    }

    /** What a task counts against {@link #CHUNK_BYTES}: its transfer, at least a 4 KiB block's worth. */
    private static long chunkBytes(CommandTask task) {
        return Math.max(4096, Integer.toUnsignedLong(task.command.expectedDataTransferLength()));
    }

    /**
     * Runs a chunk of tasks in the SCSI core, in order ({@link io.braid.scsi.ScsiTarget#executeAll},
     * which may write consecutive WRITEs together). On a storage thread. Each finished task goes
     * back at once; while the event loop has not picked them up, further ones join the same
     * event-loop task.
     */
    private void execute(io.braid.scsi.ScsiTarget scsi, CommandTask[] chunk) {
        if (chunk.length == 1) {
            CommandTask task = chunk[0];
            finished(task, task.aborted ? aborted(task) : executeOne(scsi, task));
            return;
        }
        List<CommandTask> live = new ArrayList<>(chunk.length);
        for (CommandTask task : chunk) {
            if (task.aborted) {
                finished(task, aborted(task));
            } else {
                live.add(task);
            }
        }
        ScsiTask[] scsiTasks = new ScsiTask[live.size()];
        for (int i = 0; i < scsiTasks.length; i++) {
            scsiTasks[i] = live.get(i).scsiTask;
        }
        boolean[] reported = new boolean[scsiTasks.length];
        try {
            scsi.executeAll(scsiTasks, new io.braid.scsi.ScsiTarget.Completion() {
                @Override
                public void completed(int index, ScsiResult result) {
                    reported[index] = true;
                    finished(live.get(index), result);
                }

                @Override
                public boolean abandoned(int index) {
                    return live.get(index).aborted;
                }
            });
        } catch (RuntimeException e) {
            log.error("SCSI core failed on a chunk of {} task(s): {}", scsiTasks.length, e.toString(), e);
            for (int i = 0; i < reported.length; i++) {
                if (!reported[i]) {
                    finished(live.get(i), null);
                }
            }
        }
    }

    private static ScsiResult aborted(CommandTask task) {
        // Task management ended it before it reached the core: nothing to run.
        task.scsiTask.dataOut().release();
        return ScsiResult.ABORTED;
    }

    private ScsiResult executeOne(io.braid.scsi.ScsiTarget scsi, CommandTask task) {
        try {
            return scsi.execute(task.scsiTask);
        } catch (RuntimeException e) {
            log.error("SCSI core failed on itt=0x{}: {}", Integer.toHexString(task.itt), e.toString(), e);
            return null;
        }
    }

    /** Hands a task's result to the event loop ({@link #drainDone}). */
    private void finished(CommandTask task, ScsiResult result) {
        task.scsiTask = null;
        task.result = result;
        done.offer(task);
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drainTask);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                discardDone();
            }
        }
    }

    /**
     * Completes the tasks the storage threads finished. Runs as one event-loop task for as many
     * completions as arrived meanwhile, and their PDUs leave in one flush.
     */
    private void drainDone() {
        drainScheduled.set(false);
        CommandTask task;
        while ((task = done.poll()) != null) {
            ScsiResult r = task.result;
            task.result = null;
            complete(task, r);
        }
    }

    /**
     * The event loop is gone (server shutdown): free what finished tasks hold. Storage threads
     * call it, so they take turns at the single-consumer queue.
     */
    private void discardDone() {
        synchronized (done) {
            CommandTask task;
            while ((task = done.poll()) != null) {
                release(task.result);
                task.result = null;
                task.finished.complete(null);
            }
        }
    }

    private static void release(ScsiResult r) {
        if (r != null && r.dataIn() != null && r.dataIn().refCnt() > 0) {
            r.dataIn().release();
        }
    }

    /** Sends the task's data and status (RFC 7143 11.4, 11.7). */
    private void complete(CommandTask task, ScsiResult r) {
        task.phase = CommandTask.Phase.DONE;
        task.finished.complete(null);
        if (tasks.get(task.itt) == task) {
            tasks.remove(task.itt);
        }
        if (session != null) {
            session.taskFinished();
        }
        if (task.aborted || state == State.CLOSED || !channel.isActive()
                || (r != null && r.status() == ScsiResult.TASK_ABORTED)) {
            // An aborted task ends without a response (RFC 7143 4.2.3.3; the core's ScsiTarget contract).
            release(r);
            return;
        }
        ScsiCommand c = task.command;
        if (r == null) {
            // Target failure (RFC 7143 11.4.3 response 0x01).
            send(new ScsiResponse(false, false, false, false, 1, 0, c.itt(), 0, statSn++, session.expCmdSn(),
                    session.maxCmdSn(), 0, 0, 0, Unpooled.EMPTY_BUFFER));
            return;
        }
        long edtl = Integer.toUnsignedLong(c.expectedDataTransferLength());
        ByteBuf dataIn = r.dataIn();
        int available = dataIn == null ? 0 : dataIn.readableBytes();
        if (!c.read() && available > 0) {
            // The initiator expects no data-in: send none and report the overflow.
            dataIn.release();
            dataIn = null;
            available = 0;
        }
        long expected = c.read() || c.write() ? edtl : 0;
        long transfer = Math.max(0, (long) r.transferLength());
        boolean overflow = transfer > expected;
        boolean underflow = transfer < expected;
        int residual = (int) Math.min(0xffffffffL, overflow ? transfer - expected : expected - transfer);
        int toSend = (int) Math.min(available, edtl);
        boolean good = r.status() == ScsiResult.GOOD && r.sense() == null;
        if (toSend > 0) {
            sendDataIn(task, dataIn, toSend, good, r.status(), overflow, underflow, residual);
        } else if (dataIn != null) {
            dataIn.release();
        }
        if (toSend == 0 || !good) {
            ByteBuf senseData = Unpooled.EMPTY_BUFFER;
            if (r.sense() != null && r.sense().length > 0) {
                senseData = channel.alloc().buffer(2 + r.sense().length);
                senseData.writeShort(r.sense().length).writeBytes(r.sense());
            }
            send(new ScsiResponse(false, false, overflow, underflow, 0, r.status(), c.itt(), 0, statSn++,
                    session.expCmdSn(), session.maxCmdSn(), task.dataSnSent, 0, overflow || underflow ? residual : 0,
                    senseData));
        }
    }

    /**
     * Splits data into Data-In PDUs of at most the initiator's MaxRecvDataSegmentLength, with F
     * on the last PDU of every MaxBurstLength sequence and, when {@code withStatus}, the status in
     * the last PDU (phase collapse, RFC 7143 11.7.4).
     */
    private void sendDataIn(CommandTask task, ByteBuf data, int length, boolean withStatus, int status,
                            boolean overflow, boolean underflow, int residual) {
        int maxPdu = params.initiatorMaxRecvDataSegmentLength();
        int burst = params.maxBurstLength();
        int offset = 0;
        int inBurst = 0;
        try {
            while (offset < length) {
                int n = Math.min(Math.min(maxPdu, length - offset), burst - inBurst);
                boolean last = offset + n == length;
                inBurst += n;
                boolean endOfSequence = last || inBurst == burst;
                if (inBurst == burst) {
                    inBurst = 0;
                }
                boolean statusHere = last && withStatus;
                send(new DataIn(endOfSequence, false, statusHere && overflow, statusHere && underflow, statusHere,
                        statusHere ? status : 0, 0, task.itt, Pdu.RESERVED_TAG, statusHere ? statSn++ : 0,
                        session.expCmdSn(), session.maxCmdSn(), task.dataSnSent++, offset,
                        statusHere && (overflow || underflow) ? residual : 0,
                        data.retainedSlice(data.readerIndex() + offset, n)));
                offset += n;
            }
        } finally {
            data.release();
        }
    }

    // ---------------------------------------------------------------- task management

    /**
     * Task management (RFC 7143 11.5, SAM-5 7). The transport first ends what only it holds —
     * commands still collecting Data-Out (their later Data-Out is dropped silently, the way
     * FastAbort does it, so the function never waits on an initiator that stopped sending) and
     * commands waiting for their CmdSN turn — and marks the commands in the SCSI core so their
     * status is never sent. Then, off the event loop, the core applies the function and waits for
     * the tasks it aborted; the response goes out once every aborted task has stopped, or FUNCTION
     * REJECTED after {@link #TMF_WAIT_MILLIS}. CLEAR TASK SET, LOGICAL UNIT RESET and the target
     * resets reach other sessions' transport-held commands too (SAM-5: every I_T nexus's tasks),
     * limited to the logical units the issuing initiator can see.
     */
    private void onTaskManagement(TaskMgmtRequest t) {
        TaskManagementFunction function = TaskManagementFunction.fromWire(t.function());
        if (session.discovery()) {
            reject(Reject.PROTOCOL_ERROR, t);
            return;
        }
        if (function == null) {
            sendTmfResponse(t, TaskManagementResponse.FUNCTION_REJECTED);
            return;
        }
        var scsi = session.target().scsi();
        var nexus = session.nexus();
        long lun = t.lun();
        int ref = t.referencedTaskTag();
        List<CommandTask> affected = new ArrayList<>();
        List<CompletableFuture<?>> elsewhere = new ArrayList<>();
        switch (function) {
            case ABORT_TASK -> {
                CommandTask task = tasks.get(ref);
                if (task != null) {
                    if (task.lun != lun) {
                        sendTmfResponse(t, TaskManagementResponse.TASK_DOES_NOT_EXIST);
                        return;
                    }
                    affected.add(task);
                } else if (session.abortWaiting(c -> c.itt() == ref && c.lun() == lun) > 0
                        || session.considerReceived(this, t.refCmdSn(), t.cmdSn())) {
                    sendTmfResponse(t, TaskManagementResponse.FUNCTION_COMPLETE);
                    return;
                }
            }
            case ABORT_TASK_SET -> {
                tasks.values().stream().filter(x -> x.lun == lun).forEach(affected::add);
                session.abortWaiting(c -> c.lun() == lun);
            }
            case CLEAR_TASK_SET -> {
                // Other nexuses' held commands: the core ends them (HeldTasks) to know whom its
                // COMMANDS CLEARED BY ANOTHER INITIATOR unit attention is for.
                tasks.values().stream().filter(x -> x.lun == lun).forEach(affected::add);
                session.abortWaiting(c -> c.lun() == lun);
            }
            case LOGICAL_UNIT_RESET -> {
                tasks.values().stream().filter(x -> x.lun == lun).forEach(affected::add);
                session.abortWaiting(c -> c.lun() == lun);
                if (scsi.luns(nexus).contains(lun)) {
                    elsewhere = abortElsewhere(l -> l == lun);
                }
            }
            case TARGET_WARM_RESET, TARGET_COLD_RESET -> {
                affected.addAll(tasks.values());
                session.abortWaiting(c -> true);
                Set<Long> visible = Set.copyOf(scsi.luns(nexus));
                elsewhere = abortElsewhere(visible::contains);
            }
            case TASK_REASSIGN -> {
                // ErrorRecoveryLevel 0 has no connection recovery (RFC 7143 11.5.1).
                sendTmfResponse(t, TaskManagementResponse.TASK_ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED);
                return;
            }
            case QUERY_TASK -> {
                CommandTask task = tasks.get(ref);
                if (task != null && task.lun == lun || session.hasWaiting(c -> c.itt() == ref && c.lun() == lun)) {
                    sendTmfResponse(t, TaskManagementResponse.FUNCTION_SUCCEEDED);
                    return;
                }
            }
            case QUERY_TASK_SET -> {
                if (tasks.values().stream().anyMatch(x -> x.lun == lun) || session.hasWaiting(c -> c.lun() == lun)) {
                    sendTmfResponse(t, TaskManagementResponse.FUNCTION_SUCCEEDED);
                    return;
                }
            }
            case QUERY_ASYNCHRONOUS_EVENT, CLEAR_ACA -> {
            }
        }
        for (CommandTask task : affected) {
            abortHere(task);
        }
        List<CompletableFuture<?>> thirdParty = elsewhere;
        CompletableFuture<?>[] running = affected.stream().map(x -> x.finished).toArray(CompletableFuture[]::new);
        tmfRunning++;
        try {
            storage.execute(() -> {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TMF_WAIT_MILLIS);
                // Other connections have dropped what they held before the core resets the unit.
                awaitUntil(CompletableFuture.allOf(thirdParty.toArray(CompletableFuture[]::new)), deadline);
                TaskManagementResponse response;
                try {
                    response = scsi.manageTask(nexus, function, lun, Integer.toUnsignedLong(ref));
                } catch (RuntimeException e) {
                    log.warn("task management {} failed: {}", function, e.toString(), e);
                    response = TaskManagementResponse.FUNCTION_REJECTED;
                }
                // SAM-5 7.1: the response goes out only once every aborted task has stopped.
                if (!awaitUntil(CompletableFuture.allOf(running), deadline)) {
                    log.warn("connection {}: {} rejected: an aborted task still runs after {} ms", name, function,
                            TMF_WAIT_MILLIS);
                    response = TaskManagementResponse.FUNCTION_REJECTED;
                } else if (function == TaskManagementFunction.ABORT_TASK && !affected.isEmpty()
                        && response == TaskManagementResponse.TASK_DOES_NOT_EXIST) {
                    // The core had already finished it; the transport suppressed its response.
                    response = TaskManagementResponse.FUNCTION_COMPLETE;
                }
                TaskManagementResponse finalResponse = response;
                channel.eventLoop().execute(() -> {
                    sendTmfResponse(t, finalResponse);
                    if (function == TaskManagementFunction.TARGET_COLD_RESET
                            && finalResponse == TaskManagementResponse.FUNCTION_COMPLETE) {
                        coldReset();
                    }
                    tmfFinished();
                });
            });
        } catch (RejectedExecutionException e) {
            log.debug("connection {}: {} dropped: the server is stopping", name, function);
            tmfFinished();
        }
    }

    /** A task management function answered: commands that became ready meanwhile run now, in order. */
    private void tmfFinished() {
        tmfRunning--;
        while (tmfRunning == 0 && !heldBack.isEmpty() && state != State.CLOSED) {
            CommandTask task = heldBack.poll();
            if (!task.aborted && tasks.get(task.itt) == task) {
                submit(task);
            }
        }
    }

    /**
     * Ends a task of this connection for task management: a task still collecting Data-Out is
     * dropped at once (its remaining Data-Out is discarded silently); a task in the core keeps
     * running until the core stops it, and its status is never sent.
     */
    private void abortHere(CommandTask task) {
        task.aborted = true;
        tasks.remove(task.itt);
        if (task.phase == CommandTask.Phase.COLLECTING) {
            task.release();
            task.phase = CommandTask.Phase.DONE;
            task.finished.complete(null);
            session.taskFinished();
            drain(task.itt);
        }
    }

    /** Remembers an ended task whose Data-Out may still arrive, so it is dropped without a Reject. */
    private void drain(int itt) {
        draining.add(itt);
        if (draining.size() > MAX_DRAINING) {
            draining.remove(draining.iterator().next());
        }
    }

    /**
     * Aborts, in every other session of this target, the commands only the transport holds on a LUN
     * {@code lun} selects: those waiting for their CmdSN turn at once, those collecting Data-Out on
     * their own connection's event loop (the returned futures). Tasks already in the core are the
     * core's to abort.
     */
    private List<CompletableFuture<?>> abortElsewhere(java.util.function.LongPredicate lun) {
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (Session other : registry.list()) {
            if (other == session || other.target() != session.target()) {
                continue;
            }
            other.abortWaiting(c -> lun.test(c.lun()));
            other.forEachConnection(c -> done.add(c.abortCollecting(lun)));
        }
        return done;
    }

    /**
     * Drops this connection's commands still collecting Data-Out on a LUN {@code lun} selects; the
     * future tells how many. Any thread.
     */
    CompletableFuture<Integer> abortCollecting(java.util.function.LongPredicate lun) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        try {
            channel.eventLoop().execute(() -> {
                int n = 0;
                for (CommandTask task : new ArrayList<>(tasks.values())) {
                    if (task.phase == CommandTask.Phase.COLLECTING && lun.test(task.lun)) {
                        log.debug("connection {}: itt=0x{} aborted for another initiator (task management or"
                                + " PREEMPT AND ABORT)", name, Integer.toHexString(task.itt));
                        abortHere(task);
                        n++;
                    }
                }
                done.complete(n);
            });
        } catch (RejectedExecutionException e) {
            done.complete(0);
        }
        return done;
    }

    /** RFC 7143 11.5.1: after TARGET COLD RESET the target closes every connection of every session. */
    private void coldReset() {
        for (Session s : registry.list()) {
            if (s != session && s.target() == session.target()) {
                s.drop("target cold reset");
            }
        }
        // Our own last, so the TMF response is on the wire first.
        channel.eventLoop().schedule(() -> session.drop("target cold reset"), 10, TimeUnit.MILLISECONDS);
    }

    /** Waits for {@code f} until {@code deadline} (System.nanoTime); true when it completed. */
    private static boolean awaitUntil(CompletableFuture<?> f, long deadline) {
        try {
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    private void sendTmfResponse(TaskMgmtRequest t, TaskManagementResponse response) {
        if (state == State.CLOSED) {
            return;
        }
        send(new TaskMgmtResponse(response.wire(), t.itt(), statSn++, session.expCmdSn(), session.maxCmdSn()));
    }

    // ---------------------------------------------------------------- text, logout, NOP

    /** Writes a Text Response (from {@link TextConversation}). */
    void sendText(boolean finalPdu, boolean cont, long lun, int itt, int ttt, ByteBuf data) {
        send(new TextResponse(finalPdu, cont, lun, itt, ttt, statSn++, session.expCmdSn(), session.maxCmdSn(), data));
    }

    int newTargetTransferTag() {
        return allocateTtt();
    }

    private void onLogout(LogoutRequest l) {
        int response;
        TargetConnection victim = this;
        switch (l.reasonCode()) {
            case LogoutRequest.CLOSE_SESSION -> response = 0;
            case LogoutRequest.CLOSE_CONNECTION -> {
                victim = session.connection(l.cid());
                response = victim == null ? 1 : 0; // 1: CID not found
            }
            case LogoutRequest.REMOVE_FOR_RECOVERY -> response = 2; // recovery not supported at ERL 0
            default -> {
                reject(Reject.INVALID_PDU_FIELD, l);
                return;
            }
        }
        if (response != 0) {
            send(new LogoutResponse(response, l.itt(), statSn++, session.expCmdSn(), session.maxCmdSn(), 0, 0));
            return;
        }
        boolean closesThis = l.reasonCode() == LogoutRequest.CLOSE_SESSION || victim == this;
        if (closesThis) {
            moveTo(State.IN_LOGOUT);
        }
        Session s = session;
        if (l.reasonCode() == LogoutRequest.CLOSE_SESSION || victim == this && s.connectionCount() == 1) {
            // The nexus ends before the answer leaves: once the initiator reads it, a command it
            // sends on another session must find this one's reservations gone (libiscsi's
            // Sanitize.Reset right after Sanitize.Reservations met RESERVATION CONFLICT otherwise).
            s.end();
        }
        LogoutResponse answer = new LogoutResponse(0, l.itt(), statSn++, s.expCmdSn(), s.maxCmdSn(),
                params.defaultTime2Wait(), params.defaultTime2Retain());
        var future = channel.writeAndFlush(answer);
        if (l.reasonCode() == LogoutRequest.CLOSE_SESSION) {
            future.addListener(f -> s.drop("logout"));
        } else if (victim == this) {
            future.addListener(ChannelFutureListener.CLOSE);
        } else {
            victim.close("logged out by connection " + cid);
        }
    }

    /** Target-initiated ping after the connection was idle (RFC 7143 11.19). */
    private void ping() {
        if (state != State.LOGGED_IN || pingTtt != Pdu.RESERVED_TAG) {
            return;
        }
        pingTtt = allocateTtt();
        send(new NopIn(0, Pdu.RESERVED_TAG, pingTtt, statSn, session.expCmdSn(), session.maxCmdSn(),
                Unpooled.EMPTY_BUFFER));
        if (config.nopInTimeoutMillis() <= 0) {
            return; // TCP keep-alive decides whether the peer is gone
        }
        pingTimeout = channel.eventLoop().schedule(() -> {
            log.info("connection {}: no answer to NOP-In within {} ms; closing", name, config.nopInTimeoutMillis());
            close("NOP-In timeout");
        }, config.nopInTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    private void onPingAnswer(NopOut n) {
        if (n.ttt() == pingTtt) {
            pingTtt = Pdu.RESERVED_TAG;
            if (pingTimeout != null) {
                pingTimeout.cancel(false);
                pingTimeout = null;
            }
        }
    }

    /** Asks the initiator to log out within {@code seconds} (Async Message event 1). Any thread. */
    void requestLogout(int seconds) {
        channel.eventLoop().execute(() -> {
            if (state != State.LOGGED_IN) {
                if (state == State.IN_LOGIN) {
                    close("target shutting down");
                }
                return;
            }
            send(new AsyncMessage(0, statSn++, session.expCmdSn(), session.maxCmdSn(), 1, 0, 0, 0,
                    Math.max(1, seconds), Unpooled.EMPTY_BUFFER));
        });
    }

    // ---------------------------------------------------------------- output

    void send(Pdu pdu) {
        if (pduLog.isTraceEnabled()) {
            pduLog.trace("<< {} {}", name, PduLog.format(pdu));
        }
        channel.writeAndFlush(pdu, channel.voidPromise());
    }

    /** Sends a Reject carrying the header of {@code rejected} (RFC 7143 11.17). */
    private void reject(int reason, Pdu rejected) {
        sendReject(reason, headerOf(rejected));
    }

    /** The 48-byte BHS of a PDU (without AHS), as a Reject carries it (RFC 7143 11.17.2). */
    private ByteBuf headerOf(Pdu pdu) {
        ByteBuf header = channel.alloc().buffer(48);
        io.braid.iscsi.pdu.PduWriter.writeHeader(pdu, header);
        return header.writerIndex(48);
    }

    private void sendReject(int reason, ByteBuf header) {
        int exp = session == null ? 0 : session.expCmdSn();
        int max = session == null ? 0 : session.maxCmdSn();
        send(new Reject(reason, statSn++, exp, max, 0, header));
    }

    /** Closes the connection; harmless when already closed. Any thread. */
    void close(String reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(reason));
            return;
        }
        if (state == State.CLOSED) {
            return;
        }
        log.debug("connection {}: closing ({})", name, reason);
        channel.flush();
        channel.close();
    }

    private void cleanUp() {
        if (state == State.CLOSED) {
            return;
        }
        moveTo(State.CLOSED);
        if (pingTimeout != null) {
            pingTimeout.cancel(false);
        }
        for (CommandTask task : tasks.values()) {
            task.aborted = true;
            if (task.phase == CommandTask.Phase.COLLECTING) {
                task.release();
                if (session != null) {
                    session.taskFinished();
                }
            }
        }
        tasks.clear();
        heldBack.clear();
        text.release();
        if (session != null) {
            session.removeConnection(this);
        }
    }
}
