package io.braid.host.nbd;

/**
 * One greppable line per NBD message, for trace logs: {@code NBD_CMD_READ handle=0x1 offset=0
 * length=4096 flags=FUA}. Pure, so tests pin the format; never prints data.
 */
public final class NbdLog {
    private NbdLog() {
    }

    /** A line for a message from the client. */
    public static String format(NbdClientMessage m) {
        return switch (m) {
            case NbdClientMessage.ClientFlags f -> "CLIENT_FLAGS 0x" + Integer.toHexString(f.flags());
            case NbdClientMessage.Option o -> NbdOption.describe(o.option()) + " len=" + o.data().readableBytes();
            case NbdClientMessage.OversizedOption o -> NbdOption.describe(o.option()) + " len=" + o.length()
                    + " (skipped)";
            case NbdClientMessage.Request r -> NbdCommand.describe(r.type()) + " handle=0x"
                    + Long.toHexString(r.handle()) + " offset=" + Long.toUnsignedString(r.offset())
                    + " length=" + r.length() + flags(r.flags());
            case NbdClientMessage.OversizedWrite w -> "NBD_CMD_WRITE handle=0x" + Long.toHexString(w.handle())
                    + " offset=" + Long.toUnsignedString(w.offset()) + " length=" + w.length()
                    + flags(w.flags()) + " (payload skipped)";
        };
    }

    /** A line for a message to the client. */
    public static String format(NbdServerMessage m) {
        return switch (m) {
            case NbdServerMessage.Greeting g -> "GREETING flags=0x" + Integer.toHexString(g.handshakeFlags());
            case NbdServerMessage.OptionReply r -> "NBD_REP_" + r.type() + " to " + NbdOption.describe(r.option())
                    + " len=" + r.data().readableBytes();
            case NbdServerMessage.ExportNameReply r -> "EXPORT size=" + r.size() + " flags="
                    + TransmissionFlag.fromBits(r.transmissionFlags()) + (r.zeroes() ? " +zeroes" : "");
            case NbdServerMessage.SimpleReply r -> "SIMPLE_REPLY handle=0x" + Long.toHexString(r.handle())
                    + " error=" + (r.error() == null ? "0" : r.error().name())
                    + (r.data() == null ? "" : " len=" + r.data().readableBytes());
            case NbdServerMessage.DataChunk c -> "OFFSET_DATA handle=0x" + Long.toHexString(c.handle())
                    + " offset=" + c.offset() + " len=" + c.data().readableBytes() + (c.done() ? " DONE" : "");
            case NbdServerMessage.ErrorChunk c -> "ERROR handle=0x" + Long.toHexString(c.handle()) + " error="
                    + c.error().name() + " DONE";
            case NbdServerMessage.NoneChunk c -> "NONE handle=0x" + Long.toHexString(c.handle()) + " DONE";
        };
    }

    private static String flags(int flags) {
        return flags == 0 ? "" : " flags=" + CommandFlag.describe(flags);
    }
}
