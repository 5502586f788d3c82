package io.braid.host.multipath;

/** The SCSI commands the multipath driver sends for an exported device's requests (SBC-4). */
public enum IoOperation {
    /** READ (16). */
    READ(false),
    /** WRITE (16), with FUA when asked. */
    WRITE(true),
    /** SYNCHRONIZE CACHE (16). */
    FLUSH(false),
    /** UNMAP. */
    UNMAP(true),
    /** WRITE SAME (16) of a zero block, with or without the UNMAP bit. */
    WRITE_SAME(true),
    /** TEST UNIT READY from the path checker. */
    TEST_UNIT_READY(false);

    private final boolean modifies;

    IoOperation(boolean modifies) {
        this.modifies = modifies;
    }

    /** Whether the command changes what blocks read as. */
    public boolean modifies() {
        return modifies;
    }
}
