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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An iSCSI target node's network side (RFC 7143): listens on every portal, runs login and the
 * full-feature phase of each connection, and hands SCSI commands to the {@code ScsiTarget}s of
 * the configured targets. Uses native epoll when available.
 */
public final class IscsiTargetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiTargetServer.class);

    private final TargetServerConfig config;
    private final SessionRegistry sessions = new SessionRegistry();
    private final List<Channel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private volatile List<Portal> effectivePortals = List.of();
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
                Thread.ofVirtual().name("iscsi-storage-", 0).factory());
        ServerBootstrap bootstrap = new ServerBootstrap()
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
        try {
            for (Portal portal : config.portals()) {
                Channel ch = bindPortal(bootstrap, portal);
                listeners.add(ch);
                InetSocketAddress local = (InetSocketAddress) ch.localAddress();
                bound.add(local);
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

    private Channel bindPortal(ServerBootstrap bootstrap, Portal portal) throws IOException {
        String host = portal.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetSocketAddress address = new InetSocketAddress(host, portal.port());
        if (address.isUnresolved()) {
            throw new IOException("portal " + portal.host() + ":" + portal.port()
                    + ": cannot resolve host " + portal.host());
        }
        ServerBootstrap b = bootstrap.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
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
        return List.copyOf(bound);
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
        for (Channel ch : listeners) {
            ch.close().syncUninterruptibly();
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
}
