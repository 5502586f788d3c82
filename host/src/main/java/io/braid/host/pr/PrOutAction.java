package io.braid.host.pr;

/** PERSISTENT RESERVE OUT service actions the host sends (SPC-5 "PERSISTENT RESERVE OUT service action codes"). */
public enum PrOutAction {
    REGISTER(0x00),
    RESERVE(0x01),
    RELEASE(0x02),
    CLEAR(0x03),
    PREEMPT(0x04),
    PREEMPT_AND_ABORT(0x05),
    REGISTER_AND_IGNORE_EXISTING_KEY(0x06);

    private final int code;

    PrOutAction(int code) {
        this.code = code;
    }

    /** The SERVICE ACTION field value. */
    public int code() {
        return code;
    }

    /** Whether the SCOPE and TYPE fields carry meaning (they are ignored for the others). */
    public boolean hasType() {
        return this == RESERVE || this == RELEASE || this == PREEMPT || this == PREEMPT_AND_ABORT;
    }
}
