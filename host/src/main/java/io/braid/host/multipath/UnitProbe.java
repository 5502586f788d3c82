package io.braid.host.multipath;

import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.scsi.BlockLimits;
import io.braid.host.scsi.Cdbs;
import io.braid.host.scsi.LogicalBlockProvisioning;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads a unit's {@link DeviceLimits} through one path: INQUIRY VPD B0h and B2h and MODE SENSE
 * (6). A page the unit does not support (ILLEGAL REQUEST) counts as "nothing reported"; unit
 * attentions are taken and the command repeated; anything else fails the probe. Runs on the
 * session's event loop.
 */
final class UnitProbe {
    private static final int MAX_UNIT_ATTENTIONS = 8;

    private UnitProbe() {
    }

    static CompletableFuture<DeviceLimits> probe(IscsiSession s, int lun) {
        return page(s, lun, BlockLimits.PAGE, 64).thenCompose(b0 ->
                page(s, lun, LogicalBlockProvisioning.PAGE, 64).thenCompose(b2 ->
                        writeProtected(s, lun).thenApply(wp -> new DeviceLimits(
                                b0 == null ? BlockLimits.NONE : BlockLimits.parse(b0),
                                b2 == null ? LogicalBlockProvisioning.NONE : LogicalBlockProvisioning.parse(b2),
                                wp))));
    }

    /** A VPD page, or null when the unit does not have it. */
    private static CompletableFuture<byte[]> page(IscsiSession s, int lun, int page, int allocation) {
        return run(s, ScsiRequest.read(lun, Cdbs.inquiry(page, allocation), allocation), 0)
                .thenApply(o -> bytesOrNull(o, String.format("INQUIRY VPD %02xh", page)));
    }

    /** The WP bit of the mode parameter header (SBC-4 "device-specific parameter"), false when unknown. */
    private static CompletableFuture<Boolean> writeProtected(IscsiSession s, int lun) {
        return run(s, ScsiRequest.read(lun, Cdbs.modeSense6(0x3F, 255), 255), 0).thenApply(o -> {
            byte[] b = bytesOrNull(o, "MODE SENSE (6)");
            return b != null && b.length >= 3 && (b[2] & 0x80) != 0;
        });
    }

    private static byte[] bytesOrNull(ScsiOutcome o, String what) {
        try {
            if (o instanceof ScsiOutcome.Good g) {
                return ByteBufUtil.getBytes(g.data());
            }
            if (o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.ILLEGAL_REQUEST) {
                return null;
            }
            throw new CompletionException(new IOException(what + ": " + o));
        } finally {
            o.release();
        }
    }

    private static CompletableFuture<ScsiOutcome> run(IscsiSession s, ScsiRequest request, int attentions) {
        return s.submit(request).thenCompose(o -> {
            if (o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.UNIT_ATTENTION && attentions < MAX_UNIT_ATTENTIONS) {
                return run(s, request, attentions + 1);
            }
            return CompletableFuture.completedFuture(o);
        });
    }
}
