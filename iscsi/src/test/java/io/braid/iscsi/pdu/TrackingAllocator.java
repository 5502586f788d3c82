package io.braid.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it made, so a test can assert deterministically that
 * all of them were released (Netty's leak detector only reports after a GC).
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(true); // direct by default, like the pooled allocator of a real channel
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** How many buffers were allocated so far. */
    int allocations() {
        return allocated.size();
    }

    /** A direct buffer holding {@code bytes}. */
    ByteBuf wrap(byte[] bytes) {
        return directBuffer(bytes.length).writeBytes(bytes);
    }

    void assertAllReleased() {
        List<String> leaked = new ArrayList<>();
        for (ByteBuf buf : allocated) {
            if (buf.refCnt() != 0) {
                leaked.add(buf + " refCnt=" + buf.refCnt());
            }
        }
        assertThat(leaked).as("buffers still referenced").isEmpty();
    }
}
