package io.braid.bench;

import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.PduFrameDecoder;
import io.braid.iscsi.pdu.PduReader;
import io.braid.iscsi.pdu.PduWriter;
import io.braid.iscsi.pdu.ScsiCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;

/**
 * The target's inbound codec on the path a QD32 workload drives (RFC 7143 11.3): a socket read
 * holding 32 SCSI Commands framed by {@link PduFrameDecoder} in a channel pipeline, and one SCSI
 * Command header decoded by {@link PduReader}. {@code immediate} is the data each command carries
 * (0: READ(10), 4096: WRITE(10) with 4 KiB of immediate data); {@code digests} turns header and
 * data digests on.
 */
@State(Scope.Thread)
public class PduDecodeBenchmark {

    /** Commands per simulated socket read: one per outstanding command at QD32. */
    static final int BATCH = 32;

    @Param({"false", "true"})
    public boolean digests;

    @Param({"0", "4096"})
    public int immediate;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private ByteBuf batch;
    private ByteBuf bhs;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void setUp() {
        ByteBuf payload = alloc.directBuffer(4096).writeZero(4096);
        batch = alloc.directBuffer();
        for (int i = 0; i < BATCH; i++) {
            ScsiCommand c = command(i, immediate == 0 ? Unpooled.EMPTY_BUFFER : payload.retainedSlice(0, immediate));
            List<Object> out = new ArrayList<>();
            PduWriter.write(c, alloc, digests, digests, out);
            c.release();
            for (Object o : out) {
                ByteBuf b = (ByteBuf) o;
                batch.writeBytes(b);
                b.release();
            }
        }
        payload.release();
        bhs = alloc.directBuffer(PduReader.BHS_LENGTH);
        PduWriter.writeHeader(command(7, Unpooled.EMPTY_BUFFER), bhs);
        PduFrameDecoder decoder = PduFrameDecoder.forTarget();
        decoder.setHeaderDigest(digests);
        decoder.setDataDigest(digests);
        decoder.setMaxRecvDataSegmentLength(262144);
        channel = new EmbeddedChannel(decoder);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        batch.release();
        bhs.release();
    }

    /** A READ(10) or WRITE(10) of 8 blocks of 512 bytes at LBA 8*i, as libiscsi sends it. */
    static ScsiCommand command(int i, ByteBuf data) {
        boolean write = data.isReadable();
        byte[] cdb = new byte[16];
        cdb[0] = (byte) (write ? 0x2a : 0x28);
        cdb[5] = (byte) (8 * i);
        cdb[8] = 8;
        return new ScsiCommand(false, true, !write, write, 1, 0L, i, 4096, 100 + i, 50 + i, cdb, -1, data);
    }

    /** One socket read of 32 commands through the framing decoder; the score is per command. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void frameDecodeBatch(Blackhole bh) {
        channel.writeInbound(batch.retainedDuplicate());
        Object pdu;
        while ((pdu = channel.readInbound()) != null) {
            bh.consume(pdu);
            ((Pdu) pdu).release();
        }
    }

    /** One SCSI Command BHS to its record. */
    @Benchmark
    public Pdu readScsiCommandHeader() {
        return PduReader.read(bhs.duplicate(), Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER);
    }
}
