package io.braid.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C header and data digests (RFC 7143 13.1, examples in appendix B.4 of RFC 3720) computed
 * over {@link ByteBuf}s through their NIO views, never copying the bytes.
 *
 * <p>On the wire the digest goes least significant byte first: 32 zero bytes give the register
 * value {@code 0x8a9136aa}, sent as {@code aa 36 91 8a}.
 */
public final class Crc32c {
    /** Size of a digest on the wire. */
    public static final int DIGEST_LENGTH = 4;

    private static final byte[] ZEROS = new byte[4];

    private Crc32c() {
    }

    /** The CRC32C of the readable bytes of {@code buf}; indices are left untouched. */
    public static int compute(ByteBuf buf) {
        return compute(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** The CRC32C of {@code length} bytes of {@code buf} from {@code index}. */
    public static int compute(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        update(crc, buf, index, length);
        return (int) crc.getValue();
    }

    /**
     * The CRC32C of a data segment followed by {@code padding} zero bytes, the way the data digest
     * covers the padding (RFC 7143 13.1).
     */
    public static int computePadded(ByteBuf data, int padding) {
        CRC32C crc = new CRC32C();
        update(crc, data, data.readerIndex(), data.readableBytes());
        crc.update(ZEROS, 0, padding);
        return (int) crc.getValue();
    }

    /** Feeds {@code length} bytes of {@code buf} from {@code index} into {@code crc}. */
    public static void update(CRC32C crc, ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else if (buf.nioBufferCount() > 1) {
            for (ByteBuffer part : buf.nioBuffers(index, length)) {
                crc.update(part);
            }
        } else {
            // A buffer with neither an array nor NIO views: feed it through a small scratch array.
            byte[] scratch = new byte[Math.min(length, 8192)];
            for (int done = 0; done < length; ) {
                int n = Math.min(scratch.length, length - done);
                buf.getBytes(index + done, scratch, 0, n);
                crc.update(scratch, 0, n);
                done += n;
            }
        }
    }

    /** Appends a digest in wire order. */
    public static void writeDigest(ByteBuf out, int digest) {
        out.writeIntLE(digest);
    }

    /** Reads a digest in wire order. */
    public static int readDigest(ByteBuf in) {
        return in.readIntLE();
    }
}
