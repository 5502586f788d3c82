package io.braid.host.nbd;

/** Magic numbers, fixed sizes and flag bits of the NBD protocol (proto.md "Values"). */
public final class NbdWire {
    /** 'NBDMAGIC', the first eight bytes the server sends (proto.md "Newstyle negotiation"). */
    public static final long NBDMAGIC = 0x4e42444d41474943L;
    /** 'IHAVEOPT': after NBDMAGIC from the server, and before each option from the client. */
    public static final long IHAVEOPT = 0x49484156454F5054L;
    /** Magic of every option reply (proto.md "Fixed newstyle negotiation"). */
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    /** NBD_REQUEST_MAGIC (proto.md "Request message"). */
    public static final int REQUEST_MAGIC = 0x25609513;
    /** NBD_SIMPLE_REPLY_MAGIC (proto.md "Simple reply message"). */
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    /** NBD_STRUCTURED_REPLY_MAGIC (proto.md "Structured reply chunk message"). */
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    /** Greeting: NBDMAGIC, IHAVEOPT, 16 bits of handshake flags. */
    public static final int GREETING_LENGTH = 18;
    /** Client flags: 32 bits. */
    public static final int CLIENT_FLAGS_LENGTH = 4;
    /** Option header: IHAVEOPT, 32-bit option, 32-bit data length. */
    public static final int OPTION_HEADER_LENGTH = 16;
    /** Option reply header: magic, option, reply type, data length. */
    public static final int OPTION_REPLY_HEADER_LENGTH = 20;
    /** Request header: magic, flags, type, handle, offset, length. */
    public static final int REQUEST_HEADER_LENGTH = 28;
    /** Simple reply header: magic, error, handle. */
    public static final int SIMPLE_REPLY_HEADER_LENGTH = 16;
    /** Structured reply chunk header: magic, flags, type, handle, length. */
    public static final int STRUCTURED_REPLY_HEADER_LENGTH = 20;
    /** Reserved zeroes after the NBD_OPT_EXPORT_NAME reply unless NO_ZEROES was agreed. */
    public static final int EXPORT_NAME_ZEROES = 124;
    /** Longest string the protocol allows (export names, messages). */
    public static final int MAX_STRING_BYTES = 4096;

    /** Handshake flag bit 0: the server speaks fixed newstyle. */
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    /** Handshake flag bit 1: the server can leave out the 124 zeroes. */
    public static final int FLAG_NO_ZEROES = 1 << 1;
    /** Client flag bit 0: the client speaks fixed newstyle. */
    public static final int FLAG_C_FIXED_NEWSTYLE = 1;
    /** Client flag bit 1: the client wants the 124 zeroes left out. */
    public static final int FLAG_C_NO_ZEROES = 1 << 1;

    /** Structured reply flag bit 0: the last chunk of a reply. */
    public static final int REPLY_FLAG_DONE = 1;

    private NbdWire() {
    }
}
