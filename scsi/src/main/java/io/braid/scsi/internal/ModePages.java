package io.braid.scsi.internal;

import java.io.ByteArrayOutputStream;

/**
 * The mode pages a logical unit reports (SPC-5 "Mode parameters", SBC-4 "Mode parameters"):
 * Caching (08h), Control (0Ah) and Informational Exceptions Control (1Ch), in each of the page
 * control variants. Changeable through MODE SELECT, and savable (PS set): the control page's
 * D_SENSE and SWP, and the caching page's WCE when the backstore has a write cache; the values
 * come from the unit's {@link ModeParameters}.
 */
final class ModePages {

    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int INFORMATIONAL_EXCEPTIONS_CONTROL = 0x1C;
    static final int ALL_PAGES = 0x3F;
    static final int ALL_SUBPAGES = 0xFF;

    /** Page codes in ascending order, the order "return all pages" uses. */
    static final int[] PAGES = {CACHING, CONTROL, INFORMATIONAL_EXCEPTIONS_CONTROL};

    /** SPC-5 "PC field": which values a MODE SENSE returns. */
    enum PageControl {
        CURRENT, CHANGEABLE, DEFAULT, SAVED;

        static PageControl of(int pc) {
            return values()[pc & 3];
        }
    }

    private ModePages() {
    }

    /** Whether {@code page}/{@code subpage} names something this unit has (03Fh/FFh included). */
    static boolean supported(int page, int subpage) {
        boolean known = page == ALL_PAGES || page == CACHING || page == CONTROL
                || page == INFORMATIONAL_EXCEPTIONS_CONTROL;
        return known && (subpage == 0 || subpage == ALL_SUBPAGES);
    }

    /** The pages selected by page/subpage, concatenated; call only when {@link #supported}. */
    static byte[] pages(LogicalUnit unit, int page, PageControl pc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int code : PAGES) {
            if (page == ALL_PAGES || page == code) {
                out.writeBytes(page(unit, code, pc));
            }
        }
        return out.toByteArray();
    }

    /** Whether MODE SELECT can name {@code code} (a page without subpages that this unit has). */
    static boolean known(int code) {
        return code == CACHING || code == CONTROL || code == INFORMATIONAL_EXCEPTIONS_CONTROL;
    }

    /** One page with its header, as MODE SENSE returns it for {@code pc}; {@code code} must be {@link #known}. */
    static byte[] page(LogicalUnit unit, int code, PageControl pc) {
        return switch (code) {
            case CACHING -> caching(unit, pc);
            case CONTROL -> control(unit, pc);
            case INFORMATIONAL_EXCEPTIONS_CONTROL -> informationalExceptions();
            default -> throw new IllegalArgumentException("mode page " + code);
        };
    }

    /** The values behind a page control: current, saved or default (CHANGEABLE has none). */
    private static ModeParameters.Values values(LogicalUnit unit, PageControl pc) {
        ModeParameters m = unit.modeParameters();
        return switch (pc) {
            case CURRENT -> m.current();
            case SAVED -> m.saved();
            case DEFAULT, CHANGEABLE -> m.defaults();
        };
    }

    /**
     * The values a MODE SELECT page body asks for, starting from {@code base}; the caller has
     * already checked that only changeable bits differ from the current page.
     */
    static ModeParameters.Values select(LogicalUnit unit, int code, byte[] page, ModeParameters.Values base) {
        return switch (code) {
            case CACHING -> unit.device().writeCacheEnabled()
                    ? new ModeParameters.Values(base.descriptorSense(), base.softwareWriteProtect(), (page[2] & WCE) == 0)
                    : base;
            case CONTROL -> new ModeParameters.Values((page[2] & D_SENSE) != 0, (page[4] & SWP) != 0,
                    base.writeCacheDisabled());
            default -> base;
        };
    }

    private static final int PS = 0x80;
    private static final int WCE = 0x04;
    private static final int D_SENSE = 0x04;
    private static final int SWP = 0x08;

    /*
     * SBC-4 Caching mode page, 20 bytes:
     *  0 PS SPF | PAGE CODE (08h)   2 IC ABPF CAP DISC SIZE WCE MF RCD
     *  1 PAGE LENGTH (12h)          3 DEMAND READ/WRITE RETENTION PRIORITY ...
     * WCE mirrors the backstore: with a volatile cache in front of stable storage, initiators must
     * send SYNCHRONIZE CACHE or FUA, and Linux only does so when WCE is one. MODE SELECT may set it
     * to zero, which makes every write FUA; a backstore without a cache has WCE zero, unchangeable.
     */
    private static byte[] caching(LogicalUnit unit, PageControl pc) {
        byte[] b = new byte[20];
        b[0] = (byte) (PS | CACHING);
        b[1] = 0x12;
        boolean cache = unit.device().writeCacheEnabled();
        if (pc == PageControl.CHANGEABLE) {
            b[2] = (byte) (cache ? WCE : 0);
        } else if (cache && !values(unit, pc).writeCacheDisabled()) {
            b[2] = WCE;
        }
        return b;
    }

    /*
     * SPC-5 Control mode page, 12 bytes:
     *  2 TST(3) TMF_ONLY DPICZ D_SENSE GLTSD RLEC     5 ATO TAS ATMPE RWWP SBLP AUTOLOAD MODE(3)
     *  3 QUEUE ALGORITHM MODIFIER(4) NUAR QERR(2)     8-9 BUSY TIMEOUT PERIOD
     *  4 VS RAC UA_INTLCK_CTRL(2) SWP                 10-11 EXTENDED SELF-TEST COMPLETION TIME
     * TST 000b one task set for all nexuses; QUEUE ALGORITHM MODIFIER 1h because SIMPLE tasks run
     * concurrently; QERR 00b and TAS 0: other nexuses' tasks aborted by task management just end,
     * without a status; UA_INTLCK_CTRL 00b: reporting a unit attention clears it. D_SENSE and SWP
     * are changeable and savable.
     */
    private static byte[] control(LogicalUnit unit, PageControl pc) {
        byte[] b = new byte[12];
        b[0] = (byte) (PS | CONTROL);
        b[1] = 0x0A;
        if (pc == PageControl.CHANGEABLE) {
            b[2] = D_SENSE;
            b[4] = SWP;
            return b;
        }
        ModeParameters.Values v = values(unit, pc);
        if (v.descriptorSense()) {
            b[2] = D_SENSE;
        }
        if (v.softwareWriteProtect()) {
            b[4] = SWP;
        }
        b[3] = 0x10;
        BigEndian.put16(b, 8, 0xFFFF); // unlimited busy timeout: the core never answers BUSY
        return b;
    }

    /*
     * SPC-5 Informational Exceptions Control mode page, 12 bytes: MRIE 0h, no informational
     * exception reporting — the core has no failure prediction to report.
     */
    private static byte[] informationalExceptions() {
        byte[] b = new byte[12];
        b[0] = INFORMATIONAL_EXCEPTIONS_CONTROL;
        b[1] = 0x0A;
        return b;
    }
}
