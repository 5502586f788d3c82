package io.braid.host.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A client that writes NBD bytes by hand, independent of the server's codec, so tests can send
 * exactly what a buggy or hostile client would. Every read has a deadline.
 */
final class RawNbdClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    record OptionReply(int option, int type, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    record SimpleReply(int error, long handle, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SimpleReply r && r.error == error && r.handle == handle
                    && java.util.Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(error, handle, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "SimpleReply[error=" + error + ", handle=" + handle + ", " + data.length + " bytes]";
        }
    }

    record Chunk(int flags, int type, long handle, byte[] payload) {
        boolean done() {
            return (flags & NbdWire.REPLY_FLAG_DONE) != 0;
        }

        /** The error value of an error chunk. */
        int error() {
            return ByteBuffer.wrap(payload).getInt(0);
        }

        /** The message of an error chunk. */
        String message() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int len = b.getShort(4) & 0xffff;
            return new String(payload, 6, len, StandardCharsets.UTF_8);
        }
    }

    private final SocketChannel channel;
    private final Selector selector;

    private RawNbdClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static RawNbdClient unix(Path socket) throws IOException {
        return connect(SocketChannel.open(StandardProtocolFamily.UNIX), UnixDomainSocketAddress.of(socket));
    }

    static RawNbdClient tcp(InetSocketAddress address) throws IOException {
        return connect(SocketChannel.open(), address);
    }

    private static RawNbdClient connect(SocketChannel ch, SocketAddress address) throws IOException {
        ch.connect(address);
        return new RawNbdClient(ch);
    }

    /** Reads the greeting and returns the handshake flags. */
    int greeting() throws IOException {
        ByteBuffer b = read(NbdWire.GREETING_LENGTH);
        if (b.getLong() != NbdWire.NBDMAGIC || b.getLong() != NbdWire.IHAVEOPT) {
            throw new IOException("bad greeting");
        }
        return b.getShort() & 0xffff;
    }

    void clientFlags(int flags) throws IOException {
        write(ByteBuffer.allocate(4).putInt(flags).flip());
    }

    /** Greeting, fixed newstyle with NO_ZEROES. */
    RawNbdClient start() throws IOException {
        greeting();
        clientFlags(NbdWire.FLAG_C_FIXED_NEWSTYLE | NbdWire.FLAG_C_NO_ZEROES);
        return this;
    }

    void option(int option, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length);
        b.putLong(NbdWire.IHAVEOPT).putInt(option).putInt(data.length).put(data).flip();
        write(b);
    }

    /** The data of NBD_OPT_INFO / NBD_OPT_GO. */
    static byte[] goData(String name, int... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length);
        b.putInt(n.length).put(n).putShort((short) infos.length);
        for (int i : infos) {
            b.putShort((short) i);
        }
        return b.array();
    }

    OptionReply optionReply() throws IOException {
        ByteBuffer h = read(NbdWire.OPTION_REPLY_HEADER_LENGTH);
        if (h.getLong() != NbdWire.OPTION_REPLY_MAGIC) {
            throw new IOException("bad option reply magic");
        }
        int option = h.getInt();
        int type = h.getInt();
        int len = h.getInt();
        return new OptionReply(option, type, read(len).array());
    }

    /** NBD_OPT_GO for {@code name}, expecting success; returns the NBD_INFO_EXPORT payload. */
    ByteBuffer go(String name) throws IOException {
        option(NbdOption.GO.value(), goData(name));
        ByteBuffer export = null;
        while (true) {
            OptionReply r = optionReply();
            if (r.type() == OptionReplyType.ACK.value()) {
                return export;
            }
            if (r.type() != OptionReplyType.INFO.value()) {
                throw new IOException("NBD_OPT_GO failed: type 0x" + Integer.toHexString(r.type()) + " " + r.text());
            }
            ByteBuffer b = ByteBuffer.wrap(r.data());
            if (b.getShort(0) == InfoType.EXPORT.value()) {
                export = b;
            }
        }
    }

    void request(int flags, int type, long handle, long offset, long length) throws IOException {
        request(flags, type, handle, offset, length, new byte[0]);
    }

    void request(int flags, int type, long handle, long offset, long length, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(NbdWire.REQUEST_HEADER_LENGTH + payload.length);
        b.putInt(NbdWire.REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(handle)
                .putLong(offset).putInt((int) length).put(payload).flip();
        write(b);
    }

    /** A simple reply, with {@code dataLength} bytes of data when it reports success. */
    SimpleReply simpleReply(int dataLength) throws IOException {
        return simpleReply(handle -> dataLength);
    }

    /** A simple reply whose data length on success depends on its handle. */
    SimpleReply simpleReply(java.util.function.LongToIntFunction dataLength) throws IOException {
        ByteBuffer h = read(NbdWire.SIMPLE_REPLY_HEADER_LENGTH);
        if (h.getInt() != NbdWire.SIMPLE_REPLY_MAGIC) {
            throw new IOException("bad simple reply magic");
        }
        int error = h.getInt();
        long handle = h.getLong();
        byte[] data = error == 0 ? read(dataLength.applyAsInt(handle)).array() : new byte[0];
        return new SimpleReply(error, handle, data);
    }

    Chunk chunk() throws IOException {
        ByteBuffer h = read(NbdWire.STRUCTURED_REPLY_HEADER_LENGTH);
        if (h.getInt() != NbdWire.STRUCTURED_REPLY_MAGIC) {
            throw new IOException("bad structured reply magic");
        }
        int flags = h.getShort() & 0xffff;
        int type = h.getShort() & 0xffff;
        long handle = h.getLong();
        int len = h.getInt();
        return new Chunk(flags, type, handle, read(len).array());
    }

    void write(ByteBuffer b) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("write timed out");
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    void write(byte[] raw) throws IOException {
        write(ByteBuffer.wrap(raw));
    }

    /** Exactly {@code n} bytes, or an exception on EOF or after {@link #TIMEOUT}. */
    ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            int r = channel.read(b);
            if (r < 0) {
                throw new EOFException("server closed the connection after " + b.position() + " of " + n + " bytes");
            }
            if (r == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(new TimeoutException("no reply within " + TIMEOUT));
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
            }
        }
        return b.flip();
    }

    /** Whether the server closes the connection (EOF) within {@code timeout}, with nothing sent before. */
    boolean closedByServer(Duration timeout) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int r;
            try {
                r = channel.read(b);
            } catch (IOException e) {
                return true; // reset
            }
            if (r < 0) {
                return true;
            }
            if (r > 0) {
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
