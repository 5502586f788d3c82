package io.braid.host;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A TCP relay between initiator and a real target that injects path faults for tests: reset
 * every connection (RST), go silent (every byte dropped both ways, as a dead link would), refuse
 * new connections (portal down), or drop one chosen PDU from the target. It frames iSCSI PDUs
 * (no digests) so a PDU is dropped whole. Loopback only.
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Predicate<byte[]>> dropFromTarget = new AtomicReference<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicIntegerArray fromTargetByOpcode =
            new java.util.concurrent.atomic.AtomicIntegerArray(64);
    private final java.util.concurrent.atomic.AtomicIntegerArray toTargetByOpcode =
            new java.util.concurrent.atomic.AtomicIntegerArray(64);
    private volatile boolean silent;
    private volatile boolean down;
    private volatile boolean closed;

    public FaultProxy(String listenHost, InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getByName(listenHost));
        Thread.ofVirtual().name("fault-proxy-accept").start(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Connections accepted so far (refused ones included). */
    public int accepted() {
        return accepted.get();
    }

    /** PDUs with this opcode relayed so far in one direction. */
    public int relayed(boolean fromTarget, int opcode) {
        return (fromTarget ? fromTargetByOpcode : toTargetByOpcode).get(opcode & 0x3f);
    }

    /** Resets every open connection (RST, as {@code ss -K} would). */
    public void reset() {
        for (Socket s : List.copyOf(sockets)) {
            abort(s);
        }
    }

    /** Drops every byte in both directions while true; connections stay open. */
    public void silence(boolean on) {
        silent = on;
    }

    /** Portal down: resets open connections and refuses new ones until {@link #up()}. */
    public void down() {
        down = true;
        reset();
    }

    public void up() {
        down = false;
    }

    /** Drops the next target PDU whose 48-byte BHS matches, once. */
    public void dropNextFromTarget(Predicate<byte[]> bhs) {
        dropFromTarget.set(bhs);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (down) {
                abort(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream, false));
                Thread.ofVirtual().start(() -> pump(upstream, client, true));
            } catch (IOException e) {
                abort(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromTarget) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            DataInputStream data = new DataInputStream(in);
            byte[] bhs = new byte[48];
            while (true) {
                data.readFully(bhs);
                int ahs = (bhs[4] & 0xFF) * 4;
                int segment = (bhs[5] & 0xFF) << 16 | (bhs[6] & 0xFF) << 8 | (bhs[7] & 0xFF);
                byte[] rest = new byte[ahs + ((segment + 3) & ~3)];
                data.readFully(rest);
                if (silent) {
                    continue;
                }
                if (fromTarget) {
                    Predicate<byte[]> p = dropFromTarget.get();
                    if (p != null && p.test(bhs) && dropFromTarget.compareAndSet(p, null)) {
                        continue;
                    }
                }
                (fromTarget ? fromTargetByOpcode : toTargetByOpcode).incrementAndGet(bhs[0] & 0x3f);
                synchronized (out) {
                    out.write(bhs);
                    out.write(rest);
                    out.flush();
                }
            }
        } catch (EOFException e) {
            // peer closed
        } catch (IOException e) {
            // reset or closed
        } finally {
            abort(from);
            abort(to);
        }
    }

    private void abort(Socket s) {
        sockets.remove(s);
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        reset();
    }
}
