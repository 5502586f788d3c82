package io.braid.host.iscsi;

import io.braid.host.scsi.SamLun;
import io.braid.host.scsi.ScsiStatus;
import io.braid.host.scsi.SenseData;
import io.braid.iscsi.login.KeyValue;
import io.braid.iscsi.login.NegotiatedParameters;
import io.braid.iscsi.login.TextAccumulator;
import io.braid.iscsi.login.TextKeys;
import io.braid.iscsi.pdu.AsyncMessage;
import io.braid.iscsi.pdu.DataIn;
import io.braid.iscsi.pdu.DataOut;
import io.braid.iscsi.pdu.InvalidPdu;
import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.LogoutRequest;
import io.braid.iscsi.pdu.LogoutResponse;
import io.braid.iscsi.pdu.NopIn;
import io.braid.iscsi.pdu.NopOut;
import io.braid.iscsi.pdu.Opcode;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.PduEncoder;
import io.braid.iscsi.pdu.PduFrameDecoder;
import io.braid.iscsi.pdu.PduLog;
import io.braid.iscsi.pdu.ReadyToTransfer;
import io.braid.iscsi.pdu.Reject;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.iscsi.pdu.SerialNumbers;
import io.braid.iscsi.pdu.TaskMgmtRequest;
import io.braid.iscsi.pdu.TaskMgmtResponse;
import io.braid.iscsi.pdu.TextRequest;
import io.braid.iscsi.pdu.TextResponse;
import io.braid.scsi.TaskManagementFunction;
import io.braid.scsi.TaskManagementResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One initiator session with one connection at ErrorRecoveryLevel 0 (RFC 7143): one I_T nexus,
 * one path from a host port to a storage port. It logs in, runs the full feature phase, pings
 * the target, and after a lost connection reconnects with backoff under the same ISID (the
 * target reinstates the session, RFC 7143 6.3.5) until {@link #close()}.
 *
 * <p><b>Commands.</b> {@link #submit} queues a command; it is sent as soon as the CmdSN window
 * (RFC 7143 4.2.2.1, up to MaxCmdSN) allows, with a fresh Initiator Task Tag. Write data goes as
 * immediate data, unsolicited Data-Out up to FirstBurstLength and R2T-solicited Data-Out, as
 * negotiated, in PDUs of at most the target's MaxRecvDataSegmentLength. Data-In is gathered in
 * order (DataSN and buffer offset checked) and the status taken from the final Data-In or the
 * SCSI Response. A command without status after its timeout is aborted with ABORT TASK,
 * escalated to LOGICAL UNIT RESET, then to dropping the connection.
 *
 * <p><b>Path health.</b> After {@link InitiatorConfig#pingInterval()} without any PDU from the
 * target the session sends a NOP-Out ping, and already after {@link InitiatorConfig#busyPingDelay()}
 * when commands are outstanding (a busy path that goes quiet is suspect: its I/O is stuck); an answer missing after
 * {@link InitiatorConfig#pingTimeout()} drops the connection ({@link FailureKind#PING_TIMEOUT}).
 * The target's own NOP-In pings are answered. A target's Asynchronous Message asking for logout
 * (event 1) drains the session, logs out and reconnects; events 2 and 3 (connection or session
 * drop) reconnect after Time2Wait.
 *
 * <p><b>Threads.</b> The session is confined to one Netty event loop thread. Public methods are
 * thread-safe and never block (except {@link #close()}); they hand their work to that thread.
 * Every future returned here, including the {@link ScsiOutcome} futures, is completed on the
 * session's event loop thread, so dependent actions attached without an executor run there:
 * they must not block (use the {@code ...Async} variants with an executor for blocking work).
 * {@link SessionListener}s are called on the same thread.
 *
 * <p><b>Buffers.</b> See {@link ScsiRequest} (the caller keeps its data-out buffer) and
 * {@link ScsiOutcome} (the receiver of a GOOD outcome owns and releases its data).
 */
public final class IscsiSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);
    private static final Logger pduLog = LoggerFactory.getLogger("io.braid.iscsi.pdu.trace");
    private static final int RESERVED = Pdu.RESERVED_TAG;
    private static final int CID = 1;
    /** The initial CmdSN of every leading login; any value works (RFC 7143 11.12.8). */
    private static final int INITIAL_CMD_SN = 1;
    /** Redirections followed in a row before an attempt counts as failed. */
    private static final int MAX_REDIRECTS = 3;

    private final IscsiInitiator initiator;
    private final InitiatorConfig config;
    private final SessionSpec spec;
    private final EventLoop loop;
    private final long isid;
    private final boolean recover;
    private final String name;
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> firstLogin = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    // Read from any thread, written on the loop.
    private volatile SessionState state = SessionState.NEW;
    private volatile NegotiatedParameters params;
    private volatile String lastReason = "new";
    private volatile int tpgt = -1;
    private volatile String targetAlias;
    private volatile int outstanding;
    private volatile long completed;
    private volatile long failed;
    private volatile long bytesRead;
    private volatile long bytesWritten;
    private volatile long logins;
    private volatile long latencyNanos;
    private volatile long pingRoundTripNanos = -1;

    // Confined to the loop.
    private Connection conn;
    private InitiatorLogin login;
    private int cmdSn = INITIAL_CMD_SN;
    private int expCmdSn;
    private int maxCmdSn;
    private int expStatSn;
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final ArrayDeque<Task> waiting = new ArrayDeque<>();
    private final Map<Integer, Tmf> tmfs = new HashMap<>();
    private TextExchange text;
    private int logoutItt = RESERVED;
    private int nextItt = 1;
    private int pingItt = RESERVED;
    private long pingSentNanos;
    private long lastReceiveNanos;
    /** When the session last went from no command sent to one (the busy quiet counts from here). */
    private long busySinceNanos;
    private long pingDueNanos;
    private ScheduledFuture<?> pingTimer;
    /** A flush is queued behind the tasks now in the loop's queue (one flush for a burst of submits). */
    private boolean flushQueued;
    private final Runnable queuedFlush = () -> {
        flushQueued = false;
        flush();
    };
    private ScheduledFuture<?> loginTimer;
    private ScheduledFuture<?> reconnectTimer;
    private ScheduledFuture<?> logoutTimer;
    private int attempts;
    private int redirects;
    private InetSocketAddress redirectTo;
    private boolean closeRequested;
    private long time2WaitMillis;
    private String lastLoginFailure;

    IscsiSession(IscsiInitiator initiator, SessionSpec spec, EventLoop loop, long isid, boolean recover) {
        this.initiator = initiator;
        this.config = initiator.config();
        this.spec = spec;
        this.loop = loop;
        this.isid = isid;
        this.recover = recover;
        this.name = spec.toString();
    }

    // ------------------------------------------------------------------ public API

    /** Where this session goes. */
    public SessionSpec spec() {
        return spec;
    }

    public String targetName() {
        return spec.targetName();
    }

    /** The local source address, or null when any address may be used. */
    public InetAddress hostPort() {
        return spec.hostPort();
    }

    /** The target portal (storage port). */
    public InetSocketAddress portal() {
        return spec.portal();
    }

    /** The ISID, 48 bits (RFC 7143 11.12.5), the same across reconnections. */
    public long isid() {
        return isid;
    }

    public SessionState state() {
        return state;
    }

    /** Whether commands are accepted now. */
    public boolean isLoggedIn() {
        return state == SessionState.LOGGED_IN;
    }

    /** Why the session entered its current state. */
    public String stateReason() {
        return lastReason;
    }

    /** The parameters negotiated at the last successful login, or null before the first. */
    public NegotiatedParameters parameters() {
        return params;
    }

    /** The TargetPortalGroupTag of the last login, or -1. */
    public int targetPortalGroupTag() {
        return tpgt;
    }

    /** The TargetAlias of the last login, or null. */
    public String targetAlias() {
        return targetAlias;
    }

    /** Commands in the session now (sent, or waiting for the CmdSN window). */
    public int outstanding() {
        return outstanding;
    }

    public SessionStats stats() {
        long ping = pingRoundTripNanos;
        return new SessionStats(outstanding, completed, failed, bytesRead, bytesWritten, logins,
                Duration.ofNanos(latencyNanos), ping < 0 ? null : Duration.ofNanos(ping));
    }

    /**
     * Completes when the first login succeeds; fails with the first attempt's error
     * ({@link LoginFailedException}, or an {@link IOException} when the portal cannot be
     * reached). A normal session keeps trying in the background either way.
     */
    public CompletableFuture<Void> firstLogin() {
        return firstLogin.copy();
    }

    /** Completes once the session is CLOSED. */
    public CompletableFuture<Void> closeFuture() {
        return closed.copy();
    }

    public void addListener(SessionListener listener) {
        listeners.add(listener);
    }

    public void removeListener(SessionListener listener) {
        listeners.remove(listener);
    }

    /**
     * Sends a SCSI command. Never blocks and never throws for a session in the wrong state: the
     * outcome says so ({@link FailureKind#NOT_LOGGED_IN}). See the class comment for threads
     * and {@link ScsiRequest}/{@link ScsiOutcome} for buffers.
     */
    public CompletableFuture<ScsiOutcome> submit(ScsiRequest request) {
        CompletableFuture<ScsiOutcome> future = new CompletableFuture<>();
        ByteBuf data = request.dataOut() == null ? null : request.dataOut().retainedDuplicate();
        Task task = new Task(request, future, data, System.nanoTime());
        if (!execute(() -> accept(task))) {
            task.releaseBuffers();
            future.complete(new ScsiOutcome.TransportFailure(FailureKind.SESSION_CLOSED, name + ": session is closed"));
        }
        return future;
    }

    /**
     * Sends a task management function that applies to a whole LUN or target (ABORT TASK SET,
     * CLEAR TASK SET, LOGICAL UNIT RESET, TARGET WARM RESET, TARGET COLD RESET, CLEAR ACA). When
     * the target answers FUNCTION COMPLETE, this session's commands it affected end with
     * {@link FailureKind#ABORTED}. Fails with {@link IllegalStateException} when not logged in
     * and {@link TimeoutException} when unanswered within the task management timeout.
     */
    public CompletableFuture<TaskManagementResponse> taskManagement(TaskManagementFunction function, int lun) {
        switch (function) {
            case ABORT_TASK_SET, CLEAR_TASK_SET, LOGICAL_UNIT_RESET, TARGET_WARM_RESET, TARGET_COLD_RESET,
                 CLEAR_ACA -> {
            }
            default -> throw new IllegalArgumentException(function + " is not a function over a LUN or target");
        }
        long lunField = SamLun.encode(lun);
        CompletableFuture<TaskManagementResponse> out = new CompletableFuture<>();
        if (!execute(() -> sendTmf(function, lunField, RESERVED, 0).whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
                return;
            }
            if (r == TaskManagementResponse.FUNCTION_COMPLETE) {
                boolean wholeTarget = function == TaskManagementFunction.TARGET_WARM_RESET
                        || function == TaskManagementFunction.TARGET_COLD_RESET;
                if (function != TaskManagementFunction.CLEAR_ACA) {
                    abortTasks(t -> wholeTarget || t.lunField == lunField, function + " by the session's owner");
                }
            }
            out.complete(r);
        }))) {
            out.completeExceptionally(new IllegalStateException(name + ": session is closed"));
        }
        return out;
    }

    /**
     * Logs out (waiting up to the logout timeout for outstanding commands, then up to the logout
     * timeout for the Logout Response), closes the connection and stops reconnecting. Commands
     * still outstanding end with {@link FailureKind#SESSION_CLOSED}. Safe to call twice.
     */
    public CompletableFuture<Void> closeAsync() {
        if (!execute(this::requestClose)) {
            state = SessionState.CLOSED;
            closed.complete(null);
        }
        return closed.copy();
    }

    /**
     * {@link #closeAsync()}, waiting for it (bounded by twice the logout timeout plus a second);
     * on the session's own thread (a listener, a future's callback) it does not wait.
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeAsync();
            return;
        }
        try {
            closeAsync().get(config.logoutTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("session {}: close did not finish: {}", name, e.toString());
        }
    }

    @Override
    public String toString() {
        return "IscsiSession[" + name + ", isid=0x" + Long.toHexString(isid) + ", " + state + "]";
    }

    // ------------------------------------------------------------------ life cycle

    void start() {
        if (!execute(this::connect)) {
            firstLogin.completeExceptionally(new IllegalStateException("initiator is closed"));
        }
    }

    /** Runs {@code r} on the loop; false when the loop no longer runs anything. */
    private boolean execute(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
            return true;
        }
        try {
            loop.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void moveTo(SessionState next, String reason) {
        SessionState from = state;
        if (from == next) {
            return;
        }
        if (!from.canMoveTo(next)) {
            throw new IllegalStateException("session " + name + ": " + from + " -> " + next + " is not allowed");
        }
        log.debug("session {}: {} -> {} ({})", name, from, next, reason);
        state = next;
        lastReason = reason;
        for (SessionListener l : listeners) {
            try {
                l.stateChanged(this, from, next, reason);
            } catch (RuntimeException e) {
                log.warn("session {}: listener failed: {}", name, e.toString(), e);
            }
        }
        if (next == SessionState.CLOSED) {
            initiator.removed(this);
            closed.complete(null);
        }
    }

    private void connect() {
        reconnectTimer = null;
        if (closeRequested) {
            moveTo(SessionState.CLOSED, "closed");
            return;
        }
        InetSocketAddress target = redirectTo != null ? redirectTo : spec.portal();
        redirectTo = null;
        moveTo(SessionState.CONNECTING, "connecting to " + target);
        Connection c = new Connection();
        conn = c;
        var bootstrap = initiator.bootstrap(loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                c.install(ch);
            }
        });
        ChannelFuture f = spec.hostPort() == null ? bootstrap.connect(target)
                : bootstrap.connect(target, new InetSocketAddress(spec.hostPort(), 0));
        c.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                Throwable cause = done.cause();
                lost(c, FailureKind.CONNECTION_LOST, "cannot connect to " + target
                        + (spec.hostPort() == null ? "" : " from " + spec.hostPort().getHostAddress()) + ": "
                        + (cause == null ? "cancelled" : cause.getMessage()), asIoException(cause));
            }
        });
    }

    private static IOException asIoException(Throwable cause) {
        return cause instanceof IOException io ? io
                : new ConnectException(cause == null ? "connect cancelled" : cause.toString());
    }

    private void connected(Connection c) {
        if (c != conn) {
            return;
        }
        moveTo(SessionState.LOGGING_IN, "logging in");
        cmdSn = INITIAL_CMD_SN;
        login = new InitiatorLogin(config.initiatorName(), config.initiatorAlias(), spec.targetName(), isid,
                allocateItt(), CID, cmdSn, spec.auth(), config.negotiation());
        loginTimer = loop.schedule(() -> {
            loginTimer = null;
            lost(c, FailureKind.CONNECTION_LOST, "login did not complete within "
                    + config.loginTimeout().toMillis() + " ms", new LoginFailedException(null,
                    "login to " + name + " did not complete within " + config.loginTimeout().toMillis() + " ms"));
        }, config.loginTimeout().toNanos(), TimeUnit.NANOSECONDS);
        write(login.first());
        flush();
    }

    private void onLoginResponse(Connection c, LoginResponse r) {
        InitiatorLogin.Step step;
        try {
            step = login.onResponse(r);
        } finally {
            r.release();
        }
        switch (step) {
            case InitiatorLogin.Send s -> {
                write(s.request());
                flush();
            }
            case InitiatorLogin.Failed f -> {
                InetSocketAddress redirect = f.redirect() == null ? null : redirectAddress(f.redirect());
                if (redirect != null && ++redirects <= MAX_REDIRECTS) {
                    log.info("session {}: {}", name, f.failure().getMessage());
                    redirectTo = redirect;
                    attempts = -1; // the redirected attempt goes at once
                } else if (!f.failure().getMessage().equals(lastLoginFailure)) {
                    // Once per kind of failure: a session retrying every few seconds must not flood the log.
                    log.warn("session {}: login failed: {}", name, f.failure().getMessage());
                } else {
                    log.debug("session {}: login failed again: {}", name, f.failure().getMessage());
                }
                lastLoginFailure = f.failure().getMessage();
                lost(c, FailureKind.CONNECTION_LOST, "login failed: " + f.failure().getMessage(), f.failure());
            }
            case InitiatorLogin.Complete done -> loggedIn(c, done.result());
        }
    }

    private InetSocketAddress redirectAddress(String targetAddress) {
        try {
            DiscoveredTarget.TargetPortal p = DiscoveredTarget.TargetPortal.parse(targetAddress);
            InetSocketAddress a = new InetSocketAddress(p.host(), p.port());
            return a.isUnresolved() ? null : a;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void loggedIn(Connection c, InitiatorLogin.Result r) {
        cancel(loginTimer);
        loginTimer = null;
        login = null;
        NegotiatedParameters p = r.parameters();
        // Digests and limits apply from the first full-feature PDU on (RFC 7143 13.1, 13.12).
        c.decoder.setHeaderDigest(p.headerDigestCrc32c());
        c.decoder.setDataDigest(p.dataDigestCrc32c());
        c.decoder.setMaxRecvDataSegmentLength(p.initiatorMaxRecvDataSegmentLength());
        c.encoder.setHeaderDigest(p.headerDigestCrc32c());
        c.encoder.setDataDigest(p.dataDigestCrc32c());
        params = p;
        tpgt = r.tpgt();
        targetAlias = r.targetAlias();
        // The leading login does not consume a CmdSN: the first command carries the login's CmdSN.
        cmdSn = r.expCmdSn();
        expCmdSn = r.expCmdSn();
        maxCmdSn = r.maxCmdSn();
        expStatSn = r.statSn() + 1;
        attempts = 0;
        redirects = 0;
        lastLoginFailure = null;
        time2WaitMillis = 0;
        logins++;
        lastReceiveNanos = System.nanoTime();
        log.info("session {}: logged in (tsih={}, tpgt={}, MaxCmdSN window {}, ImmediateData={}, InitialR2T={},"
                        + " FirstBurst={}, MaxBurst={}, MRDSL in/out {}/{})", name, r.tsih(), r.tpgt(),
                maxCmdSn - expCmdSn + 1, p.immediateData(), p.initialR2T(), p.firstBurstLength(),
                p.maxBurstLength(), p.initiatorMaxRecvDataSegmentLength(), p.targetMaxRecvDataSegmentLength());
        moveTo(SessionState.LOGGED_IN, "logged in");
        firstLogin.complete(null);
        armPing();
    }

    /**
     * The connection is gone or must go. Everything tied to it ends: commands with {@code kind}
     * (COMMAND_TIMEOUT for those already timed out), task management and text exchanges
     * exceptionally. Then the session recovers or closes.
     */
    private void lost(Connection c, FailureKind kind, String reason, Throwable loginError) {
        if (c != conn) {
            return;
        }
        conn = null;
        SessionState was = state;
        cancel(loginTimer);
        cancel(pingTimer);
        cancel(logoutTimer);
        loginTimer = null;
        pingTimer = null;
        logoutTimer = null;
        pingItt = RESERVED;
        logoutItt = RESERVED;
        login = null;
        if (c.channel != null) {
            if (kind == FailureKind.PING_TIMEOUT || kind == FailureKind.CONNECTION_LOST) {
                abortive(c.channel);
            }
            c.channel.close();
        }
        String why = name + ": " + reason;
        if (was == SessionState.LOGGED_IN || was == SessionState.LOGGING_OUT) {
            log.info("session {}: connection ended: {}", name, reason);
        } else {
            log.debug("session {}: attempt failed: {}", name, reason);
        }
        // The state changes first, so whoever sees a failed command finds the session out of service.
        boolean closing = closeRequested || !recover;
        moveTo(closing ? SessionState.CLOSED : SessionState.RECOVERY, reason);
        failAll(kind, why);
        if (!firstLogin.isDone() && (redirectTo == null || closing)) {
            // A redirection is no failure: the next attempt follows it at once.
            firstLogin.completeExceptionally(loginError != null ? loginError
                    : closing ? new IllegalStateException(why) : new ConnectException(why));
        }
        if (closing) {
            return;
        }
        long delay = attempts < 0 ? 0 : Math.max(config.reconnect().delay(attempts).toMillis(), time2WaitMillis);
        attempts = Math.max(0, attempts + 1);
        time2WaitMillis = 0;
        reconnectTimer = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Makes the next close a reset (SO_LINGER 0): the kernel drops what it still holds for the
     * target instead of retransmitting it for minutes, so that a command the multipath driver has
     * already sent through another path cannot reach the target late through this one.
     */
    private static void abortive(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
            }
        } catch (RuntimeException e) {
            log.debug("cannot set SO_LINGER before the reset: {}", e.toString());
        }
    }

    /** Drops the current connection, if any. */
    private void drop(FailureKind kind, String reason) {
        Connection c = conn;
        if (c != null) {
            lost(c, kind, reason, null);
        }
    }

    private void requestClose() {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        cancel(reconnectTimer);
        reconnectTimer = null;
        switch (state) {
            case NEW, RECOVERY -> {
                if (!firstLogin.isDone()) {
                    firstLogin.completeExceptionally(new IllegalStateException(name + ": closed before logging in"));
                }
                moveTo(SessionState.CLOSED, "closed");
            }
            case CONNECTING, LOGGING_IN -> drop(FailureKind.SESSION_CLOSED, "closed during login");
            case LOGGED_IN -> startLogout("closing");
            case LOGGING_OUT, CLOSED -> {
                // a logout is under way, or nothing is left to do
            }
        }
    }

    /**
     * Leaves the full feature phase: no new commands; the accepted ones may finish within the
     * logout timeout; then Logout (close the session) and, on its response, the connection closes.
     */
    private void startLogout(String reason) {
        moveTo(SessionState.LOGGING_OUT, reason);
        logoutTimer = loop.schedule(this::sendLogout, config.logoutTimeout().toNanos(), TimeUnit.NANOSECONDS);
        maybeLogoutNow();
    }

    private void maybeLogoutNow() {
        if (state == SessionState.LOGGING_OUT && logoutItt == RESERVED && tasks.isEmpty() && waiting.isEmpty()) {
            sendLogout();
        }
    }

    private void sendLogout() {
        if (state != SessionState.LOGGING_OUT || logoutItt != RESERVED || conn == null) {
            return;
        }
        cancel(logoutTimer);
        logoutItt = allocateItt();
        write(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, logoutItt, CID, cmdSn, expStatSn));
        flush();
        Connection c = conn;
        logoutTimer = loop.schedule(() -> lost(c, closeRequested ? FailureKind.SESSION_CLOSED : FailureKind.CONNECTION_LOST,
                "no Logout Response within " + config.logoutTimeout().toMillis() + " ms", null),
                config.logoutTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ commands

    private void accept(Task t) {
        if (state != SessionState.LOGGED_IN) {
            FailureKind kind = state == SessionState.CLOSED || closeRequested ? FailureKind.SESSION_CLOSED
                    : FailureKind.NOT_LOGGED_IN;
            t.releaseBuffers();
            failed++;
            t.future.complete(new ScsiOutcome.TransportFailure(kind, name + ": session is " + state
                    + " (" + lastReason + ")"));
            return;
        }
        if (tasks.size() + waiting.size() >= config.maxQueuedCommands()) {
            t.releaseBuffers();
            failed++;
            t.future.complete(new ScsiOutcome.TransportFailure(FailureKind.QUEUE_FULL, name + ": "
                    + config.maxQueuedCommands() + " commands already queued"));
            return;
        }
        Duration timeout = t.request.timeout() != null ? t.request.timeout() : config.commandTimeout();
        t.timeoutNanos = timeout.toNanos();
        t.timer = loop.schedule(() -> timedOut(t), t.timeoutNanos, TimeUnit.NANOSECONDS);
        outstanding = tasks.size() + waiting.size() + 1;
        if (waiting.isEmpty() && windowOpen()) {
            send(t);
            flushSoon();
        } else {
            waiting.add(t);
        }
    }

    private boolean windowOpen() {
        return SerialNumbers.lessOrEqual(cmdSn, maxCmdSn);
    }

    /** Sends what the window now allows. */
    private void drainWaiting() {
        boolean sent = false;
        while (!waiting.isEmpty() && windowOpen() && conn != null
                && (state == SessionState.LOGGED_IN || state == SessionState.LOGGING_OUT)) {
            send(waiting.poll());
            sent = true;
        }
        if (sent) {
            flush();
        }
    }

    /**
     * Sends the command with its immediate data and unsolicited Data-Out (RFC 7143 4.2.5.2):
     * immediate data up to min(FirstBurstLength, target MRDSL) with ImmediateData=Yes; with
     * InitialR2T=No, unsolicited Data-Out PDUs up to FirstBurstLength in all. The F bit says
     * whether unsolicited Data-Out follows.
     */
    private void send(Task t) {
        NegotiatedParameters p = params;
        ScsiRequest r = t.request;
        t.itt = allocateItt();
        t.cmdSn = cmdSn;
        cmdSn++;
        t.lunField = SamLun.encode(r.lun());
        t.sent = true;
        boolean wasIdle = tasks.isEmpty();
        tasks.put(t.itt, t);
        if (wasIdle) {
            becameBusy(System.nanoTime());
        }
        boolean write = r.direction() == ScsiRequest.Direction.WRITE && r.transferLength() > 0;
        int immediate = 0;
        int unsolicited = 0;
        if (write) {
            int maxPdu = p.targetMaxRecvDataSegmentLength();
            if (p.immediateData()) {
                immediate = Math.min(r.transferLength(), Math.min(p.firstBurstLength(), maxPdu));
            }
            unsolicited = p.initialR2T() ? immediate : Math.min(r.transferLength(), p.firstBurstLength());
        }
        t.unsolicitedEnd = unsolicited;
        ByteBuf immediateData = immediate > 0
                ? t.dataOut.retainedSlice(t.dataOut.readerIndex(), immediate) : Unpooled.EMPTY_BUFFER;
        write(new ScsiCommand(false, unsolicited == immediate,
                r.direction() == ScsiRequest.Direction.READ, r.direction() == ScsiRequest.Direction.WRITE,
                r.attribute().wire(), t.lunField, t.itt, r.transferLength(), t.cmdSn, expStatSn, r.cdb(), -1,
                immediateData));
        if (unsolicited > immediate) {
            sendData(t, RESERVED, immediate, unsolicited - immediate);
        }
    }

    /** Data-Out PDUs for [offset, offset + length), each at most the target's MRDSL (RFC 7143 11.7). */
    private void sendData(Task t, int ttt, int offset, int length) {
        int maxPdu = params.targetMaxRecvDataSegmentLength();
        int end = offset + length;
        int dataSn = 0;
        for (int at = offset; at < end; ) {
            int n = Math.min(maxPdu, end - at);
            write(new DataOut(at + n == end, t.lunField, t.itt, ttt, expStatSn, dataSn++, at,
                    t.dataOut.retainedSlice(t.dataOut.readerIndex() + at, n)));
            at += n;
        }
    }

    private void onR2t(ReadyToTransfer r) {
        Task t = tasks.get(r.itt());
        if (t == null) {
            log.debug("session {}: R2T for unknown itt=0x{}", name, Integer.toHexString(r.itt()));
            return;
        }
        long offset = Integer.toUnsignedLong(r.bufferOffset());
        long length = Integer.toUnsignedLong(r.desiredDataTransferLength());
        if (t.request.direction() != ScsiRequest.Direction.WRITE || length == 0
                || offset + length > t.request.transferLength() || r.r2tSn() != t.nextR2tSn
                || length > params.maxBurstLength()) {
            drop(FailureKind.CONNECTION_LOST, String.format("protocol error: R2T itt=0x%x R2TSN %d offset %d length %d"
                            + " for a %s of %d bytes (expected R2TSN %d, at most MaxBurstLength %d)", r.itt(),
                    Integer.toUnsignedLong(r.r2tSn()), offset, length, t.request.direction(),
                    t.request.transferLength(), t.nextR2tSn, params.maxBurstLength()));
            return;
        }
        t.nextR2tSn++;
        if (t.timedOut) {
            return; // an ABORT TASK is on its way; the target drops the task's data
        }
        sendData(t, r.ttt(), (int) offset, (int) length);
        flush();
    }

    private void onDataIn(DataIn d) {
        if (d.statusPresent()) {
            statSn(d.statSn());
        }
        Task t = tasks.get(d.itt());
        if (t == null) {
            log.debug("session {}: Data-In for unknown itt=0x{}", name, Integer.toHexString(d.itt()));
            d.release();
            return;
        }
        int length = d.data().readableBytes();
        if (t.request.direction() != ScsiRequest.Direction.READ && length > 0
                || d.dataSn() != t.nextDataSn || d.bufferOffset() != t.received
                || (long) t.received + length > t.request.transferLength()) {
            d.release();
            drop(FailureKind.CONNECTION_LOST, String.format("protocol error: Data-In itt=0x%x DataSN %d offset %d"
                            + " length %d (expected DataSN %d, offset %d, at most %d bytes in all)", d.itt(),
                    Integer.toUnsignedLong(d.dataSn()), Integer.toUnsignedLong(d.bufferOffset()), length,
                    t.nextDataSn, t.received, t.request.transferLength()));
            return;
        }
        t.nextDataSn++;
        t.received += length;
        if (length > 0) {
            if (t.dataIn == null) {
                t.dataIn = conn.channel.alloc().compositeBuffer(Integer.MAX_VALUE);
            }
            t.dataIn.addComponent(true, d.data());
        } else {
            d.release();
        }
        if (d.statusPresent()) {
            ended(t, d.status(), new ScsiOutcome.Residual(d.overflow(), d.underflow(), d.residualCount()), null);
        }
    }

    private void onScsiResponse(ScsiResponse r) {
        statSn(r.statSn());
        Task t = tasks.get(r.itt());
        if (t == null) {
            log.debug("session {}: SCSI Response for unknown itt=0x{}", name, Integer.toHexString(r.itt()));
            r.release();
            return;
        }
        byte[] sense = senseOf(r.data());
        r.release();
        if (r.response() != 0) {
            finish(t, new ScsiOutcome.TransportFailure(FailureKind.TARGET_FAILURE, String.format(
                    "%s: target answered iSCSI response 0x%02x (target failure) for %s", name, r.response(), t.request)));
            return;
        }
        ended(t, r.status(), new ScsiOutcome.Residual(r.overflow(), r.underflow(), r.residualCount()), sense);
    }

    /** The sense data of a SCSI Response data segment: SenseLength (2 bytes), then the sense. */
    private static byte[] senseOf(ByteBuf data) {
        if (data.readableBytes() < 2) {
            return null;
        }
        int length = data.getUnsignedShort(data.readerIndex());
        int available = Math.min(length, data.readableBytes() - 2);
        if (available <= 0) {
            return null;
        }
        byte[] sense = new byte[Math.min(available, SenseData.MAX_LENGTH)];
        data.getBytes(data.readerIndex() + 2, sense);
        return sense;
    }

    private void ended(Task t, int status, ScsiOutcome.Residual residual, byte[] sense) {
        ScsiOutcome outcome;
        if (status == ScsiStatus.GOOD.wire()) {
            ByteBuf data = t.dataIn != null ? t.dataIn : Unpooled.EMPTY_BUFFER;
            t.dataIn = null;
            outcome = new ScsiOutcome.Good(data, residual);
            bytesRead += data.readableBytes();
            if (t.request.direction() == ScsiRequest.Direction.WRITE) {
                bytesWritten += t.request.transferLength();
            }
        } else if (status == ScsiStatus.CHECK_CONDITION.wire()) {
            SenseData decoded = null;
            if (sense != null) {
                try {
                    decoded = SenseData.parse(sense);
                } catch (IllegalArgumentException e) {
                    log.debug("session {}: undecodable sense data: {}", name, e.getMessage());
                }
            }
            outcome = new ScsiOutcome.CheckCondition(decoded, residual);
        } else {
            outcome = new ScsiOutcome.OtherStatus(status, residual);
        }
        finish(t, outcome);
    }

    /** Ends a task: out of the tables, timers off, buffers released, future completed. */
    private void finish(Task t, ScsiOutcome outcome) {
        if (t.sent) {
            tasks.remove(t.itt, t);
        } else {
            waiting.remove(t);
        }
        cancel(t.timer);
        t.releaseBuffers();
        outstanding = tasks.size() + waiting.size();
        if (outcome instanceof ScsiOutcome.TransportFailure) {
            failed++;
        } else {
            completed++;
            long took = System.nanoTime() - t.submittedNanos;
            long avg = latencyNanos;
            latencyNanos = avg == 0 ? took : avg + (took - avg) / 16;
        }
        if (!t.future.complete(outcome)) {
            outcome.release();
        }
        if (state == SessionState.LOGGING_OUT) {
            maybeLogoutNow();
        }
    }

    private void failAll(FailureKind kind, String reason) {
        List<Task> all = new ArrayList<>(tasks.values());
        all.addAll(waiting);
        for (Task t : all) {
            finish(t, new ScsiOutcome.TransportFailure(t.timedOut ? FailureKind.COMMAND_TIMEOUT : kind,
                    t.timedOut ? reason + " (after the command timed out)" : reason));
        }
        tasks.clear();
        waiting.clear();
        outstanding = 0;
        for (Tmf m : tmfs.values()) {
            cancel(m.timer);
            m.future.completeExceptionally(new IOException(reason));
        }
        tmfs.clear();
        if (text != null) {
            TextExchange x = text;
            text = null;
            x.future.completeExceptionally(new IOException(reason));
        }
    }

    /**
     * Command timeout: a command never sent simply ends; a sent one is aborted (ABORT TASK, then
     * LOGICAL UNIT RESET), and its outcome is reported once the target confirmed it will not run.
     */
    private void timedOut(Task t) {
        t.timer = null;
        if (t.future.isDone()) {
            return;
        }
        String what = t.request + " had no status after " + Duration.ofNanos(t.timeoutNanos).toMillis() + " ms";
        if (!t.sent) {
            finish(t, new ScsiOutcome.TransportFailure(FailureKind.COMMAND_TIMEOUT, name + ": " + what
                    + "; never sent (CmdSN window closed)"));
            return;
        }
        t.timedOut = true;
        log.warn("session {}: itt=0x{} {}; sending ABORT TASK", name, Integer.toHexString(t.itt), what);
        sendTmf(TaskManagementFunction.ABORT_TASK, t.lunField, t.itt, t.cmdSn).whenComplete((r, e) -> {
            if (tasks.get(t.itt) != t) {
                return; // the status came after all, or the connection is gone
            }
            if (e == null && (r == TaskManagementResponse.FUNCTION_COMPLETE || r == TaskManagementResponse.TASK_DOES_NOT_EXIST)) {
                finish(t, new ScsiOutcome.TransportFailure(FailureKind.COMMAND_TIMEOUT, name + ": " + what
                        + "; aborted (" + r + ")"));
                return;
            }
            if (e != null) {
                drop(FailureKind.CONNECTION_LOST, "ABORT TASK for itt=0x" + Integer.toHexString(t.itt)
                        + " failed: " + e.getMessage());
                return;
            }
            log.warn("session {}: ABORT TASK answered {}; sending LOGICAL UNIT RESET", name, r);
            sendTmf(TaskManagementFunction.LOGICAL_UNIT_RESET, t.lunField, RESERVED, 0).whenComplete((r2, e2) -> {
                if (e2 == null && r2 == TaskManagementResponse.FUNCTION_COMPLETE) {
                    abortTasks(x -> x.lunField == t.lunField, "LOGICAL UNIT RESET after a command timeout");
                } else if (tasks.get(t.itt) == t) {
                    drop(FailureKind.CONNECTION_LOST, "LOGICAL UNIT RESET after a command timeout failed: "
                            + (e2 != null ? e2.getMessage() : r2));
                }
            });
        });
    }

    private void abortTasks(java.util.function.Predicate<Task> affected, String why) {
        for (Task x : new ArrayList<>(tasks.values())) {
            if (affected.test(x)) {
                finish(x, new ScsiOutcome.TransportFailure(x.timedOut ? FailureKind.COMMAND_TIMEOUT : FailureKind.ABORTED,
                        name + ": " + x.request + " ended by " + why));
            }
        }
    }

    private CompletableFuture<TaskManagementResponse> sendTmf(TaskManagementFunction f, long lunField, int refItt,
                                                             int refCmdSn) {
        CompletableFuture<TaskManagementResponse> future = new CompletableFuture<>();
        if (conn == null || (state != SessionState.LOGGED_IN && state != SessionState.LOGGING_OUT)) {
            future.completeExceptionally(new IllegalStateException(name + ": not logged in (" + state + ")"));
            return future;
        }
        int itt = allocateItt();
        Tmf m = new Tmf(f, future);
        tmfs.put(itt, m);
        m.timer = loop.schedule(() -> {
            if (tmfs.remove(itt) == m) {
                future.completeExceptionally(new TimeoutException(f + " unanswered within "
                        + config.taskManagementTimeout().toMillis() + " ms"));
            }
        }, config.taskManagementTimeout().toNanos(), TimeUnit.NANOSECONDS);
        // Immediate, so it passes commands waiting in the target's CmdSN queue (RFC 7143 4.2.2.1).
        write(new TaskMgmtRequest(true, f.wire(), lunField, itt, refItt, cmdSn, expStatSn,
                f == TaskManagementFunction.ABORT_TASK ? refCmdSn : 0, 0));
        flush();
        return future;
    }

    private void onTmfResponse(TaskMgmtResponse r) {
        statSn(r.statSn());
        Tmf m = tmfs.remove(r.itt());
        if (m == null) {
            return;
        }
        cancel(m.timer);
        TaskManagementResponse response = TaskManagementResponse.FUNCTION_REJECTED;
        for (TaskManagementResponse x : TaskManagementResponse.values()) {
            if (x.wire() == r.response()) {
                response = x;
            }
        }
        log.debug("session {}: {} answered {}", name, m.function, response);
        m.future.complete(response);
    }

    // ------------------------------------------------------------------ text, NOP, async, reject

    /** A Text exchange (RFC 7143 11.10), collecting a long answer with the target's TTT. */
    CompletableFuture<List<KeyValue>> text(List<KeyValue> keys) {
        CompletableFuture<List<KeyValue>> future = new CompletableFuture<>();
        if (!execute(() -> {
            if (conn == null || state != SessionState.LOGGED_IN || text != null) {
                future.completeExceptionally(new IllegalStateException(name + ": cannot send Text now (" + state + ")"));
                return;
            }
            text = new TextExchange(allocateItt(), future);
            write(new TextRequest(true, true, false, 0, text.itt, RESERVED, cmdSn, expStatSn,
                    Unpooled.wrappedBuffer(TextKeys.encode(keys))));
            flush();
        })) {
            future.completeExceptionally(new IllegalStateException(name + ": session is closed"));
        }
        return future;
    }

    private void onText(TextResponse r) {
        statSn(r.statSn());
        TextExchange x = text;
        if (x == null || r.itt() != x.itt) {
            r.release();
            return;
        }
        boolean complete;
        try {
            complete = x.incoming.append(r.data(), r.cont()) && r.finalPdu();
        } catch (RuntimeException e) {
            text = null;
            x.future.completeExceptionally(e);
            return;
        } finally {
            r.release();
        }
        if (!complete) {
            // RFC 7143 11.10.4: an empty request with the target's TTT asks for the rest.
            write(new TextRequest(true, true, false, 0, x.itt, r.ttt(), cmdSn, expStatSn, Unpooled.EMPTY_BUFFER));
            flush();
            return;
        }
        text = null;
        try {
            x.future.complete(TextKeys.parsePairs(x.incoming.take(), true));
        } catch (RuntimeException e) {
            x.future.completeExceptionally(e);
        }
    }

    private void armPing() {
        cancel(pingTimer);
        pingTimer = null;
        long interval = config.pingInterval().toNanos();
        if (interval == 0 || conn == null) {
            return;
        }
        long due = pingItt != RESERVED ? pingSentNanos + config.pingTimeout().toNanos() : quietSince() + quietLimit();
        pingDueNanos = due;
        pingTimer = loop.schedule(this::pingTick, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Since when nothing has arrived that shows the path works for the commands in it. */
    private long quietSince() {
        return tasks.isEmpty() ? lastReceiveNanos : Math.max(lastReceiveNanos, busySinceNanos);
    }

    /** The quiet allowed before a ping: shorter while commands wait for the target. */
    private long quietLimit() {
        return tasks.isEmpty() ? config.pingInterval().toNanos() : config.busyPingDelay().toNanos();
    }

    /**
     * A command was sent into an idle session: the ping is now due after the busy delay, not the
     * idle interval, so that a silent path holding I/O is found out early.
     */
    private void becameBusy(long now) {
        busySinceNanos = now;
        if (pingItt == RESERVED && config.pingInterval().toNanos() > 0 && conn != null
                && (pingTimer == null || pingDueNanos - (now + config.busyPingDelay().toNanos()) > 0)) {
            armPing();
        }
    }

    /**
     * Path check: a NOP-Out ping once nothing has arrived for the ping interval (the busy delay
     * with commands outstanding); the connection is dropped when its NOP-In answer is missing
     * after the ping timeout (RFC 7143 11.18).
     */
    private void pingTick() {
        pingTimer = null;
        if (conn == null || (state != SessionState.LOGGED_IN && state != SessionState.LOGGING_OUT)) {
            return;
        }
        long now = System.nanoTime();
        if (pingItt != RESERVED) {
            if (now - pingSentNanos >= config.pingTimeout().toNanos()) {
                drop(FailureKind.PING_TIMEOUT, "ping timeout: no NOP-In within "
                        + config.pingTimeout().toMillis() + " ms of the NOP-Out");
                return;
            }
        } else if (now - quietSince() >= quietLimit()) {
            pingItt = allocateItt();
            pingSentNanos = now;
            write(new NopOut(true, 0, pingItt, RESERVED, cmdSn, expStatSn, Unpooled.EMPTY_BUFFER));
            flush();
        }
        armPing();
    }

    private void onNopIn(NopIn n) {
        if (n.itt() != RESERVED) {
            statSn(n.statSn());
            if (n.itt() == pingItt) {
                pingRoundTripNanos = System.nanoTime() - pingSentNanos;
                pingItt = RESERVED;
                armPing();
            }
            n.release();
            return;
        }
        if (n.ttt() != RESERVED) {
            // The target's ping: echo its TTT and data, immediately (RFC 7143 11.18.5).
            write(new NopOut(true, n.lun(), RESERVED, n.ttt(), cmdSn, expStatSn, n.data()));
            flush();
            return;
        }
        n.release();
    }

    private void onAsync(AsyncMessage a) {
        statSn(a.statSn());
        SenseData sense = null;
        if (a.asyncEvent() == AsyncEvent.SCSI_EVENT) {
            byte[] bytes = senseOf(a.data());
            if (bytes != null) {
                try {
                    sense = SenseData.parse(bytes);
                } catch (IllegalArgumentException e) {
                    log.debug("session {}: undecodable async sense: {}", name, e.getMessage());
                }
            }
        }
        a.release();
        AsyncEvent event = new AsyncEvent(a.asyncEvent() == AsyncEvent.SCSI_EVENT ? SamLun.decode(a.lun()) : -1,
                a.asyncEvent(), a.asyncVCode(), a.parameter1(), a.parameter2(), a.parameter3(), sense);
        log.info("session {}: Async Message event {}{}", name, a.asyncEvent(), sense == null ? "" : " " + sense);
        switch (a.asyncEvent()) {
            case AsyncEvent.LOGOUT_REQUESTED -> {
                if (state == SessionState.LOGGED_IN) {
                    startLogout("target requested logout");
                }
            }
            case AsyncEvent.CONNECTION_DROP, AsyncEvent.SESSION_DROP -> {
                time2WaitMillis = Math.max(0, a.parameter2()) * 1000L;
                drop(FailureKind.CONNECTION_LOST, "target announced it drops the "
                        + (a.asyncEvent() == AsyncEvent.SESSION_DROP ? "session" : "connection"));
            }
            default -> {
                // SCSI events, renegotiation requests and vendor events are the listeners' business.
            }
        }
        for (SessionListener l : listeners) {
            try {
                l.asyncEvent(this, event);
            } catch (RuntimeException e) {
                log.warn("session {}: listener failed: {}", name, e.toString(), e);
            }
        }
    }

    private void onLogoutResponse(LogoutResponse r) {
        statSn(r.statSn());
        if (r.itt() != logoutItt) {
            return;
        }
        time2WaitMillis = Math.max(0, r.time2Wait()) * 1000L;
        drop(closeRequested ? FailureKind.SESSION_CLOSED : FailureKind.CONNECTION_LOST,
                closeRequested ? "logged out" : "logged out at the target's request");
    }

    /** A Reject names the rejected PDU by its header (RFC 7143 11.17): end what it belonged to. */
    private void onReject(Reject r) {
        statSn(r.statSn());
        ByteBuf header = r.data();
        if (header.readableBytes() < 48) {
            r.release();
            return;
        }
        int opcodeValue = header.getByte(header.readerIndex()) & 0x3f;
        int itt = header.getInt(header.readerIndex() + 16);
        r.release();
        Opcode opcode = Opcode.of(opcodeValue);
        String reason = String.format("target rejected %s itt=0x%x: reason 0x%02x", opcode, itt, r.reason());
        log.debug("session {}: {}", name, reason);
        if (opcode == null) {
            return;
        }
        switch (opcode) {
            case SCSI_COMMAND, DATA_OUT -> {
                Task t = tasks.get(itt);
                if (t != null) {
                    finish(t, new ScsiOutcome.TransportFailure(FailureKind.REJECTED, name + ": " + reason));
                }
            }
            case NOP_OUT -> {
                if (itt == pingItt) {
                    pingItt = RESERVED; // an answer all the same: the path carries PDUs both ways
                    armPing();
                }
            }
            case TASK_MGMT_REQUEST -> {
                Tmf m = tmfs.remove(itt);
                if (m != null) {
                    cancel(m.timer);
                    m.future.complete(TaskManagementResponse.FUNCTION_REJECTED);
                }
            }
            case TEXT_REQUEST -> {
                if (text != null && text.itt == itt) {
                    TextExchange x = text;
                    text = null;
                    x.future.completeExceptionally(new IOException(reason));
                }
            }
            case LOGOUT_REQUEST -> {
                if (itt == logoutItt) {
                    drop(closeRequested ? FailureKind.SESSION_CLOSED : FailureKind.CONNECTION_LOST, reason);
                }
            }
            default -> {
            }
        }
    }

    // ------------------------------------------------------------------ inbound dispatch

    private void onMessage(Connection c, Object msg) {
        if (c != conn) {
            releaseMessage(msg);
            return;
        }
        lastReceiveNanos = System.nanoTime();
        if (msg instanceof InvalidPdu invalid) {
            invalid.release();
            // ErrorRecoveryLevel 0 has no in-connection recovery for a PDU we cannot take.
            drop(FailureKind.CONNECTION_LOST, "protocol error: " + invalid.message());
            return;
        }
        Pdu pdu = (Pdu) msg;
        if (pduLog.isTraceEnabled()) {
            pduLog.trace("<< {} {}", name, PduLog.format(pdu));
        }
        if (state == SessionState.LOGGING_IN) {
            if (pdu instanceof LoginResponse r) {
                onLoginResponse(c, r);
            } else {
                pdu.release();
                lost(c, FailureKind.CONNECTION_LOST, "protocol error: " + pdu.opcode() + " during login", null);
            }
            return;
        }
        window(pdu);
        switch (pdu) {
            case DataIn d -> onDataIn(d);
            case ScsiResponse r -> onScsiResponse(r);
            case ReadyToTransfer r -> onR2t(r);
            case NopIn n -> onNopIn(n);
            case TaskMgmtResponse r -> onTmfResponse(r);
            case TextResponse r -> onText(r);
            case LogoutResponse r -> onLogoutResponse(r);
            case AsyncMessage a -> onAsync(a);
            case Reject r -> onReject(r);
            default -> {
                pdu.release();
                drop(FailureKind.CONNECTION_LOST, "protocol error: " + pdu.opcode() + " in full feature phase");
            }
        }
        if (conn == c) {
            drainWaiting();
        }
    }

    private static void releaseMessage(Object msg) {
        if (msg instanceof Pdu p) {
            p.release();
        } else if (msg instanceof InvalidPdu i) {
            i.release();
        }
    }

    /**
     * ExpCmdSN and MaxCmdSN from a target PDU (RFC 7143 4.2.2.1): only forward, and a pair with
     * MaxCmdSN < ExpCmdSN - 1 is ignored.
     */
    private void window(Pdu pdu) {
        int exp;
        int max;
        switch (pdu) {
            case DataIn d -> { exp = d.expCmdSn(); max = d.maxCmdSn(); }
            case ScsiResponse r -> { exp = r.expCmdSn(); max = r.maxCmdSn(); }
            case ReadyToTransfer r -> { exp = r.expCmdSn(); max = r.maxCmdSn(); }
            case NopIn n -> { exp = n.expCmdSn(); max = n.maxCmdSn(); }
            case TaskMgmtResponse r -> { exp = r.expCmdSn(); max = r.maxCmdSn(); }
            case TextResponse r -> { exp = r.expCmdSn(); max = r.maxCmdSn(); }
            case LogoutResponse r -> { exp = r.expCmdSn(); max = r.maxCmdSn(); }
            case AsyncMessage a -> { exp = a.expCmdSn(); max = a.maxCmdSn(); }
            case Reject r -> { exp = r.expCmdSn(); max = r.maxCmdSn(); }
            default -> {
                return;
            }
        }
        if (SerialNumbers.lessThan(max, exp - 1)) {
            return;
        }
        if (SerialNumbers.greaterThan(exp, expCmdSn)) {
            expCmdSn = exp;
        }
        if (SerialNumbers.greaterThan(max, maxCmdSn)) {
            maxCmdSn = max;
        }
    }

    /** A PDU carrying a status advanced StatSN: acknowledge it in ExpStatSN. */
    private void statSn(int statSn) {
        if (SerialNumbers.lessOrEqual(expStatSn, statSn)) {
            expStatSn = statSn + 1;
        }
    }

    private int allocateItt() {
        while (true) {
            int t = nextItt++;
            if (t != RESERVED && !tasks.containsKey(t) && !tmfs.containsKey(t) && t != pingItt
                    && t != logoutItt && (text == null || text.itt != t)) {
                return t;
            }
        }
    }

    private void write(Pdu pdu) {
        if (pduLog.isTraceEnabled()) {
            pduLog.trace(">> {} {}", name, PduLog.format(pdu));
        }
        Connection c = conn;
        if (c == null || c.channel == null) {
            pdu.release();
            return;
        }
        c.channel.write(pdu, c.channel.voidPromise());
    }

    /**
     * Flushes after the tasks already in the loop's queue: the commands of a burst of submits
     * (one per NBD request, say) leave in one write instead of one system call each.
     */
    private void flushSoon() {
        if (flushQueued) {
            return;
        }
        flushQueued = true;
        try {
            loop.execute(queuedFlush);
        } catch (RejectedExecutionException e) {
            flushQueued = false;
            flush();
        }
    }

    private void flush() {
        Connection c = conn;
        if (c != null && c.channel != null) {
            c.channel.flush();
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ------------------------------------------------------------------ state holders

    /** One command from submit to outcome; confined to the loop after {@link #accept}. */
    private static final class Task {
        final ScsiRequest request;
        final CompletableFuture<ScsiOutcome> future;
        /** The session's own reference to the data-out bytes; released when the task ends. */
        ByteBuf dataOut;
        final long submittedNanos;
        long timeoutNanos;
        ScheduledFuture<?> timer;
        boolean sent;
        boolean timedOut;
        int itt = RESERVED;
        int cmdSn;
        long lunField;
        int unsolicitedEnd;
        int nextR2tSn;
        int nextDataSn;
        int received;
        /** Data-In gathered so far; handed to the GOOD outcome or released. */
        CompositeByteBuf dataIn;

        Task(ScsiRequest request, CompletableFuture<ScsiOutcome> future, ByteBuf dataOut, long submittedNanos) {
            this.request = request;
            this.future = future;
            this.dataOut = dataOut;
            this.submittedNanos = submittedNanos;
        }

        void releaseBuffers() {
            if (dataOut != null) {
                dataOut.release();
                dataOut = null;
            }
            if (dataIn != null) {
                dataIn.release();
                dataIn = null;
            }
        }
    }

    private static final class Tmf {
        final TaskManagementFunction function;
        final CompletableFuture<TaskManagementResponse> future;
        ScheduledFuture<?> timer;

        Tmf(TaskManagementFunction function, CompletableFuture<TaskManagementResponse> future) {
            this.function = function;
            this.future = future;
        }
    }

    private static final class TextExchange {
        final int itt;
        final CompletableFuture<List<KeyValue>> future;
        final TextAccumulator incoming = new TextAccumulator();

        TextExchange(int itt, CompletableFuture<List<KeyValue>> future) {
            this.itt = itt;
            this.future = future;
        }
    }

    /** The pipeline end of one TCP connection; events for a connection no longer current are ignored. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final PduFrameDecoder decoder = PduFrameDecoder.forInitiator();
        final PduEncoder encoder = new PduEncoder();
        Channel channel;

        void install(Channel ch) {
            channel = ch;
            ch.pipeline().addLast("decoder", decoder);
            ch.pipeline().addLast("encoder", encoder);
            ch.pipeline().addLast("session", this);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected(this);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            onMessage(this, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost(this, closeRequested ? FailureKind.SESSION_CLOSED : FailureKind.CONNECTION_LOST,
                    "connection closed by the target or the network", null);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            lost(this, FailureKind.CONNECTION_LOST, "connection error: " + cause.getMessage(), null);
        }
    }
}
