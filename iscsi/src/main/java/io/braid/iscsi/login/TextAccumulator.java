package io.braid.iscsi.login;

import io.braid.iscsi.login.TextFormatException.Problem;
import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * Gathers a text that the peer splits over several Login or Text PDUs with the C bit
 * (RFC 7143 11.10.2, 11.12.2): data is appended until a PDU arrives with C = 0. The total is
 * bounded before anything is copied, so a peer cannot make it grow without limit. Copies the
 * bytes, so the caller keeps ownership of (and releases) each PDU's buffer. Not thread-safe:
 * confined to the connection's thread like the PDUs it reads.
 */
public final class TextAccumulator {
    private final int maxBytes;
    private byte[] buf = new byte[0];
    private int size;

    /** @param maxBytes the largest complete text accepted, e.g. {@link TextKeys#MAX_TEXT_BYTES} */
    public TextAccumulator(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public TextAccumulator() {
        this(TextKeys.MAX_TEXT_BYTES);
    }

    /**
     * Appends the readable bytes of one PDU's data segment without consuming them.
     *
     * @param cont the PDU's C bit
     * @return true when the text is complete ({@code cont} is false) and {@link #take()} may be called
     * @throws TextFormatException TEXT_TOO_LONG when the total would exceed the bound; the
     *                             accumulator is then empty again
     */
    public boolean append(ByteBuf data, boolean cont) {
        int n = data.readableBytes();
        ensure(n);
        data.getBytes(data.readerIndex(), buf, size, n);
        size += n;
        return !cont;
    }

    /** As {@link #append(ByteBuf, boolean)} for a byte array. */
    public boolean append(byte[] data, boolean cont) {
        ensure(data.length);
        System.arraycopy(data, 0, buf, size, data.length);
        size += data.length;
        return !cont;
    }

    /** The text gathered so far, leaving the accumulator empty. */
    public byte[] take() {
        byte[] out = Arrays.copyOf(buf, size);
        reset();
        return out;
    }

    /** Bytes gathered so far. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void reset() {
        buf = new byte[0];
        size = 0;
    }

    private void ensure(int more) {
        if ((long) size + more > maxBytes) {
            int had = size;
            reset();
            throw new TextFormatException(Problem.TEXT_TOO_LONG, null,
                    "text of " + had + " + " + more + " bytes exceeds the limit of " + maxBytes);
        }
        if (size + more > buf.length) {
            int cap = Math.max(size + more, Math.min(maxBytes, Math.max(256, buf.length * 2)));
            buf = Arrays.copyOf(buf, cap);
        }
    }
}
