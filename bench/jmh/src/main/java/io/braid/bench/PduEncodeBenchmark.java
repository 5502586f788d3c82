package io.braid.bench;

import io.braid.iscsi.pdu.DataIn;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.PduEncoder;
import io.braid.iscsi.pdu.PduWriter;
import io.braid.iscsi.pdu.ScsiResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;

/**
 * The target's outbound codec (RFC 7143 11.4, 11.7): a 4 KiB Data-In with phase-collapsed status
 * (a READ's answer) and a SCSI Response without sense (a WRITE's), framed by {@link PduWriter}
 * into header, data slice and trailer, and a Data-In through {@link PduEncoder} in a pipeline the
 * way the target writes it (void promise). {@code digests} turns header and data digests on.
 */
@State(Scope.Thread)
public class PduEncodeBenchmark {

    @Param({"false", "true"})
    public boolean digests;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private ByteBuf payload;
    private EmbeddedChannel channel;
    private final List<Object> parts = new ArrayList<>(3);

    @Setup(Level.Trial)
    public void setUp() {
        payload = alloc.directBuffer(4096).writeZero(4096);
        PduEncoder encoder = new PduEncoder();
        encoder.setHeaderDigest(digests);
        encoder.setDataDigest(digests);
        channel = new EmbeddedChannel(encoder);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        payload.release();
    }

    private DataIn dataIn() {
        return new DataIn(true, false, false, false, true, 0, 0, 7, Pdu.RESERVED_TAG, 9, 10, 41, 0, 0, 0,
                payload.retainedSlice());
    }

    private void drain(Blackhole bh) {
        for (Object o : parts) {
            bh.consume(o);
            ReferenceCountUtil.release(o);
        }
        parts.clear();
    }

    @Benchmark
    public void writeDataIn(Blackhole bh) {
        DataIn d = dataIn();
        PduWriter.write(d, alloc, digests, digests, parts);
        d.release();
        drain(bh);
    }

    @Benchmark
    public void writeScsiResponse(Blackhole bh) {
        ScsiResponse r = new ScsiResponse(false, false, false, false, 0, 0, 7, 0, 9, 10, 41, 0, 0, 0,
                Unpooled.EMPTY_BUFFER);
        PduWriter.write(r, alloc, digests, digests, parts);
        drain(bh);
    }

    @Benchmark
    public void encodeDataInInPipeline(Blackhole bh) {
        channel.write(dataIn(), channel.voidPromise());
        channel.flush();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            bh.consume(o);
            ReferenceCountUtil.release(o);
        }
    }
}
