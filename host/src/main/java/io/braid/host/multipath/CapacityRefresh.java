package io.braid.host.multipath;

import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.scsi.Capacity;
import io.braid.host.scsi.Cdbs;
import io.braid.host.scsi.SenseData;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a device's capacity current when the logical unit is resized on the node: a unit
 * attention CAPACITY DATA HAS CHANGED (SAM-6 5.14, ASC/ASCQ 2Ah/09h) on any path, or a path
 * checker probe that meets it, makes the device read READ CAPACITY (16) (SBC-4 5.20) again
 * through that path and take the new size. One read at a time per device; a change seen while
 * one runs is read once more afterwards, so the last change is never missed.
 */
final class CapacityRefresh {
    /** Unit attentions answered in a row before a READ CAPACITY counts as failed. */
    private static final int MAX_UNIT_ATTENTIONS = 8;

    private final MultipathDevice device;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    CapacityRefresh(MultipathDevice device) {
        this.device = device;
    }

    /** CAPACITY DATA HAS CHANGED (SPC-6 / SAM-6 unit attention 2Ah/09h). */
    static boolean capacityChanged(SenseData sense) {
        return sense != null && sense.key() == SenseKey.UNIT_ATTENTION && sense.asc() == 0x2A && sense.ascq() == 0x09;
    }

    /** The outcome is the capacity-changed unit attention. */
    static boolean capacityChanged(ScsiOutcome o) {
        return o instanceof ScsiOutcome.CheckCondition c && capacityChanged(c.sense());
    }

    /** Reads the capacity through {@code session} (LUN {@code lun}) and hands it to the device. */
    void request(IscsiSession session, int lun) {
        again.set(true);
        if (!running.compareAndSet(false, true)) {
            return; // the running read is followed by one more
        }
        again.set(false);
        read(session, lun, 0).whenComplete((capacity, e) -> {
            if (e != null) {
                device.capacityReadFailed(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                device.capacityRead(capacity);
            }
            running.set(false);
            if (again.get()) {
                request(session, lun);
            }
        });
    }

    /** READ CAPACITY (16) through {@code s}, other unit attentions taken on the way. */
    static CompletableFuture<Capacity> read(IscsiSession s, int lun, int attentions) {
        return s.submit(ScsiRequest.read(lun, Cdbs.readCapacity16(Capacity.ALLOCATION_LENGTH), Capacity.ALLOCATION_LENGTH))
                .thenCompose(o -> {
                    try {
                        if (o instanceof ScsiOutcome.Good g) {
                            return CompletableFuture.completedFuture(Capacity.parse(ByteBufUtil.getBytes(g.data())));
                        }
                        if (o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                                && c.sense().key() == SenseKey.UNIT_ATTENTION && attentions < MAX_UNIT_ATTENTIONS) {
                            return read(s, lun, attentions + 1);
                        }
                        return CompletableFuture.failedFuture(new IOException("READ CAPACITY (16) through "
                                + s.spec() + ": " + o));
                    } catch (IllegalArgumentException e) {
                        return CompletableFuture.failedFuture(new IOException("READ CAPACITY (16) through "
                                + s.spec() + ": " + e.getMessage(), e));
                    } finally {
                        o.release();
                    }
                });
    }
}
