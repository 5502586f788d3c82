package io.braid.scsi;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a logical unit keeps the small state that must survive a restart: persistent
 * reservations with APTPL (SPC-5 "Persist Through Power Loss") and saved mode pages (SPC-5 "Mode
 * parameters", PC 11b). Records are named ("pr", "mode") and opaque to the store.
 *
 * <p>{@link #store} is atomic and durable when it returns: after a crash a later {@link #load}
 * returns either the old or the new record whole, never a mix. Calls come from worker threads
 * and may block on I/O.
 */
public interface UnitStateStore {

    /** The record last stored under {@code name}, or null when there is none. */
    byte[] load(String name) throws IOException;

    /** Replaces the record under {@code name} atomically and durably. */
    void store(String name, byte[] record) throws IOException;

    /** Removes the record; no error when there is none. */
    void delete(String name) throws IOException;

    /** A store that lives only as long as the process: for tests and scratch volumes. */
    static UnitStateStore inMemory() {
        Map<String, byte[]> records = new ConcurrentHashMap<>();
        return new UnitStateStore() {
            @Override
            public byte[] load(String name) {
                byte[] r = records.get(name);
                return r == null ? null : r.clone();
            }

            @Override
            public void store(String name, byte[] record) {
                records.put(name, record.clone());
            }

            @Override
            public void delete(String name) {
                records.remove(name);
            }
        };
    }
}
