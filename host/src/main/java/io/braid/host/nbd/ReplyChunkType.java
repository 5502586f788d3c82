package io.braid.host.nbd;

/** Structured reply chunk types (proto.md "Structured reply types"); errors have bit 15 set. */
public enum ReplyChunkType {
    NONE(0),
    OFFSET_DATA(1),
    OFFSET_HOLE(2),
    BLOCK_STATUS(5),
    ERROR(0x8001),
    ERROR_OFFSET(0x8002);

    private final int value;

    ReplyChunkType(int value) {
        this.value = value;
    }

    /** The 16-bit wire value. */
    public int value() {
        return value;
    }
}
