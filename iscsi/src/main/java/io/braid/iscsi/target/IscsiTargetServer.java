package io.braid.iscsi.target;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An iSCSI target node's network side (RFC 7143): listens on every portal, runs login and the
 * full-feature phase of each connection, and hands SCSI commands to the {@code ScsiTarget}s of
 * the configured targets. Uses native epoll when available. For fault drills a portal can be taken
 * down (its connections closed, no longer listening) and brought up again.
 */
public final class IscsiTargetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiTargetServer.class);

    private final TargetServerConfig config;
    private final SessionRegistry sessions = new SessionRegistry();
    private final List<Listener> listeners = new ArrayList<>();
    private volatile List<Portal> effectivePortals = List.of();
    private ServerBootstrap bootstrap;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private ExecutorService storageExecutor;
    private boolean closed;

    public IscsiTargetServer(TargetServerConfig config) {
        this.config = config;
    }

    /** Binds every portal; a portal in use fails with a {@link BindException} naming it. */
    public synchronized void start() throws IOException {
        if (bossGroup != null) {
            throw new IllegalStateException("already started");
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("iscsi-accept"), io);
        workerGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("iscsi-io"), io);
        storageExecutor = Executors.newThreadPerTaskExecutor(
                // One name for all: a numbered one is formatted per thread, i.e. per chunk of I/O.
                Thread.ofVirtual().name("iscsi-storage").factory());
        bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true);
        if (epoll) {
            bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, TargetServerConfig.TCP_KEEPALIVE_IDLE_SECONDS)
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, TargetServerConfig.TCP_KEEPALIVE_INTERVAL_SECONDS)
                    .childOption(EpollChannelOption.TCP_KEEPCNT, TargetServerConfig.TCP_KEEPALIVE_PROBES);
        } else {
            bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
                            TargetServerConfig.TCP_KEEPALIVE_IDLE_SECONDS)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                            TargetServerConfig.TCP_KEEPALIVE_INTERVAL_SECONDS)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT),
                            TargetServerConfig.TCP_KEEPALIVE_PROBES);
        }
        // PREEMPT AND ABORT and CLEAR TASK SET end, from the core, the commands this server holds.
        for (TargetDefinition target : config.targets()) {
            target.scsi().heldTasks(new TransportHeldTasks(sessions, target));
        }
        try {
            for (Portal portal : config.portals()) {
                Listener listener = new Listener(portal);
                Channel ch = bindPortal(listener, portal.port());
                InetSocketAddress local = (InetSocketAddress) ch.localAddress();
                listener.listening(ch, local);
                listeners.add(listener);
                List<Portal> ps = new ArrayList<>(effectivePortals);
                ps.add(new Portal(portal.host(), local.getPort(), portal.tpgt()));
                effectivePortals = List.copyOf(ps);
                log.info("iSCSI portal {} (tpgt {}) listening{}", format((InetSocketAddress) ch.localAddress()),
                        portal.tpgt(), epoll ? " (epoll)" : "");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Listens for {@code listener}'s portal on {@code port} (the configured one, or the bound one again). */
    private Channel bindPortal(Listener listener, int port) throws IOException {
        Portal portal = listener.portal;
        InetSocketAddress address = socketAddress(portal.host(), port);
        if (address.isUnresolved()) {
            throw new IOException("portal " + portal.host() + ":" + portal.port()
                    + ": cannot resolve host " + portal.host());
        }
        ServerBootstrap b = bootstrap.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                listener.connections.add(ch);
                // Accepted just as the portal went down: the group was already closed.
                if (listener.down) {
                    ch.close();
                    return;
                }
                TargetConnection.install(ch, portal, config, sessions, storageExecutor,
                        IscsiTargetServer.this::effectivePortals);
            }
        });
        try {
            return b.bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding portal " + portal.host() + ":" + portal.port(), e);
        } catch (Exception e) {
            if (e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("Address already in use")) {
                BindException be = new BindException("portal " + portal.host() + ":" + portal.port()
                        + " is already in use (another iSCSI target running?)");
                be.initCause(e);
                throw be;
            }
            throw new IOException("cannot listen on portal " + portal.host() + ":" + portal.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Addresses actually bound, in portal order (real ports when port 0 was configured). */
    public synchronized List<InetSocketAddress> boundAddresses() {
        return listeners.stream().map(l -> l.bound).toList();
    }

    /** Every portal with its bound address, whether it is up and its open connections, in portal order. */
    public synchronized List<PortalStatus> portalStatus() {
        return listeners.stream().map(Listener::status).toList();
    }

    /**
     * Takes a portal down, as a fault drill: it stops listening, so new connections are refused,
     * and every connection it accepted is closed (the initiator sees the connection drop). Its
     * sessions end as after any lost connection. Taking a down portal down again does nothing.
     *
     * @param address the portal's address with its bound port, e.g. 127.0.0.1:3260
     * @throws NoSuchElementException when no portal has that address
     */
    public synchronized PortalStatus portalDown(InetSocketAddress address) {
        Listener l = listener(address);
        if (!l.down) {
            // The flag first: a connection accepted while the listener closes shuts itself.
            l.down = true;
            l.channel.close().syncUninterruptibly();
            l.channel = null;
            int open = l.connections.size();
            l.connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            log.info("iSCSI portal {} taken down: not listening, {} connection(s) closed",
                    format(l.bound), open);
        }
        return l.status();
    }

    /**
     * Brings a portal taken down by {@link #portalDown} up again on the same address and port.
     * Bringing an up portal up does nothing.
     *
     * @throws NoSuchElementException when no portal has that address
     * @throws IOException            when the address cannot be bound again (taken meanwhile)
     */
    public synchronized PortalStatus portalUp(InetSocketAddress address) throws IOException {
        Listener l = listener(address);
        if (l.down) {
            l.channel = bindPortal(l, l.bound.getPort());
            l.down = false;
            log.info("iSCSI portal {} up again: listening", format(l.bound));
        }
        return l.status();
    }

    private Listener listener(InetSocketAddress address) {
        if (bootstrap == null || closed) {
            throw new IllegalStateException("the iSCSI server is not running");
        }
        InetSocketAddress wanted = address.isUnresolved()
                ? socketAddress(address.getHostString(), address.getPort()) : address;
        for (Listener l : listeners) {
            if (l.key.equals(wanted)) {
                return l;
            }
        }
        throw new NoSuchElementException("no portal " + format(wanted) + " (portals: "
                + String.join(", ", listeners.stream().map(l -> format(l.bound)).toList()) + ")");
    }

    private static InetSocketAddress socketAddress(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return new InetSocketAddress(h, port);
    }

    /** The portals as bound (real ports), reported by SendTargets. */
    List<Portal> effectivePortals() {
        return effectivePortals;
    }

    /** The session table (for status reporting). */
    public SessionRegistry sessions() {
        return sessions;
    }

    /**
     * Stops listening, asks every logged-in initiator to log out (Async Message event 1), waits a
     * short while for the logouts, then closes what is left. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Listener l : listeners) {
            if (l.channel != null) {
                l.channel.close().syncUninterruptibly();
            }
        }
        sessions.shutdownAll(2000);
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (storageExecutor != null) {
            storageExecutor.shutdown();
            try {
                if (!storageExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("storage tasks still running after 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** One portal's listening socket and the connections it accepted. */
    private static final class Listener {
        final Portal portal;
        final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        /** Null while down. */
        Channel channel;
        /** The address as bound, with the real port. */
        InetSocketAddress bound;
        /** The configured host with the real port, as callers name the portal. */
        InetSocketAddress key;
        volatile boolean down;

        Listener(Portal portal) {
            this.portal = portal;
        }

        void listening(Channel ch, InetSocketAddress local) {
            channel = ch;
            bound = local;
            key = socketAddress(portal.host(), local.getPort());
        }

        PortalStatus status() {
            return new PortalStatus(new Portal(portal.host(), bound.getPort(), portal.tpgt()), bound,
                    !down, connections.size());
        }
    }
}
