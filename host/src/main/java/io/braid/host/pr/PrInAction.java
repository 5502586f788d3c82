package io.braid.host.pr;

/** PERSISTENT RESERVE IN service actions (SPC-5 "PERSISTENT RESERVE IN service action codes"). */
public enum PrInAction {
    READ_KEYS(0x00),
    READ_RESERVATION(0x01),
    REPORT_CAPABILITIES(0x02),
    READ_FULL_STATUS(0x03);

    private final int code;

    PrInAction(int code) {
        this.code = code;
    }

    /** The SERVICE ACTION field value. */
    public int code() {
        return code;
    }
}
