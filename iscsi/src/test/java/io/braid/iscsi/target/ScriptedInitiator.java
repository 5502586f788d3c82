package io.braid.iscsi.target;

import io.braid.iscsi.login.TextKeys;
import io.braid.iscsi.pdu.LoginRequest;
import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.PduEncoder;
import io.braid.iscsi.pdu.PduFrameDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted iSCSI initiator built from our own codec (conventions.md "MockInitiator"): the test
 * sends PDUs and takes what the target answers, in order. For the protocol corners no stock
 * initiator exercises, such as DataDigest, which libiscsi never offers.
 */
final class ScriptedInitiator implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final PduFrameDecoder decoder = PduFrameDecoder.forInitiator();
    private final PduEncoder encoder = new PduEncoder();
    private final Channel channel;

    ScriptedInitiator(InetSocketAddress target) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(decoder, encoder, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                received.add(msg);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                received.add(cause);
                            }
                        });
                    }
                }).connect(target).sync().channel();
    }

    /** Logs in with one Login Request going straight to full feature phase with {@code keys}. */
    LoginResponse login(long isid, int cmdSn, Map<String, String> keys) throws InterruptedException {
        send(new LoginRequest(true, false, 1, 3, 0, 0, isid, 0, 1, 0, cmdSn, 0,
                Unpooled.wrappedBuffer(TextKeys.encode(keys))));
        LoginResponse r = take(LoginResponse.class);
        return r;
    }

    /** Turns digests on for what follows (after the final Login Response). */
    void digests(boolean header, boolean data) {
        channel.eventLoop().execute(() -> {
            decoder.setHeaderDigest(header);
            decoder.setDataDigest(data);
            encoder.setHeaderDigest(header);
            encoder.setDataDigest(data);
        });
    }

    void send(Pdu pdu) throws InterruptedException {
        channel.writeAndFlush(pdu).sync();
    }

    <T> T take(Class<T> type) throws InterruptedException {
        Object o = received.poll(10, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("no PDU within 10 s, expected " + type.getSimpleName());
        }
        if (!type.isInstance(o)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + o);
        }
        return type.cast(o);
    }

    /** Whether the target still holds the connection open. */
    boolean isOpen() {
        return channel.isActive();
    }

    /** Whether the target closed the connection within {@code millis}. */
    boolean awaitClosed(long millis) {
        return channel.closeFuture().awaitUninterruptibly(millis);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
