package io.braid.bench;

import io.braid.iscsi.pdu.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * CRC32C digests (RFC 7143 13.1) as the codec computes them ({@link Crc32c} over a {@link ByteBuf})
 * against {@link CRC32C} fed a {@link ByteBuffer} directly: the difference is the wrapper's cost.
 * Sizes: a BHS (48), a 4 KiB and a 128 KiB data segment.
 */
@State(Scope.Thread)
public class Crc32cBenchmark {

    @Param({"48", "4096", "131072"})
    public int size;

    @Param({"direct", "heap"})
    public String memory;

    private ByteBuf buf;
    private ByteBuffer nio;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        buf = memory.equals("direct") ? Unpooled.directBuffer(size) : Unpooled.buffer(size);
        buf.writeBytes(bytes);
        nio = buf.nioBuffer();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int braidCrc32c() {
        return Crc32c.compute(buf);
    }

    @Benchmark
    public long jdkCrc32c() {
        CRC32C crc = new CRC32C();
        crc.update(nio.duplicate());
        return crc.getValue();
    }
}
