package io.braid.host.nbd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.braid.host.nbd.RawNbdClient.goData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The server against a hand-written client (proto.md): the handshake and each option with its
 * errors, every command with its errors, pipelining, backpressure, NBD_CMD_DISC and shutdown.
 * Every failure case ends by proving the server still serves a new client.
 */
class NbdServerTest {
    private static final int MAX_REQUEST = 128 << 10;
    private static final int DISK_SIZE = 1 << 20;

    @TempDir
    Path dir;

    private MemoryDevice disk;
    private MemoryDevice other;
    private NbdServer server;

    @BeforeEach
    void start() throws IOException {
        disk = new MemoryDevice("disk", DISK_SIZE);
        other = new MemoryDevice("other", 64 << 10, true);
        server = NbdServer.start(NbdServerConfig.inDirectory(dir)
                .withTcp(new InetSocketAddress("127.0.0.1", 0))
                .withMaxRequestBytes(MAX_REQUEST)
                .withInFlightLimits(2L * MAX_REQUEST, 4));
        server.addExport(disk);
        server.addExport(other);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawNbdClient connect() throws IOException {
        return RawNbdClient.unix(server.unixSocket().orElseThrow()).start();
    }

    private RawNbdClient open(String export) throws IOException {
        RawNbdClient c = connect();
        c.go(export);
        return c;
    }

    /** A new client still gets through: whatever happened before did not break the server. */
    private void assertServerStillServes() throws IOException {
        try (RawNbdClient c = open("disk")) {
            c.request(0, NbdCommand.READ.value(), 77, 0, 512);
            assertThat(c.simpleReply(512).error()).isZero();
        }
    }

    // ---- handshake ----

    @Test
    void greetsWithFixedNewstyleAndNoZeroes() throws IOException {
        try (RawNbdClient c = RawNbdClient.unix(server.unixSocket().orElseThrow())) {
            assertThat(c.greeting()).isEqualTo(NbdWire.FLAG_FIXED_NEWSTYLE | NbdWire.FLAG_NO_ZEROES);
        }
    }

    @Test
    void goAnswersExportBlockSizeAndNameThenEntersTransmission() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.GO.value(), goData("disk", InfoType.NAME.value(), InfoType.BLOCK_SIZE.value(),
                    InfoType.DESCRIPTION.value(), 999));
            List<RawNbdClient.OptionReply> replies = new ArrayList<>();
            RawNbdClient.OptionReply r;
            do {
                r = c.optionReply();
                assertThat(r.option()).isEqualTo(NbdOption.GO.value());
                replies.add(r);
            } while (r.type() == OptionReplyType.INFO.value());
            assertThat(r.type()).isEqualTo(OptionReplyType.ACK.value());
            assertThat(r.data()).isEmpty();

            ByteBuffer export = info(replies, InfoType.EXPORT);
            assertThat(export.remaining()).isEqualTo(12);
            assertThat(export.getLong(2)).isEqualTo(DISK_SIZE);
            assertThat(TransmissionFlag.fromBits(export.getShort(10) & 0xffff)).containsExactlyInAnyOrder(
                    TransmissionFlag.HAS_FLAGS, TransmissionFlag.SEND_FLUSH, TransmissionFlag.SEND_FUA,
                    TransmissionFlag.SEND_TRIM, TransmissionFlag.SEND_WRITE_ZEROES, TransmissionFlag.CAN_MULTI_CONN);
            ByteBuffer bs = info(replies, InfoType.BLOCK_SIZE);
            assertThat(bs.remaining()).isEqualTo(14);
            assertThat(bs.getInt(2)).isEqualTo(512);
            assertThat(bs.getInt(6)).isEqualTo(4096);
            assertThat(bs.getInt(10)).isEqualTo(MAX_REQUEST);
            assertThat(text(info(replies, InfoType.NAME))).isEqualTo("disk");
            assertThat(text(info(replies, InfoType.DESCRIPTION))).isEqualTo("memory device disk");

            disk.fill(512, "hello".getBytes(StandardCharsets.US_ASCII));
            c.request(0, NbdCommand.READ.value(), 1, 512, 512);
            RawNbdClient.SimpleReply reply = c.simpleReply(512);
            assertThat(reply.error()).isZero();
            assertThat(reply.handle()).isEqualTo(1);
            assertThat(new String(reply.data(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
        }
    }

    @Test
    void infoDoesNotEnterTransmissionAndMatchesGo() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.INFO.value(), goData("other"));
            List<RawNbdClient.OptionReply> replies = new ArrayList<>();
            RawNbdClient.OptionReply r;
            while ((r = c.optionReply()).type() == OptionReplyType.INFO.value()) {
                replies.add(r);
            }
            assertThat(r.type()).isEqualTo(OptionReplyType.ACK.value());
            ByteBuffer export = info(replies, InfoType.EXPORT);
            assertThat(TransmissionFlag.fromBits(export.getShort(10) & 0xffff))
                    .contains(TransmissionFlag.READ_ONLY).doesNotContain(TransmissionFlag.SEND_TRIM,
                            TransmissionFlag.SEND_WRITE_ZEROES);
            // Still negotiating: another option is answered.
            ByteBuffer go = c.go("other");
            assertThat(go.getShort(10)).isEqualTo(export.getShort(10));
        }
    }

    @Test
    void exportNameWithAndWithoutTheZeroes() throws IOException {
        for (boolean noZeroes : new boolean[] {true, false}) {
            try (RawNbdClient c = RawNbdClient.unix(server.unixSocket().orElseThrow())) {
                c.greeting();
                c.clientFlags(NbdWire.FLAG_C_FIXED_NEWSTYLE | (noZeroes ? NbdWire.FLAG_C_NO_ZEROES : 0));
                c.option(NbdOption.EXPORT_NAME.value(), "disk".getBytes(StandardCharsets.UTF_8));
                ByteBuffer b = c.read(10 + (noZeroes ? 0 : 124));
                assertThat(b.getLong()).isEqualTo(DISK_SIZE);
                assertThat(b.getShort() & TransmissionFlag.HAS_FLAGS.mask()).isNotZero();
                while (b.hasRemaining()) {
                    assertThat(b.get()).isZero();
                }
                c.request(0, NbdCommand.FLUSH.value(), 5, 0, 0);
                assertThat(c.simpleReply(0).error()).isZero();
            }
        }
    }

    @Test
    void listNamesEveryExportSortedThenAcks() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.LIST.value(), new byte[0]);
            List<String> names = new ArrayList<>();
            RawNbdClient.OptionReply r;
            while ((r = c.optionReply()).type() == OptionReplyType.SERVER.value()) {
                ByteBuffer b = ByteBuffer.wrap(r.data());
                int len = b.getInt();
                names.add(new String(r.data(), 4, len, StandardCharsets.UTF_8));
                assertThat(new String(r.data(), 4 + len, r.data().length - 4 - len, StandardCharsets.UTF_8))
                        .startsWith("memory device ");
            }
            assertThat(r.type()).isEqualTo(OptionReplyType.ACK.value());
            assertThat(names).containsExactly("disk", "other");

            c.option(NbdOption.LIST.value(), new byte[] {1});
            RawNbdClient.OptionReply bad = c.optionReply();
            assertThat(bad.type()).isEqualTo(OptionReplyType.ERR_INVALID.value());
            assertThat(bad.text()).contains("NBD_OPT_LIST takes no data");
        }
    }

    @Test
    void unknownExportIsErrUnknownAndTheSessionGoesOn() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.GO.value(), goData("nope"));
            RawNbdClient.OptionReply r = c.optionReply();
            assertThat(r.type()).isEqualTo(OptionReplyType.ERR_UNKNOWN.value());
            assertThat(r.text()).isEqualTo("no export named 'nope'; exports: disk, other");
            // Two exports: no default.
            c.option(NbdOption.INFO.value(), goData(""));
            r = c.optionReply();
            assertThat(r.type()).isEqualTo(OptionReplyType.ERR_UNKNOWN.value());
            assertThat(r.text()).contains("no default export");
            c.go("disk");
        }
    }

    @Test
    void theOnlyExportIsTheDefault() throws IOException {
        server.removeExport("other");
        try (RawNbdClient c = connect()) {
            ByteBuffer export = c.go("");
            assertThat(export.getLong(2)).isEqualTo(DISK_SIZE);
        }
    }

    @Test
    void unknownAndUnsupportedOptionsAreErrUnsup() throws IOException {
        try (RawNbdClient c = connect()) {
            for (int option : new int[] {42, NbdOption.STARTTLS.value(), NbdOption.SET_META_CONTEXT.value(),
                    NbdOption.LIST_META_CONTEXT.value(), NbdOption.EXTENDED_HEADERS.value(), 0x8000_0001}) {
                c.option(option, new byte[] {1, 2, 3});
                RawNbdClient.OptionReply r = c.optionReply();
                assertThat(r.option()).isEqualTo(option);
                assertThat(r.type()).as("reply to option %d", option).isEqualTo(OptionReplyType.ERR_UNSUP.value());
                assertThat(r.text()).contains("not supported");
            }
            c.go("disk");
        }
    }

    @Test
    void oversizedOptionsAreSkippedAndAnswered() throws IOException {
        try (RawNbdClient c = connect()) {
            byte[] big = new byte[1 << 20];
            c.option(4242, big);
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ERR_UNSUP.value());
            c.option(NbdOption.INFO.value(), big);
            RawNbdClient.OptionReply r = c.optionReply();
            assertThat(r.type()).isEqualTo(OptionReplyType.ERR_TOO_BIG.value());
            assertThat(r.text()).isEqualTo("NBD_OPT_INFO with 1048576 bytes of data is too large");
            c.go("disk");
        }
    }

    @Test
    void malformedGoIsErrInvalid() throws IOException {
        try (RawNbdClient c = connect()) {
            // name length beyond the data
            c.option(NbdOption.GO.value(), ByteBuffer.allocate(10).putInt(100).array());
            RawNbdClient.OptionReply r = c.optionReply();
            assertThat(r.type()).isEqualTo(OptionReplyType.ERR_INVALID.value());
            assertThat(r.text()).isEqualTo("NBD_OPT_GO name length 100 exceeds the option data length 10 - 6");
            // fewer information requests than announced
            c.option(NbdOption.GO.value(), ByteBuffer.allocate(10).putInt(4).put("disk".getBytes(StandardCharsets.UTF_8))
                    .putShort((short) 3).array());
            r = c.optionReply();
            assertThat(r.type()).isEqualTo(OptionReplyType.ERR_INVALID.value());
            assertThat(r.text()).contains("announces 3 information requests but carries 0 bytes");
            // shorter than the fixed fields
            c.option(NbdOption.INFO.value(), new byte[] {0, 0});
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ERR_INVALID.value());
            // not UTF-8
            c.option(NbdOption.INFO.value(), ByteBuffer.allocate(8).putInt(2).put((byte) 0xc3).put((byte) 0x28)
                    .putShort((short) 0).array());
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ERR_INVALID.value());
            c.option(NbdOption.STRUCTURED_REPLY.value(), new byte[] {9});
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ERR_INVALID.value());
            c.go("disk");
        }
    }

    @Test
    void badOptionMagicDisconnects() throws IOException {
        try (RawNbdClient c = connect()) {
            c.write(ByteBuffer.allocate(16).putLong(0x1122334455667788L).putInt(7).putInt(0).flip());
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void unknownClientFlagsDisconnect() throws IOException {
        try (RawNbdClient c = RawNbdClient.unix(server.unixSocket().orElseThrow())) {
            c.greeting();
            c.clientFlags(NbdWire.FLAG_C_FIXED_NEWSTYLE | 0x80);
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void exportNameOfAnUnknownExportDisconnects() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.EXPORT_NAME.value(), "nope".getBytes(StandardCharsets.UTF_8));
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void abortIsAcknowledgedThenClosed() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.ABORT.value(), new byte[0]);
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ACK.value());
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aClientThatNeverChoosesAnExportIsDisconnected() throws IOException {
        server.close();
        server = NbdServer.start(NbdServerConfig.inDirectory(dir)
                .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(1)));
        server.addExport(disk);
        try (RawNbdClient c = connect()) {
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
    }

    // ---- transmission ----

    @Test
    void writeReadFlushTrimAndWriteZeroesOverTcp() throws IOException {
        try (RawNbdClient c = RawNbdClient.tcp(server.tcpAddress().orElseThrow()).start()) {
            c.go("disk");
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x5a);
            c.request(CommandFlag.FUA.mask(), NbdCommand.WRITE.value(), 1, 8192, 4096, data);
            assertThat(c.simpleReply(0)).isEqualTo(new RawNbdClient.SimpleReply(0, 1, new byte[0]));
            assertThat(disk.bytes(8192, 4096)).isEqualTo(data);
            c.request(0, NbdCommand.READ.value(), 2, 8192, 4096);
            assertThat(c.simpleReply(4096).data()).isEqualTo(data);
            c.request(0, NbdCommand.FLUSH.value(), 3, 0, 0);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(CommandFlag.NO_HOLE.mask(), NbdCommand.WRITE_ZEROES.value(), 4, 8192, 1024);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, NbdCommand.TRIM.value(), 5, 9216, 512);
            assertThat(c.simpleReply(0).error()).isZero();
            assertThat(disk.bytes(8192, 1536)).containsOnly(0);
            assertThat(disk.ops()).containsExactly(
                    new MemoryDevice.Op("write", 8192, 4096, true, false),
                    new MemoryDevice.Op("read", 8192, 4096, false, false),
                    new MemoryDevice.Op("flush", 0, 0, false, false),
                    new MemoryDevice.Op("zeroes", 8192, 1024, false, true),
                    new MemoryDevice.Op("trim", 9216, 512, false, false));
        }
    }

    @Test
    void badRequestsGetErrorsAndTheConnectionGoesOn() throws IOException {
        try (RawNbdClient c = open("disk")) {
            int read = NbdCommand.READ.value();
            int write = NbdCommand.WRITE.value();
            c.request(0, read, 1, DISK_SIZE - 512, 1024);
            assertThat(c.simpleReply(0).error()).as("read beyond the end").isEqualTo(NbdError.EINVAL.value());
            c.request(0, read, 2, -512L, 512); // offset 2^64 - 512, unsigned
            assertThat(c.simpleReply(0).error()).as("huge offset").isEqualTo(NbdError.EINVAL.value());
            c.request(0, write, 3, DISK_SIZE, 512, new byte[512]);
            assertThat(c.simpleReply(0).error()).as("write beyond the end").isEqualTo(NbdError.ENOSPC.value());
            c.request(0, NbdCommand.WRITE_ZEROES.value(), 4, DISK_SIZE - 512, 1024);
            assertThat(c.simpleReply(0).error()).as("zeroes beyond the end").isEqualTo(NbdError.ENOSPC.value());
            c.request(0, read, 5, 100, 512);
            assertThat(c.simpleReply(0).error()).as("misaligned").isEqualTo(NbdError.EINVAL.value());
            c.request(0, read, 6, 0, MAX_REQUEST + 512);
            assertThat(c.simpleReply(0).error()).as("read too large").isEqualTo(NbdError.EINVAL.value());
            c.request(0, 42, 7, 0, 512);
            assertThat(c.simpleReply(0).error()).as("unknown command").isEqualTo(NbdError.EINVAL.value());
            c.request(0, NbdCommand.BLOCK_STATUS.value(), 8, 0, 512);
            assertThat(c.simpleReply(0).error()).as("block status").isEqualTo(NbdError.EINVAL.value());
            c.request(0x100, read, 9, 0, 512);
            assertThat(c.simpleReply(0).error()).as("unknown flag").isEqualTo(NbdError.EINVAL.value());
            c.request(CommandFlag.NO_HOLE.mask(), read, 10, 0, 512);
            assertThat(c.simpleReply(0).error()).as("NO_HOLE on read").isEqualTo(NbdError.EINVAL.value());
            c.request(CommandFlag.DF.mask(), read, 11, 0, 512);
            assertThat(c.simpleReply(0).error()).as("DF without structured replies").isEqualTo(NbdError.EINVAL.value());
            c.request(0, NbdCommand.FLUSH.value(), 12, 512, 0);
            assertThat(c.simpleReply(0).error()).as("flush with an offset").isEqualTo(NbdError.EINVAL.value());
            // A write too large: its payload is skipped unread and the stream stays in step.
            c.request(0, write, 13, 0, MAX_REQUEST + 512, new byte[MAX_REQUEST + 512]);
            assertThat(c.simpleReply(0).error()).as("write too large").isEqualTo(NbdError.EINVAL.value());
            // Zero lengths succeed without reaching the device.
            c.request(0, read, 14, 0, 0);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, write, 15, 0, 0, new byte[0]);
            assertThat(c.simpleReply(0).error()).isZero();
            assertThat(disk.ops()).isEmpty();
            c.request(0, read, 16, 0, 512);
            assertThat(c.simpleReply(512).handle()).isEqualTo(16);
        }
    }

    @Test
    void readOnlyExportRefusesWritesWithEperm() throws IOException {
        try (RawNbdClient c = open("other")) {
            c.request(0, NbdCommand.WRITE.value(), 1, 0, 512, new byte[512]);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdError.EPERM.value());
            c.request(0, NbdCommand.TRIM.value(), 2, 0, 512);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdError.EPERM.value());
            c.request(0, NbdCommand.WRITE_ZEROES.value(), 3, 0, 512);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdError.EPERM.value());
            c.request(0, NbdCommand.READ.value(), 4, 0, 512);
            assertThat(c.simpleReply(512).error()).isZero();
        }
        assertThat(other.ops()).extracting(MemoryDevice.Op::kind).containsExactly("read");
    }

    @Test
    void structuredRepliesCarryDataChunksAndErrorMessages() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.STRUCTURED_REPLY.value(), new byte[0]);
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ACK.value());
            c.option(NbdOption.STRUCTURED_REPLY.value(), new byte[0]);
            assertThat(c.optionReply().type()).as("second time").isEqualTo(OptionReplyType.ERR_INVALID.value());
            ByteBuffer export = c.go("disk");
            assertThat(TransmissionFlag.fromBits(export.getShort(10))).contains(TransmissionFlag.SEND_DF);

            disk.fill(1024, new byte[] {1, 2, 3});
            c.request(CommandFlag.DF.mask(), NbdCommand.READ.value(), 9, 1024, 512);
            RawNbdClient.Chunk data = c.chunk();
            assertThat(data.type()).isEqualTo(ReplyChunkType.OFFSET_DATA.value());
            assertThat(data.done()).isTrue();
            assertThat(data.handle()).isEqualTo(9);
            assertThat(data.payload()).hasSize(8 + 512);
            assertThat(ByteBuffer.wrap(data.payload()).getLong()).isEqualTo(1024);
            assertThat(Arrays.copyOfRange(data.payload(), 8, 11)).containsExactly(1, 2, 3);

            c.request(0, NbdCommand.READ.value(), 10, DISK_SIZE, 512);
            RawNbdClient.Chunk error = c.chunk();
            assertThat(error.type()).isEqualTo(ReplyChunkType.ERROR.value());
            assertThat(error.done()).isTrue();
            assertThat(error.error()).isEqualTo(NbdError.EINVAL.value());
            assertThat(error.message()).isEqualTo(
                    "NBD_CMD_READ of 512 bytes at offset 1048576 ends beyond the export size 1048576");

            c.request(0, NbdCommand.READ.value(), 11, 0, 0);
            RawNbdClient.Chunk none = c.chunk();
            assertThat(none.type()).isEqualTo(ReplyChunkType.NONE.value());
            assertThat(none.done()).isTrue();

            // Commands without data still get simple replies.
            c.request(0, NbdCommand.FLUSH.value(), 12, 0, 0);
            assertThat(c.simpleReply(0)).isEqualTo(new RawNbdClient.SimpleReply(0, 12, new byte[0]));
        }
    }

    @Test
    void deviceFailuresBecomeErrorsWithTheirMessage() throws IOException {
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.STRUCTURED_REPLY.value(), new byte[0]);
            c.optionReply();
            c.go("disk");
            disk.failWith(new IllegalStateException("all paths down for 30 s"));
            c.request(0, NbdCommand.WRITE.value(), 1, 0, 512, new byte[512]);
            RawNbdClient.Chunk e = c.chunk();
            assertThat(e.error()).isEqualTo(NbdError.EIO.value());
            assertThat(e.message()).isEqualTo(
                    "NBD_CMD_WRITE of 512 bytes at offset 0 on disk failed: all paths down for 30 s");
            disk.failWith(null);
            disk.shortReads(true);
            c.request(0, NbdCommand.READ.value(), 2, 0, 512);
            e = c.chunk();
            assertThat(e.error()).isEqualTo(NbdError.EIO.value());
            assertThat(e.message()).contains("with 512 bytes unfilled");
        }
    }

    @Test
    void pipelinedRequestsRunConcurrentlyAndReplyInCompletionOrder() throws IOException {
        CompletableFuture<Void> held = disk.hold(0);
        try (RawNbdClient c = open("disk")) {
            c.request(0, NbdCommand.READ.value(), 1, 0, 512);
            c.request(0, NbdCommand.READ.value(), 2, 4096, 512);
            c.request(0, NbdCommand.WRITE.value(), 3, 8192, 512, new byte[512]);
            // Handles 2 and 3 overtake handle 1, which the device holds.
            List<Long> order = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                order.add(c.simpleReply(handle -> handle == 3 ? 0 : 512).handle());
            }
            assertThat(order).containsExactlyInAnyOrder(2L, 3L);
            held.complete(null);
            assertThat(c.simpleReply(512).handle()).isEqualTo(1);
        }
    }

    @Test
    void backpressureKeepsAtMostTheConfiguredRequestsWithTheDevice() throws IOException {
        disk.hold(0);
        try (RawNbdClient c = open("disk")) {
            for (int i = 0; i < 10; i++) {
                c.request(0, NbdCommand.READ.value(), i, 0, 512); // all held at offset 0
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> disk.ops().size() == 4);
            sleep(200);
            assertThat(disk.ops()).as("maxInFlightRequests is 4").hasSize(4);
            disk.release(0);
            List<Long> handles = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                handles.add(c.simpleReply(512).handle());
            }
            assertThat(handles).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }
    }

    @Test
    void backpressureBoundsTheBytesInFlight() throws IOException {
        disk.hold(0);
        try (RawNbdClient c = open("disk")) {
            for (int i = 0; i < 3; i++) {
                c.request(0, NbdCommand.READ.value(), i, 0, MAX_REQUEST); // 3 x 128 KiB > 256 KiB budget
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> disk.ops().size() == 2);
            sleep(200);
            assertThat(disk.ops()).hasSize(2);
            disk.release(0);
            for (int i = 0; i < 3; i++) {
                assertThat(c.simpleReply(MAX_REQUEST).error()).isZero();
            }
        }
    }

    @Test
    void discFinishesRequestsInFlightThenCloses() throws IOException {
        CompletableFuture<Void> held = disk.hold(4096);
        try (RawNbdClient c = open("disk")) {
            c.request(0, NbdCommand.WRITE.value(), 1, 4096, 512, new byte[512]);
            c.request(0, NbdCommand.DISC.value(), 2, 0, 0);
            await().atMost(5, TimeUnit.SECONDS).until(() -> disk.ops().size() == 1);
            held.complete(null);
            assertThat(c.simpleReply(0)).isEqualTo(new RawNbdClient.SimpleReply(0, 1, new byte[0]));
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void removingAnExportEndsItsConnections() throws IOException {
        try (RawNbdClient c = open("disk")) {
            assertThat(server.removeExport("disk")).isTrue();
            assertThat(server.removeExport("disk")).isFalse();
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
        try (RawNbdClient c = connect()) {
            c.option(NbdOption.GO.value(), goData("disk"));
            assertThat(c.optionReply().type()).isEqualTo(OptionReplyType.ERR_UNKNOWN.value());
        }
    }

    @Test
    void shutdownAnswersWaitingRequestsWithEshutdownAndFinishesThoseInFlight() throws Exception {
        server.close();
        server = NbdServer.start(NbdServerConfig.inDirectory(dir).withInFlightLimits(64L << 20, 1));
        server.addExport(disk);
        CompletableFuture<Void> held = disk.hold(0);
        RawNbdClient c = open("disk");
        try (c) {
            c.request(0, NbdCommand.WRITE.value(), 1, 0, 512, new byte[512]);  // with the device, held
            c.request(0, NbdCommand.READ.value(), 2, 512, 512);                 // waits: 1 in flight max
            await().atMost(5, TimeUnit.SECONDS).until(() -> disk.ops().size() == 1);
            sleep(100);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            RawNbdClient.SimpleReply r = c.simpleReply(0);
            assertThat(r).isEqualTo(new RawNbdClient.SimpleReply(NbdError.ESHUTDOWN.value(), 2, new byte[0]));
            assertThat(closing).isNotDone();
            held.complete(null);
            assertThat(c.simpleReply(0)).isEqualTo(new RawNbdClient.SimpleReply(0, 1, new byte[0]));
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
            closing.get(10, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve(NbdServerConfig.SOCKET_FILE_NAME)).doesNotExist();
        assertThatThrownBy(() -> RawNbdClient.unix(dir.resolve(NbdServerConfig.SOCKET_FILE_NAME)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientGoneMidRequestLeavesTheServerServing() throws IOException {
        CompletableFuture<Void> held = disk.hold(0);
        RawNbdClient c = open("disk");
        c.request(0, NbdCommand.READ.value(), 1, 0, MAX_REQUEST);
        await().atMost(5, TimeUnit.SECONDS).until(() -> disk.ops().size() == 1);
        c.close();
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.connectionCount() == 0);
        held.complete(null); // completes into a closed connection: the buffer is released, no reply
        assertServerStillServes();
        try (RawNbdClient half = connect()) {
            half.write(new byte[] {0x49, 0x48}); // half an option header, then gone
        }
        assertServerStillServes();
    }

    private static ByteBuffer info(List<RawNbdClient.OptionReply> replies, InfoType type) {
        return replies.stream().map(r -> ByteBuffer.wrap(r.data()))
                .filter(b -> b.remaining() >= 2 && b.getShort(0) == type.value())
                .findFirst().orElseThrow(() -> new AssertionError("no NBD_INFO_" + type));
    }

    private static String text(ByteBuffer info) {
        return new String(info.array(), 2, info.remaining() - 2, StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
