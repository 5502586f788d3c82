package io.braid.host.nbd;

import io.braid.host.ExportedDevice;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The NBD server of the host agent (proto.md, fixed newstyle only): one Unix socket, and
 * optionally a loopback TCP port, serving every added {@link ExportedDevice} by name. Clients
 * choose an export with NBD_OPT_GO (or NBD_OPT_EXPORT_NAME); the empty name selects the only
 * export when there is exactly one. Uses native epoll when available, NIO otherwise.
 *
 * <p>Exports can be added and removed while the server runs; removing one ends the connections
 * that use it after their requests in flight. {@link #close()} stops listening, finishes what is
 * in flight (bounded by {@link NbdServerConfig#shutdownTimeout()}), closes every connection and
 * removes the socket file.
 *
 * <p>Thread-safe.
 */
public final class NbdServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NbdServer.class);

    private final NbdServerConfig config;
    private final Map<String, ExportedDevice> exports = new ConcurrentHashMap<>();
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final NbdServerEncoder encoder = new NbdServerEncoder();
    private final NbdConnection.Exports lookup = new NbdConnection.Exports() {
        @Override
        public ExportedDevice find(String name) {
            if (name.isEmpty()) {
                List<ExportedDevice> all = all();
                return all.size() == 1 ? all.get(0) : null;
            }
            return exports.get(name);
        }

        @Override
        public List<ExportedDevice> all() {
            List<ExportedDevice> all = new ArrayList<>(exports.values());
            all.sort(Comparator.comparing(ExportedDevice::name));
            return all;
        }
    };

    private EventLoopGroup group;
    /** Loops shared with others (the agent's sessions), or null: the server runs its own. */
    private final EventLoopGroup shared;
    private final List<Channel> listeners = new ArrayList<>();
    private UnixSocketFile socketFile;
    private InetSocketAddress tcpAddress;
    private boolean closed;

    public NbdServer(NbdServerConfig config) {
        this(config, null);
    }

    /**
     * A server whose connections run on {@code shared} (epoll loops when epoll is available, NIO
     * loops otherwise), which the caller stops after closing the server; null for its own
     * {@link NbdServerConfig#ioThreads()} loops.
     */
    public NbdServer(NbdServerConfig config, EventLoopGroup shared) {
        this.config = config;
        this.shared = shared;
    }

    /** A started server with {@code config}. */
    public static NbdServer start(NbdServerConfig config) throws IOException {
        return start(config, null);
    }

    /** A started server with {@code config} on {@code shared} loops (see the constructor). */
    public static NbdServer start(NbdServerConfig config, EventLoopGroup shared) throws IOException {
        NbdServer server = new NbdServer(config, shared);
        server.start();
        return server;
    }

    /**
     * Starts listening.
     *
     * @throws BindException if the TCP port is taken or another server owns the socket path
     */
    public synchronized void start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = shared != null ? shared
                : new MultiThreadIoEventLoopGroup(config.effectiveIoThreads(), new DefaultThreadFactory("nbd-io"), io);
        try {
            if (config.unixSocket() != null) {
                Class<? extends ServerChannel> type =
                        epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
                ServerBootstrap b = bootstrap(type, false);
                socketFile = UnixSocketFile.create(config.unixSocket(), config.socketPermissions(), path -> {
                    SocketAddress address = epoll ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
                    listeners.add(bind(b, address, "Unix socket " + path));
                });
                log.info("NBD server listening on Unix socket {}{}", socketFile.path(), epoll ? " (epoll)" : "");
            }
            if (config.tcp() != null) {
                Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
                Channel ch = bind(bootstrap(type, true), config.tcp(), "TCP address " + format(config.tcp()));
                listeners.add(ch);
                tcpAddress = (InetSocketAddress) ch.localAddress();
                log.info("NBD server listening on {}{}", format(tcpAddress), epoll ? " (epoll)" : "");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private ServerBootstrap bootstrap(Class<? extends ServerChannel> type, boolean tcp) {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        NbdConnection c = NbdConnection.install(ch, lookup, config, encoder);
                        connections.add(c);
                        ch.closeFuture().addListener(f -> connections.remove(c));
                    }
                });
        if (tcp) {
            // proto.md: both sides SHOULD disable Nagle on TCP.
            b.option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true);
        }
        return b;
    }

    private static Channel bind(ServerBootstrap b, SocketAddress address, String what) throws IOException {
        try {
            return b.bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding NBD " + what, e);
        } catch (Exception e) {
            if (e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("Address already in use")) {
                BindException be = new BindException("NBD " + what + " is already in use");
                be.initCause(e);
                throw be;
            }
            throw new IOException("cannot listen on NBD " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Serves {@code device} under its name from now on.
     *
     * @throws IllegalArgumentException if the name is invalid or taken, or the geometry is
     *                                  impossible (block size not a power of two from 512 to
     *                                  65536, size not a whole number of blocks)
     */
    public void addExport(ExportedDevice device) {
        String name = ExportedDevice.checkName(device.name());
        int bs = device.blockSize();
        if (bs < 512 || bs > 65536 || Integer.bitCount(bs) != 1) {
            throw new IllegalArgumentException("export " + name + ": block size " + bs
                    + " is not a power of two from 512 to 65536");
        }
        if (device.size() < 0 || device.size() % bs != 0) {
            throw new IllegalArgumentException("export " + name + ": size " + device.size()
                    + " is not a whole number of " + bs + "-byte blocks");
        }
        int preferred = device.preferredBlockSize();
        if (preferred < bs || Integer.bitCount(preferred) != 1) {
            throw new IllegalArgumentException("export " + name + ": preferred block size " + preferred
                    + " is not a power of two of at least " + bs);
        }
        if (exports.putIfAbsent(name, device) != null) {
            throw new IllegalArgumentException("export " + name + " already exists");
        }
        log.info("NBD export {} ({} bytes{})", name, device.size(), device.readOnly() ? ", read-only" : "");
    }

    /**
     * Stops serving the export called {@code name}; connections using it get NBD_ESHUTDOWN for new
     * requests and close once those in flight are done.
     *
     * @return whether there was such an export
     */
    public boolean removeExport(String name) {
        ExportedDevice removed = exports.remove(name);
        if (removed == null) {
            return false;
        }
        for (NbdConnection c : connections) {
            if (c.device() == removed) {
                c.shutdown();
            }
        }
        log.info("NBD export {} removed", name);
        return true;
    }

    /** Names of the exports, sorted. */
    public List<String> exportNames() {
        return lookup.all().stream().map(ExportedDevice::name).toList();
    }

    /** Connections open right now (negotiating or transmitting). */
    public int connectionCount() {
        return connections.size();
    }

    /** The socket clients connect to; empty without a Unix listener. */
    public Optional<Path> unixSocket() {
        return Optional.ofNullable(config.unixSocket());
    }

    /** The TCP address bound (the real port when 0 was asked for); empty without TCP. */
    public synchronized Optional<InetSocketAddress> tcpAddress() {
        return Optional.ofNullable(tcpAddress);
    }

    /** {@code nbd+unix:///<export>?socket=<path>}, the URI of an export on the Unix socket. */
    public String unixUri(String export) {
        Path socket = unixSocket().orElseThrow(() -> new IllegalStateException("no Unix socket configured"));
        return "nbd+unix:///" + encode(export, false) + "?socket=" + encode(socket.toString(), true);
    }

    /** {@code nbd://127.0.0.1:<port>/<export>}, the URI of an export on the TCP listener. */
    public String tcpUri(String export) {
        InetSocketAddress a = tcpAddress().orElseThrow(() -> new IllegalStateException("no TCP listener"));
        return "nbd://" + format(a) + "/" + encode(export, false);
    }

    /** Stops listening, drains and closes every connection, removes the socket file. Idempotent. */
    @Override
    public void close() {
        List<Channel> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(listeners);
        }
        for (Channel ch : toClose) {
            ch.close().syncUninterruptibly();
        }
        List<NbdConnection> open = List.copyOf(connections);
        for (NbdConnection c : open) {
            c.shutdown();
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        for (NbdConnection c : open) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !c.channel().closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                log.warn("NBD connection {} still busy after {} s; closing it", c.channel(),
                        config.shutdownTimeout().toSeconds());
                c.channel().close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
        if (group != null && shared == null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        synchronized (this) {
            if (socketFile != null) {
                socketFile.remove();
            }
        }
        log.info("NBD server stopped");
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Percent-encodes all but RFC 3986 unreserved characters (and '/' when {@code keepSlash}). */
    static String encode(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/')) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
