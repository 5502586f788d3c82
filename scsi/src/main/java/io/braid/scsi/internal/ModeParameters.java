package io.braid.scsi.internal;

import io.braid.scsi.UnitStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The changeable mode parameters of one logical unit (SPC-5 "Mode parameters"): the control mode
 * page's D_SENSE and SWP bits and the caching mode page's WCE bit, each with a current, a saved and
 * a default value. Saved values live in the unit's {@link UnitStateStore} under {@value #RECORD}
 * and become the current values at start and after a reset (SPC-5 "Saving mode parameters").
 *
 * <p>Thread-safety: readers see one consistent {@link Values} at a time; changes are serialised.
 */
final class ModeParameters {

    private static final Logger log = LoggerFactory.getLogger(ModeParameters.class);

    /** The state store record holding the saved values. */
    static final String RECORD = "mode";

    private static final int FORMAT_VERSION = 1;
    private static final int D_SENSE = 0x01;
    private static final int SWP = 0x02;
    private static final int WCE_OFF = 0x04;

    /**
     * One set of values.
     *
     * @param descriptorSense      D_SENSE: sense data in descriptor format
     * @param softwareWriteProtect SWP: the medium is write protected
     * @param writeCacheDisabled   WCE set to zero by MODE SELECT: every write is forced to the
     *                             medium (WCE is reported as one only when the backstore has a write
     *                             cache and this is false)
     */
    record Values(boolean descriptorSense, boolean softwareWriteProtect, boolean writeCacheDisabled) {
        static final Values DEFAULTS = new Values(false, false, false);

        /** The saved-values record: a format version byte, then one byte of flags. */
        byte[] encode() {
            int flags = (descriptorSense ? D_SENSE : 0) | (softwareWriteProtect ? SWP : 0)
                    | (writeCacheDisabled ? WCE_OFF : 0);
            return new byte[] {FORMAT_VERSION, (byte) flags};
        }

        /** Null when the record is not one this version wrote. */
        static Values decode(byte[] record) {
            if (record.length != 2 || record[0] != FORMAT_VERSION || (record[1] & ~(D_SENSE | SWP | WCE_OFF)) != 0) {
                return null;
            }
            return new Values((record[1] & D_SENSE) != 0, (record[1] & SWP) != 0, (record[1] & WCE_OFF) != 0);
        }
    }

    private final UnitStateStore store;
    private final String unitName;
    private volatile Values current;
    private volatile Values saved;

    /** Loads the saved values, if any, as the current ones; an unreadable record leaves the defaults. */
    ModeParameters(UnitStateStore store, String unitName) {
        this.store = store;
        this.unitName = unitName;
        Values loaded = null;
        try {
            byte[] record = store.load(RECORD);
            if (record != null) {
                loaded = Values.decode(record);
                if (loaded == null) {
                    log.warn("volume {}: saved mode parameters have an unknown format; using defaults", unitName);
                }
            }
        } catch (IOException e) {
            log.warn("volume {}: cannot read saved mode parameters ({}); using defaults", unitName, e.toString());
        }
        this.saved = loaded;
        this.current = loaded == null ? Values.DEFAULTS : loaded;
    }

    Values current() {
        return current;
    }

    /** The saved values, or the defaults when none were ever saved (SPC-5 PC 11b). */
    Values saved() {
        Values s = saved;
        return s == null ? Values.DEFAULTS : s;
    }

    Values defaults() {
        return Values.DEFAULTS;
    }

    /**
     * Makes {@code values} current, and saved too when {@code save}; the record is stored first so
     * a failed save changes nothing.
     *
     * @return whether the current values changed
     * @throws IOException when the state store cannot keep the saved values
     */
    synchronized boolean apply(Values values, boolean save) throws IOException {
        if (save) {
            store.store(RECORD, values.encode());
            saved = values;
        }
        Values before = current;
        current = values;
        if (!before.equals(values)) {
            log.info("volume {}: mode parameters {} -> {}{}", unitName, before, values, save ? " (saved)" : "");
        }
        return !before.equals(values);
    }

    /** SAM-5 "Logical unit reset": the current values return to the saved ones (or the defaults). */
    synchronized void revertToSaved() {
        current = saved();
    }

    /** Changes only D_SENSE in the current values (kept for the foundation's callers and tests). */
    synchronized void descriptorSense(boolean on) {
        Values c = current;
        current = new Values(on, c.softwareWriteProtect(), c.writeCacheDisabled());
    }
}
