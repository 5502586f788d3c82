package io.braid.host.nbd;

import io.braid.host.ExportedDevice;
import io.braid.host.ReadOnlyDeviceException;
import io.braid.store.SpaceExhaustedException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One NBD client from the greeting to the close (proto.md "Fixed newstyle negotiation",
 * "Transmission"): answers options until NBD_OPT_GO or NBD_OPT_EXPORT_NAME selects an export, then
 * hands each request to the {@link ExportedDevice} and writes its reply when the device completes
 * it, so requests run concurrently and replies leave in completion order.
 *
 * <p>Threading: every field is confined to the channel's event loop ({@link #device()} and
 * {@link #shutdown()} excepted, which any thread may call). Device completions arrive on
 * any thread and are moved onto the event loop before they touch the connection.
 *
 * <p>Buffers: a write's payload is released once the device has completed the write; a read's
 * buffer is allocated when the request is dispatched (after its length was checked) and passes to
 * the reply, or is released if the read fails. Neither is released while the device may still
 * use it.
 *
 * <p>Backpressure: at most {@code maxInFlightRequests} requests and {@code maxInFlightBytes} of
 * data are with the device at a time; further requests wait in arrival order and the connection
 * stops reading from the socket until they can go.
 */
final class NbdConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(NbdConnection.class);

    /** Options a client may send before it must have chosen an export. */
    static final int MAX_OPTIONS = 1024;

    /** Lifecycle of a connection. */
    enum Phase {
        /** Option haggling. */
        HANDSHAKE,
        /** Requests flow. */
        TRANSMISSION,
        /** No new requests (after NBD_CMD_DISC or on shutdown); waits for those in flight. */
        DRAINING,
        CLOSED;

        private static final Map<Phase, Set<Phase>> ALLOWED = Map.of(
                HANDSHAKE, EnumSet.of(TRANSMISSION, CLOSED),
                TRANSMISSION, EnumSet.of(DRAINING, CLOSED),
                DRAINING, EnumSet.of(CLOSED),
                CLOSED, EnumSet.noneOf(Phase.class));

        boolean canMoveTo(Phase next) {
            return ALLOWED.get(this).contains(next);
        }
    }

    /** What the connection needs from its server. */
    interface Exports {
        /** The export called {@code name} ("" is the default export), or null. */
        ExportedDevice find(String name);

        /** Every export, for NBD_OPT_LIST. */
        List<ExportedDevice> all();
    }

    private final Exports exports;
    private final NbdServerConfig config;
    private final NbdServerDecoder decoder;
    private final ArrayDeque<NbdClientMessage.Request> waiting = new ArrayDeque<>();

    private Channel channel;
    private ChannelHandlerContext ctx;
    private String peer = "?";
    private Phase phase = Phase.HANDSHAKE;
    private boolean clientNoZeroes;
    private boolean structuredReplies;
    private int options;
    /** Written on the event loop, read by the server when an export is removed. */
    private volatile ExportedDevice device;
    /** The size announced to this client; fixed for the connection (proto.md has no resize). */
    private long exportSize;
    private int transmissionFlags;
    private int inFlight;
    private long inFlightBytes;
    /** The server is shutting down or the export was removed: new requests get NBD_ESHUTDOWN. */
    private boolean shuttingDown;
    private ScheduledFuture<?> handshakeTimer;
    private boolean flushQueued;
    /** Inside {@link #dispatch}: a completion arriving now is queued, not run inline. */
    private boolean dispatching;
    private final Runnable queuedFlush = () -> {
        flushQueued = false;
        ctx.flush();
    };

    NbdConnection(Exports exports, NbdServerConfig config) {
        this.exports = exports;
        this.config = config;
        this.decoder = new NbdServerDecoder(16 << 10, config.maxRequestBytes());
    }

    /** Installs the codec and a new connection on a freshly accepted channel. */
    static NbdConnection install(Channel ch, Exports exports, NbdServerConfig config, NbdServerEncoder encoder) {
        NbdConnection c = new NbdConnection(exports, config);
        c.channel = ch;
        ChannelPipeline p = ch.pipeline();
        p.addLast("nbd-decoder", c.decoder);
        p.addLast("nbd-encoder", encoder);
        p.addLast("nbd-connection", c);
        return c;
    }

    /** The export being served, once transmission started; null before. */
    ExportedDevice device() {
        return device;
    }

    Channel channel() {
        return channel;
    }

    /**
     * Ends the connection for a server shutdown or a removed export: a client still negotiating is
     * disconnected; in transmission, requests that wait get NBD_ESHUTDOWN, those with the device
     * are finished, and then the connection closes. Callable from any thread.
     */
    void shutdown() {
        runOnLoop(() -> {
            shuttingDown = true;
            switch (phase) {
                case HANDSHAKE -> close("server shutting down");
                case TRANSMISSION, DRAINING -> {
                    moveTo(Phase.DRAINING);
                    NbdClientMessage.Request r;
                    while ((r = waiting.poll()) != null) {
                        refuse(r, NbdError.ESHUTDOWN, "server is shutting down");
                    }
                    ctx.flush();
                    closeIfDrained();
                }
                case CLOSED -> {
                }
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Object remote = ctx.channel().remoteAddress();
        peer = remote != null && !remote.toString().isEmpty() ? remote.toString() : "unix:" + ctx.channel().id();
        log.debug("NBD client {} connected", peer);
        handshakeTimer = ctx.executor().schedule(() -> {
            if (phase == Phase.HANDSHAKE) {
                log.warn("NBD client {}: no export chosen within {} ms; disconnecting", peer,
                        config.handshakeTimeout().toMillis());
                close("handshake timeout");
            }
        }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        send(new NbdServerMessage.Greeting(NbdWire.FLAG_FIXED_NEWSTYLE | NbdWire.FLAG_NO_ZEROES));
        ctx.flush();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NbdClientMessage m)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (log.isTraceEnabled()) {
            log.trace("{} >> {}", peer, NbdLog.format(m));
        }
        if (phase == Phase.CLOSED) {
            m.release();
            return;
        }
        switch (m) {
            case NbdClientMessage.ClientFlags f -> onClientFlags(f);
            case NbdClientMessage.Option o -> {
                try {
                    onOption(o.option(), o.data());
                } finally {
                    o.release();
                }
            }
            case NbdClientMessage.OversizedOption o -> onOversizedOption(o);
            case NbdClientMessage.Request r -> onRequest(r);
            case NbdClientMessage.OversizedWrite w -> {
                if (acceptingRequests()) {
                    reply(w.handle(), false, NbdError.EINVAL, "NBD_CMD_WRITE of " + w.length()
                            + " bytes exceeds the maximum request size " + config.maxRequestBytes());
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (phase != Phase.CLOSED) {
            moveTo(Phase.CLOSED);
        }
        cancelHandshakeTimer();
        NbdClientMessage.Request r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        log.debug("NBD client {} disconnected ({} requests still with the device)", peer, inFlight);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof NbdProtocolException) {
            log.warn("NBD client {}: {}; disconnecting", peer, cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("NBD client {}: {}", peer, cause.toString());
        } else {
            log.warn("NBD client {}: unexpected error; disconnecting", peer, cause);
        }
        close("error");
    }

    // ---- handshake ----

    private void onClientFlags(NbdClientMessage.ClientFlags f) {
        int known = NbdWire.FLAG_C_FIXED_NEWSTYLE | NbdWire.FLAG_C_NO_ZEROES;
        if ((f.flags() & ~known) != 0) {
            // proto.md "Client flags": the server MUST drop the connection on an unknown flag.
            log.warn("NBD client {}: unknown client flags 0x{} (known: 0x{}); disconnecting", peer,
                    Integer.toHexString(f.flags()), Integer.toHexString(known));
            close("bad client flags");
            return;
        }
        clientNoZeroes = (f.flags() & NbdWire.FLAG_C_NO_ZEROES) != 0;
        if ((f.flags() & NbdWire.FLAG_C_FIXED_NEWSTYLE) == 0) {
            log.debug("NBD client {} did not set NBD_FLAG_C_FIXED_NEWSTYLE; serving it fixed newstyle anyway", peer);
        }
    }

    private void onOversizedOption(NbdClientMessage.OversizedOption o) {
        if (phase != Phase.HANDSHAKE || !countOption()) {
            return;
        }
        NbdOption known = NbdOption.of(o.option());
        if (known == NbdOption.EXPORT_NAME) {
            log.warn("NBD client {}: NBD_OPT_EXPORT_NAME with {} bytes of name; disconnecting", peer, o.length());
            close("oversized export name");
        } else if (known == null) {
            optionError(o.option(), OptionReplyType.ERR_UNSUP, NbdOption.describe(o.option()) + " is not supported");
        } else {
            optionError(o.option(), OptionReplyType.ERR_TOO_BIG, NbdOption.describe(o.option()) + " with "
                    + o.length() + " bytes of data is too large");
        }
    }

    /** Counts an option; false (and the connection closes) once a client sends too many. */
    private boolean countOption() {
        if (++options > MAX_OPTIONS) {
            log.warn("NBD client {}: more than {} options without choosing an export; disconnecting",
                    peer, MAX_OPTIONS);
            close("too many options");
            return false;
        }
        return true;
    }

    private void onOption(int code, ByteBuf data) {
        if (phase != Phase.HANDSHAKE || !countOption()) {
            return;
        }
        NbdOption option = NbdOption.of(code);
        if (shuttingDown && option != NbdOption.ABORT) {
            optionError(code, OptionReplyType.ERR_SHUTDOWN, "server is shutting down");
            return;
        }
        if (option == null) {
            optionError(code, OptionReplyType.ERR_UNSUP, NbdOption.describe(code) + " is not supported");
            return;
        }
        switch (option) {
            case EXPORT_NAME -> exportName(data);
            case ABORT -> {
                // The client drops the connection after the ACK; closing here too is harmless.
                log.debug("NBD client {} aborted the handshake", peer);
                moveTo(Phase.CLOSED);
                cancelHandshakeTimer();
                ctx.writeAndFlush(NbdServerMessage.OptionReply.ack(code)).addListener(ChannelFutureListener.CLOSE);
            }
            case LIST -> list(code, data);
            case INFO, GO -> infoOrGo(option, data);
            case STRUCTURED_REPLY -> {
                if (data.isReadable()) {
                    optionError(code, OptionReplyType.ERR_INVALID,
                            "NBD_OPT_STRUCTURED_REPLY takes no data; got " + data.readableBytes() + " bytes");
                } else if (structuredReplies) {
                    optionError(code, OptionReplyType.ERR_INVALID, "structured replies are already negotiated");
                } else {
                    structuredReplies = true;
                    send(NbdServerMessage.OptionReply.ack(code));
                }
            }
            case STARTTLS -> optionError(code, OptionReplyType.ERR_UNSUP,
                    "TLS is not supported: the export listens on a Unix socket and loopback only");
            default -> optionError(code, OptionReplyType.ERR_UNSUP, NbdOption.describe(code) + " is not supported");
        }
    }

    private void exportName(ByteBuf data) {
        String name = string(data, data.readableBytes());
        ExportedDevice d = name == null ? null : exports.find(name);
        if (d == null) {
            // proto.md: NBD_OPT_EXPORT_NAME has no error reply, so the server MUST disconnect.
            log.warn("NBD client {}: NBD_OPT_EXPORT_NAME for unknown export '{}' (exports: {}); disconnecting",
                    peer, name == null ? "<not UTF-8>" : name, exportList());
            close("unknown export");
            return;
        }
        long size = d.size();
        startTransmission(d, size);
        send(new NbdServerMessage.ExportNameReply(size, transmissionFlags, !clientNoZeroes));
    }

    private void list(int code, ByteBuf data) {
        if (data.isReadable()) {
            optionError(code, OptionReplyType.ERR_INVALID,
                    "NBD_OPT_LIST takes no data; got " + data.readableBytes() + " bytes");
            return;
        }
        for (ExportedDevice d : exports.all()) {
            send(NbdServerMessage.OptionReply.server(code, d.name(), d.description()));
        }
        send(NbdServerMessage.OptionReply.ack(code));
    }

    private void infoOrGo(NbdOption option, ByteBuf data) {
        // Data: 32 bits, length of name; name; 16 bits, number of information requests;
        //       16 bits x n, information requests
        int code = option.value();
        int total = data.readableBytes();
        if (total < 6) {
            optionError(code, OptionReplyType.ERR_INVALID, NbdOption.describe(code) + " data of " + total
                    + " bytes is shorter than the 6 bytes of name length and request count");
            return;
        }
        long nameLength = data.readUnsignedInt();
        if (nameLength > total - 6) {
            optionError(code, OptionReplyType.ERR_INVALID, NbdOption.describe(code) + " name length "
                    + nameLength + " exceeds the option data length " + total + " - 6");
            return;
        }
        String name = string(data, (int) nameLength);
        if (name == null) {
            optionError(code, OptionReplyType.ERR_INVALID, "export name is not valid UTF-8 or contains NUL");
            return;
        }
        int count = data.readUnsignedShort();
        if (data.readableBytes() != 2 * count) {
            optionError(code, OptionReplyType.ERR_INVALID, NbdOption.describe(code) + " announces " + count
                    + " information requests but carries " + data.readableBytes() + " bytes for them");
            return;
        }
        Set<InfoType> requested = EnumSet.noneOf(InfoType.class);
        for (int i = 0; i < count; i++) {
            InfoType t = InfoType.of(data.readUnsignedShort());
            if (t != null) {
                requested.add(t); // unknown information requests MUST be ignored
            }
        }
        ExportedDevice d = exports.find(name);
        if (d == null) {
            optionError(code, OptionReplyType.ERR_UNKNOWN, (name.isEmpty()
                    ? "no default export (there are " + exports.all().size() + "); name one of: "
                    : "no export named '" + name + "'; exports: ") + exportList());
            return;
        }
        int flags = flagsFor(d);
        long size = d.size();
        send(NbdServerMessage.OptionReply.infoExport(code, size, flags));
        // Sent whether asked or not: clients that did not ask ignore it, and the constraints hold.
        send(NbdServerMessage.OptionReply.infoBlockSize(code, d.blockSize(),
                Math.max(d.preferredBlockSize(), d.blockSize()), maxBlock(d)));
        if (requested.contains(InfoType.NAME)) {
            send(NbdServerMessage.OptionReply.infoString(code, InfoType.NAME, d.name()));
        }
        if (requested.contains(InfoType.DESCRIPTION) && !d.description().isEmpty()) {
            send(NbdServerMessage.OptionReply.infoString(code, InfoType.DESCRIPTION, d.description()));
        }
        send(NbdServerMessage.OptionReply.ack(code));
        if (option == NbdOption.GO) {
            startTransmission(d, size);
        }
    }

    /**
     * Enters transmission with the size the client was told. NBD has no way to change an export's
     * size within a connection (proto.md), so a device that grows later is seen by new
     * connections only; this one keeps checking requests against the size it announced.
     */
    private void startTransmission(ExportedDevice d, long size) {
        device = d;
        exportSize = size;
        transmissionFlags = flagsFor(d);
        cancelHandshakeTimer();
        decoder.enterTransmission();
        moveTo(Phase.TRANSMISSION);
        log.info("NBD client {} opened export {} ({} bytes, {}{})", peer, d.name(), size,
                TransmissionFlag.fromBits(transmissionFlags), structuredReplies ? ", structured replies" : "");
    }

    private int flagsFor(ExportedDevice d) {
        Set<TransmissionFlag> f = EnumSet.of(TransmissionFlag.HAS_FLAGS);
        if (d.readOnly()) {
            f.add(TransmissionFlag.READ_ONLY);
        } else {
            f.add(TransmissionFlag.SEND_WRITE_ZEROES);
            if (d.canTrim()) {
                f.add(TransmissionFlag.SEND_TRIM);
            }
        }
        if (d.canFlush()) {
            f.add(TransmissionFlag.SEND_FLUSH);
        }
        if (d.canFua()) {
            f.add(TransmissionFlag.SEND_FUA);
        }
        if (structuredReplies) {
            // Every read is answered with one data chunk, so "don't fragment" always holds.
            f.add(TransmissionFlag.SEND_DF);
        }
        if (d.canMultiConn()) {
            f.add(TransmissionFlag.CAN_MULTI_CONN);
        }
        return TransmissionFlag.toBits(f);
    }

    /** The maximum block size advertised: the request limit, whole blocks of the device. */
    private int maxBlock(ExportedDevice d) {
        return config.maxRequestBytes() - config.maxRequestBytes() % d.blockSize();
    }

    private void optionError(int code, OptionReplyType type, String message) {
        log.debug("NBD client {}: {} -> {}: {}", peer, NbdOption.describe(code), type, message);
        send(NbdServerMessage.OptionReply.error(code, type, message));
    }

    private String exportList() {
        List<ExportedDevice> all = exports.all();
        return all.isEmpty() ? "(none)" : all.stream().map(ExportedDevice::name).collect(Collectors.joining(", "));
    }

    /** {@code length} bytes of {@code data} as a protocol string, or null if not UTF-8 or with NUL. */
    private static String string(ByteBuf data, int length) {
        if (length > NbdWire.MAX_STRING_BYTES) {
            data.skipBytes(length);
            return null;
        }
        ByteBuffer bytes = data.nioBuffer(data.readerIndex(), length);
        data.skipBytes(length);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
            return s.indexOf('\0') >= 0 ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ---- transmission ----

    private boolean acceptingRequests() {
        return phase == Phase.TRANSMISSION || (phase == Phase.DRAINING && shuttingDown);
    }

    private void onRequest(NbdClientMessage.Request r) {
        if (phase == Phase.DRAINING && !shuttingDown) {
            // Nothing may follow NBD_CMD_DISC; whatever does is dropped.
            r.release();
            return;
        }
        if (shuttingDown) {
            if (r.command() == NbdCommand.DISC) {
                closeIfDrained();
            } else {
                refuse(r, NbdError.ESHUTDOWN, "server is shutting down");
            }
            return;
        }
        if (r.command() == NbdCommand.DISC) {
            log.debug("NBD client {} sent NBD_CMD_DISC with {} requests in flight", peer, inFlight + waiting.size());
            moveTo(Phase.DRAINING);
            ctx.channel().config().setAutoRead(false);
            closeIfDrained();
            r.release();
            return;
        }
        Refusal refusal = check(r);
        if (refusal != null) {
            refuse(r, refusal.error(), refusal.message());
            return;
        }
        if (!waiting.isEmpty() || !fits(r)) {
            waiting.add(r);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        dispatch(r);
    }

    private record Refusal(NbdError error, String message) {
    }

    /** Why {@code r} cannot go to the device, or null when it can (proto.md "Request types"). */
    private Refusal check(NbdClientMessage.Request r) {
        NbdCommand cmd = r.command();
        String what = NbdCommand.describe(r.type());
        if (cmd == null || cmd == NbdCommand.CACHE || cmd == NbdCommand.BLOCK_STATUS || cmd == NbdCommand.RESIZE) {
            return new Refusal(NbdError.EINVAL, what + " is not supported");
        }
        int allowed = CommandFlag.FUA.mask();
        if (cmd == NbdCommand.WRITE_ZEROES) {
            allowed |= CommandFlag.NO_HOLE.mask();
        } else if (cmd == NbdCommand.READ && structuredReplies) {
            allowed |= CommandFlag.DF.mask();
        }
        if ((r.flags() & ~allowed) != 0) {
            return new Refusal(NbdError.EINVAL, "command flags " + CommandFlag.describe(r.flags() & ~allowed)
                    + " are not valid for " + what);
        }
        if (r.has(CommandFlag.FUA) && !device.canFua()) {
            return new Refusal(NbdError.EINVAL, "NBD_CMD_FLAG_FUA was not advertised for export " + device.name());
        }
        boolean writes = cmd == NbdCommand.WRITE || cmd == NbdCommand.TRIM || cmd == NbdCommand.WRITE_ZEROES;
        if (writes && device.readOnly()) {
            return new Refusal(NbdError.EPERM, what + " on read-only export " + device.name());
        }
        switch (cmd) {
            case FLUSH -> {
                if (!device.canFlush()) {
                    return new Refusal(NbdError.EINVAL, "NBD_CMD_FLUSH was not advertised for export " + device.name());
                }
                if (r.offset() != 0 || r.length() != 0) {
                    return new Refusal(NbdError.EINVAL, "NBD_CMD_FLUSH with offset " + Long.toUnsignedString(r.offset())
                            + " and length " + r.length() + "; both must be zero");
                }
                return null;
            }
            case TRIM -> {
                if (!device.canTrim()) {
                    return new Refusal(NbdError.EINVAL, "NBD_CMD_TRIM was not advertised for export " + device.name());
                }
            }
            case READ, WRITE -> {
                if (r.length() > config.maxRequestBytes()) {
                    return new Refusal(NbdError.EINVAL, what + " of " + r.length()
                            + " bytes exceeds the maximum request size " + config.maxRequestBytes());
                }
            }
            default -> {
            }
        }
        long size = exportSize;
        if (r.offset() < 0 || r.offset() > size || r.length() > size - r.offset()) {
            // proto.md "Error values": ENOSPC for writing beyond the end, EINVAL for reading.
            NbdError e = cmd == NbdCommand.WRITE || cmd == NbdCommand.WRITE_ZEROES ? NbdError.ENOSPC : NbdError.EINVAL;
            return new Refusal(e, what + " of " + r.length() + " bytes at offset "
                    + Long.toUnsignedString(r.offset()) + " ends beyond the export size " + size);
        }
        int block = device.blockSize();
        if (r.offset() % block != 0 || r.length() % block != 0) {
            return new Refusal(NbdError.EINVAL, what + " of " + r.length() + " bytes at offset " + r.offset()
                    + " is not aligned to the minimum block size " + block);
        }
        return null;
    }

    /** Bytes of read or write data a request holds while it is in flight. */
    private static long cost(NbdClientMessage.Request r) {
        NbdCommand c = r.command();
        return c == NbdCommand.READ || c == NbdCommand.WRITE ? r.length() : 0;
    }

    private boolean fits(NbdClientMessage.Request r) {
        return inFlight == 0 || (inFlight < config.maxInFlightRequests()
                && inFlightBytes + cost(r) <= config.maxInFlightBytes());
    }

    private void dispatch(NbdClientMessage.Request r) {
        if (r.length() == 0 && r.command() != NbdCommand.FLUSH) {
            // proto.md: zero-length requests are unspecified but must not disconnect; nothing to do.
            reply(r.handle(), r.command() == NbdCommand.READ, null, null);
            r.release();
            return;
        }
        inFlight++;
        inFlightBytes += cost(r);
        boolean outer = dispatching;
        dispatching = true;
        try {
            submit(r);
        } finally {
            dispatching = outer;
        }
    }

    /** Hands {@code r} to the device; its completion sends the reply. */
    private void submit(NbdClientMessage.Request r) {
        boolean fua = r.has(CommandFlag.FUA);
        ByteBuf readBuffer = null;
        ByteBuffer readView = null;
        CompletableFuture<Void> f;
        try {
            f = switch (r.command()) {
                case READ -> {
                    int len = (int) r.length();
                    readBuffer = ctx.alloc().ioBuffer(len, len);
                    if (readBuffer.nioBufferCount() != 1) {
                        // Only a single-region buffer hands out a view rather than a copy, and
                        // the device must fill the very memory the reply sends.
                        readBuffer.release();
                        readBuffer = Unpooled.directBuffer(len, len);
                    }
                    readView = readBuffer.nioBuffer(0, len);
                    yield device.read(r.offset(), readView);
                }
                case WRITE -> device.write(r.offset(), r.payload().nioBuffer(), fua);
                case FLUSH -> device.flush();
                case TRIM -> device.trim(r.offset(), r.length(), fua);
                case WRITE_ZEROES -> device.writeZeroes(r.offset(), r.length(), r.has(CommandFlag.NO_HOLE), fua);
                default -> throw new IllegalStateException("unchecked " + NbdCommand.describe(r.type()));
            };
            if (f == null) {
                f = CompletableFuture.failedFuture(new IllegalStateException(
                        "device " + device.name() + " returned no future"));
            }
        } catch (RuntimeException e) {
            // The device broke its contract by throwing instead of failing the future.
            f = CompletableFuture.failedFuture(e);
        }
        ByteBuf buffer = readBuffer;
        ByteBuffer view = readView;
        f.whenComplete((v, error) -> {
            if (!dispatching && ctx.executor().inEventLoop()) {
                // Completed on this loop (the agent's sessions share it): reply now rather than
                // through the task queue. Not from within dispatch itself, where a device that
                // completes at once would recurse through drainWaiting.
                completed(r, buffer, view, error);
                return;
            }
            try {
                ctx.executor().execute(() -> completed(r, buffer, view, error));
            } catch (RejectedExecutionException e) {
                // The event loop is gone (server stopped): nobody will send the reply.
                r.release();
                if (buffer != null) {
                    buffer.release();
                }
            }
        });
    }

    private void completed(NbdClientMessage.Request r, ByteBuf buffer, ByteBuffer view, Throwable error) {
        inFlight--;
        inFlightBytes -= cost(r);
        r.release();
        if (error == null && view != null && view.hasRemaining()) {
            // Sending the rest would leak whatever the pooled buffer held before.
            error = new IOException("device " + device.name() + " completed a read of " + r.length()
                    + " bytes with " + view.remaining() + " bytes unfilled");
        }
        if (phase == Phase.CLOSED) {
            if (buffer != null) {
                buffer.release();
            }
        } else if (error == null) {
            if (buffer != null) {
                buffer.writerIndex((int) r.length());
                if (structuredReplies) {
                    send(new NbdServerMessage.DataChunk(r.handle(), r.offset(), buffer, true));
                } else {
                    send(new NbdServerMessage.SimpleReply(null, r.handle(), buffer));
                }
            } else {
                reply(r.handle(), false, null, null);
            }
        } else {
            if (buffer != null) {
                buffer.release();
            }
            Throwable cause = unwrap(error);
            NbdError e = errorFor(cause);
            String message = NbdCommand.describe(r.type()) + " of " + r.length() + " bytes at offset "
                    + r.offset() + " on " + device.name() + " failed: " + cause.getMessage();
            log.warn("NBD client {}: {} ({})", peer, message, e);
            reply(r.handle(), r.command() == NbdCommand.READ, e, message);
        }
        flushSoon();
        drainWaiting();
        closeIfDrained();
    }

    /**
     * Flushes after the completions already queued on this loop: replies that complete together
     * leave in one write rather than one system call each.
     */
    private void flushSoon() {
        if (flushQueued) {
            return;
        }
        flushQueued = true;
        try {
            ctx.executor().execute(queuedFlush);
        } catch (RejectedExecutionException e) {
            flushQueued = false;
            ctx.flush();
        }
    }

    private void drainWaiting() {
        while (!waiting.isEmpty() && phase != Phase.CLOSED && fits(waiting.peek())) {
            dispatch(waiting.poll());
        }
        if (waiting.isEmpty() && phase == Phase.TRANSMISSION && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void closeIfDrained() {
        if (phase == Phase.DRAINING && inFlight == 0 && waiting.isEmpty()) {
            ctx.flush();
            close(shuttingDown ? "server shutting down" : "NBD_CMD_DISC");
        }
    }

    private void refuse(NbdClientMessage.Request r, NbdError error, String message) {
        log.debug("NBD client {}: {} handle {} -> {}: {}", peer, NbdCommand.describe(r.type()),
                Long.toHexString(r.handle()), error, message);
        reply(r.handle(), r.command() == NbdCommand.READ, error, message);
        r.release();
    }

    /**
     * A reply without data: simple, or with structured replies an error chunk (which carries the
     * message for the user) or a NONE chunk. A successful read of zero bytes takes this path too.
     */
    private void reply(long handle, boolean read, NbdError error, String message) {
        if (structuredReplies && error != null) {
            send(new NbdServerMessage.ErrorChunk(handle, error, message));
        } else if (structuredReplies && read) {
            send(new NbdServerMessage.NoneChunk(handle));
        } else {
            send(new NbdServerMessage.SimpleReply(error, handle, null));
        }
    }

    static NbdError errorFor(Throwable cause) {
        if (cause instanceof SpaceExhaustedException) {
            return NbdError.ENOSPC;
        }
        if (cause instanceof ReadOnlyDeviceException) {
            return NbdError.EPERM;
        }
        if (cause instanceof IllegalArgumentException || cause instanceof UnsupportedOperationException) {
            return NbdError.EINVAL;
        }
        return NbdError.EIO;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- plumbing ----

    private void send(NbdServerMessage m) {
        if (log.isTraceEnabled()) {
            log.trace("{} << {}", peer, NbdLog.format(m));
        }
        ctx.write(m);
    }

    private void close(String why) {
        if (phase != Phase.CLOSED) {
            moveTo(Phase.CLOSED);
            log.debug("NBD client {}: closing ({})", peer, why);
        }
        cancelHandshakeTimer();
        ctx.flush();
        ctx.close();
    }

    private void moveTo(Phase next) {
        if (phase == next) {
            return;
        }
        if (!phase.canMoveTo(next)) {
            throw new IllegalStateException("NBD connection " + peer + ": " + phase + " -> " + next + " not allowed");
        }
        log.debug("NBD connection {}: {} -> {}", peer, phase, next);
        phase = next;
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }

    private void runOnLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            try {
                channel.eventLoop().execute(task);
            } catch (RejectedExecutionException e) {
                // Event loop already stopped: the channel is closed with it.
            }
        }
    }
}
