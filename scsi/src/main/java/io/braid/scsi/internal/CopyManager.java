package io.braid.scsi.internal;

import io.braid.scsi.Nexus;
import io.braid.scsi.ScsiResult;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * What the copy manager (SPC-5 "Third-party copies") remembers between EXTENDED COPY (LID1) and
 * RECEIVE COPY RESULTS: one {@link Operation} per I_T nexus, logical unit and list identifier, and
 * how many copies run at once. Bounded: list identifiers are one byte, so at most 256 operations
 * per nexus and unit, all dropped when the nexus goes away or the unit is reset.
 */
final class CopyManager {

    /** TOTAL CONCURRENT COPIES and MAXIMUM CONCURRENT COPIES: copies running at one time. */
    static final int MAX_CONCURRENT_COPIES = 8;

    /** COPY MANAGER STATUS (SPC-5 "COPY STATUS service action"). */
    static final int IN_PROGRESS = 0x00;
    static final int COMPLETED = 0x01;
    static final int COMPLETED_WITH_ERRORS = 0x02;

    /** LIST ID USAGE of the parameter list header. */
    enum ListIdUsage {
        /** 00b: results are held for RECEIVE COPY RESULTS; the list identifier must not be in use. */
        HOLD,
        /** 10b: results need not be held; the list identifier must not be in use. */
        DISCARD,
        /** 11b: no list identifier (SNLID): nothing is tracked. */
        NONE
    }

    /** One EXTENDED COPY: live while it runs, then its outcome if held. */
    static final class Operation {
        final int listId;
        final boolean held;
        private volatile int status = IN_PROGRESS;
        private volatile int segmentsProcessed;
        private volatile long bytesTransferred;
        private volatile int commandStatus;
        private volatile byte[] failureSense;
        private volatile boolean failureHeld;

        private Operation(int listId, boolean held) {
            this.listId = listId;
            this.held = held;
        }

        int status() {
            return status;
        }

        int segmentsProcessed() {
            return segmentsProcessed;
        }

        long bytesTransferred() {
            return bytesTransferred;
        }

        /** Whether failed segment details are held (the copy failed and nobody fetched them). */
        boolean failureHeld() {
            return failureHeld;
        }

        /** The SAM status the failed copy ended with (CHECK CONDITION, RESERVATION CONFLICT). */
        int commandStatus() {
            return commandStatus;
        }

        /** Fixed format sense data the failed copy ended with; empty without CHECK CONDITION. */
        byte[] failureSense() {
            byte[] s = failureSense;
            return s == null ? new byte[0] : s.clone();
        }

        void progress(int segments, long bytes) {
            segmentsProcessed = segments;
            bytesTransferred = bytes;
        }
    }

    private record Key(Nexus nexus, int lun, int listId) {
    }

    private final ConcurrentHashMap<Key, Operation> operations = new ConcurrentHashMap<>();
    private final Semaphore running = new Semaphore(MAX_CONCURRENT_COPIES);

    /**
     * Starts a copy: a concurrency slot, and the list identifier unless {@code usage} is NONE.
     * Pair with {@link #end}.
     *
     * @throws CheckCondition OPERATION IN PROGRESS when the list identifier is busy on this nexus
     *                        and unit, INSUFFICIENT RESOURCES when too many copies run
     */
    Operation begin(Nexus nexus, int lun, int listId, ListIdUsage usage) {
        if (!running.tryAcquire()) {
            throw CheckCondition.of(SenseCode.INSUFFICIENT_RESOURCES);
        }
        Operation op = new Operation(listId, usage == ListIdUsage.HOLD);
        if (usage == ListIdUsage.NONE) {
            return op;
        }
        Key key = new Key(nexus, lun, listId);
        boolean[] busy = new boolean[1];
        operations.compute(key, (k, old) -> {
            if (old != null && old.status == IN_PROGRESS) {
                busy[0] = true;
                return old;
            }
            return op;
        });
        if (busy[0]) {
            running.release();
            throw CheckCondition.of(SenseCode.OPERATION_IN_PROGRESS);
        }
        return op;
    }

    /**
     * Ends a copy with its outcome; results not held are forgotten.
     *
     * @param commandStatus the SAM status the EXTENDED COPY ends with (GOOD when it succeeded)
     * @param failureSense  fixed format sense with CHECK CONDITION, else null
     */
    void end(Nexus nexus, int lun, Operation op, int commandStatus, byte[] failureSense) {
        try {
            boolean failed = commandStatus != ScsiResult.GOOD;
            op.commandStatus = commandStatus;
            op.failureSense = failureSense;
            op.failureHeld = failed;
            op.status = failed ? COMPLETED_WITH_ERRORS : COMPLETED;
            if (!op.held) {
                operations.remove(new Key(nexus, lun, op.listId), op);
            }
        } finally {
            running.release();
        }
    }

    /** The operation under a list identifier, running or held, or null. */
    Operation find(Nexus nexus, int lun, int listId) {
        return operations.get(new Key(nexus, lun, listId));
    }

    /** Drops the failed segment details once delivered (SPC-5 "FAILED SEGMENT DETAILS service action"). */
    void failureDelivered(Operation op) {
        op.failureHeld = false;
        op.failureSense = null;
    }

    /** I_T nexus loss: nobody can ask for these results any more. */
    void forget(Nexus nexus) {
        operations.keySet().removeIf(k -> k.nexus().equals(nexus));
    }

    /** Logical unit reset or hard reset: held results of the unit are discarded. */
    void reset(int lun) {
        operations.entrySet().removeIf(e -> e.getKey().lun() == lun && e.getValue().status != IN_PROGRESS);
    }
}
