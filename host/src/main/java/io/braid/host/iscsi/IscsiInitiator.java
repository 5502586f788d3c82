package io.braid.host.iscsi;

import io.braid.iscsi.login.KeyValue;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host agent's iSCSI initiator (RFC 7143): owns the Netty event loops (native epoll when
 * available) and opens sessions from host ports to target portals, each confined to one event
 * loop thread. One initiator has one InitiatorName; each session gets its own ISID, so sessions
 * to the same target through different portals are different I_T nexuses.
 *
 * <p>ISIDs use the random format (RFC 7143 11.12.5, T = 10b): 24 random bits per initiator
 * instance and a 16-bit qualifier per session. A session keeps its ISID across reconnections, so
 * the target reinstates (and so cleans up) the old session when the new one logs in.
 *
 * <p>Thread-safe.
 */
public final class IscsiInitiator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiInitiator.class);

    private final InitiatorConfig config;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final long isidBase;
    private final AtomicInteger qualifier = new AtomicInteger();
    private final Set<IscsiSession> sessions = ConcurrentHashMap.newKeySet();
    /** Whether {@link #group} is this initiator's own (stopped on close) or shared with others. */
    private final boolean ownGroup;
    private volatile boolean closed;

    public IscsiInitiator(InitiatorConfig config) {
        this(config, null);
    }

    /**
     * An initiator whose sessions run on {@code shared} (epoll loops when epoll is available, NIO
     * loops otherwise), which the caller stops after closing it; null for its own loops.
     */
    public IscsiInitiator(InitiatorConfig config, EventLoopGroup shared) {
        this.config = config;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.ownGroup = shared == null;
        this.group = shared != null ? shared : new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("iscsi-initiator", true), io);
        // T = 10b (random), A = 0, B and C random: bits 40..47 = 0x80, 16..39 random.
        this.isidBase = 0x80L << 40 | (new SecureRandom().nextInt(1 << 24) & 0xFFFFFFL) << 16;
        log.debug("initiator {}: event loops {}", config.initiatorName(), epoll ? "epoll" : "nio");
    }

    public InitiatorConfig config() {
        return config;
    }

    /**
     * Creates a normal session and starts logging in; returns at once. Watch
     * {@link IscsiSession#firstLogin()}, {@link IscsiSession#state()} or a listener for the
     * outcome. The session reconnects on its own until closed.
     */
    public IscsiSession open(SessionSpec spec) {
        if (spec.discovery()) {
            throw new IllegalArgumentException("a normal session needs a target name; use sendTargets for discovery");
        }
        return start(spec, true);
    }

    /**
     * SendTargets discovery (RFC 7143 4.3, Appendix C): logs in to a discovery session from
     * {@code hostPort} to {@code portal}, asks {@code SendTargets=All}, logs out. A target
     * address given as a wildcard (0.0.0.0, ::) is replaced by the portal asked.
     *
     * @param hostPort local address to bind, or null for any
     * @return the targets; fails with {@link LoginFailedException} for a refused login or an
     *         {@link java.io.IOException} when the portal cannot be reached
     */
    public CompletableFuture<List<DiscoveredTarget>> sendTargets(InetAddress hostPort, InetSocketAddress portal,
                                                                 Authentication auth) {
        IscsiSession s = start(new SessionSpec(null, hostPort, portal, auth), false);
        return s.firstLogin()
                .thenCompose(v -> s.text(List.of(new KeyValue("SendTargets", "All"))))
                .thenApply(pairs -> DiscoveredTarget.parseSendTargets(pairs).stream()
                        .map(t -> new DiscoveredTarget(t.name(), t.portals().stream()
                                .map(p -> wildcard(p.host()) ? new DiscoveredTarget.TargetPortal(
                                        portal.getAddress().getHostAddress(), p.port(), p.tpgt()) : p)
                                .toList()))
                        .toList())
                .whenComplete((r, e) -> s.closeAsync());
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    private IscsiSession start(SessionSpec spec, boolean recover) {
        if (closed) {
            throw new IllegalStateException("initiator is closed");
        }
        long isid = isidBase | (qualifier.incrementAndGet() & 0xFFFF);
        IscsiSession s = new IscsiSession(this, spec, (EventLoop) group.next(), isid, recover);
        sessions.add(s);
        s.start();
        return s;
    }

    /** Sessions opened and not yet closed. */
    public List<IscsiSession> sessions() {
        return List.copyOf(sessions);
    }

    void removed(IscsiSession s) {
        sessions.remove(s);
    }

    Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, config.loginTimeout().toMillis()));
    }

    /**
     * Logs out of every session (each within the logout timeout), then stops the event loops.
     * Safe to call twice. Called on a session's thread, it starts all that without waiting.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> closing = sessions.stream().map(IscsiSession::closeAsync).toList();
        for (var executor : group) {
            if (executor.inEventLoop()) {
                // Called on a session's thread: waiting here would wait for this very thread.
                if (ownGroup) {
                    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
                }
                return;
            }
        }
        Duration bound = config.logoutTimeout().multipliedBy(2).plusSeconds(1);
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("initiator {}: not every session logged out within {} ms", config.initiatorName(), bound.toMillis());
        }
        if (ownGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
