package io.braid.host.nbd;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NbdLogTest {
    @Test
    void oneLinePerMessage() {
        assertThat(NbdLog.format(new NbdClientMessage.Request(CommandFlag.FUA.mask() | 0x40, 1, 0xff, 4096, 512,
                Unpooled.EMPTY_BUFFER))).isEqualTo("NBD_CMD_WRITE handle=0xff offset=4096 length=512 flags=FUA|0x40");
        assertThat(NbdLog.format(new NbdClientMessage.Request(0, 99, 1, -1, 0, null)))
                .isEqualTo("command 99 handle=0x1 offset=18446744073709551615 length=0");
        assertThat(NbdLog.format(new NbdClientMessage.Option(7, Unpooled.wrappedBuffer(new byte[6]))))
                .isEqualTo("NBD_OPT_GO len=6");
        assertThat(NbdLog.format(new NbdClientMessage.OversizedOption(0x100, 1 << 20)))
                .isEqualTo("option 256 len=1048576 (skipped)");
        assertThat(NbdLog.format(new NbdServerMessage.ErrorChunk(2, NbdError.EINVAL, "secret-free message")))
                .isEqualTo("ERROR handle=0x2 error=EINVAL DONE");
        assertThat(NbdLog.format(NbdServerMessage.OptionReply.ack(8)))
                .isEqualTo("NBD_REP_ACK to NBD_OPT_STRUCTURED_REPLY len=0");
        assertThat(NbdLog.format(new NbdServerMessage.ExportNameReply(512, 0x0005, false)))
                .isEqualTo("EXPORT size=512 flags=[HAS_FLAGS, SEND_FLUSH]");
    }
}
