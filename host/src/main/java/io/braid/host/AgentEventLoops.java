package io.braid.host;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The event loops one agent runs its iSCSI sessions and its NBD connections on, together. An
 * NBD request goes to a session and its completion comes back: when both ends live on the same
 * thread, neither direction is a hand-off to another thread (a task queued, an eventfd written,
 * a sleeping thread woken), which is most of what the agent would otherwise cost per I/O
 * (docs/performance.md, "Failover and the host agent's overhead"). With one thread (the default)
 * that holds for every path; with more, sessions and connections are spread over the threads and
 * an I/O crosses threads when its path's session is elsewhere.
 */
public final class AgentEventLoops implements AutoCloseable {
    /** Threads when the configuration says 0. */
    public static final int DEFAULT_THREADS = 1;

    private final EventLoopGroup group;

    private AgentEventLoops(EventLoopGroup group) {
        this.group = group;
    }

    /** Native epoll loops when available (as the initiator and NBD server choose), else NIO. */
    public static AgentEventLoops start(int threads) {
        if (threads < 0 || threads > 256) {
            throw new IllegalArgumentException("I/O threads " + threads + " is out of range 0..256");
        }
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new AgentEventLoops(new MultiThreadIoEventLoopGroup(threads == 0 ? DEFAULT_THREADS : threads,
                new DefaultThreadFactory("braid-host-io", true), io));
    }

    public EventLoopGroup group() {
        return group;
    }

    /** Stops the loops; call after everything running on them is closed. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
