package io.braid.host.discovery;

import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.scsi.Capacity;
import io.braid.host.scsi.Cdbs;
import io.braid.host.scsi.DeviceIdentification;
import io.braid.host.scsi.ReportLuns;
import io.braid.host.scsi.StandardInquiry;
import io.braid.host.scsi.TargetPortGroups;
import io.braid.host.scsi.UnitSerialNumber;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBufUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Probes the logical units behind one logged-in session (SPC-5, SBC-4): REPORT LUNS, then per
 * LUN standard INQUIRY, VPD 80h, VPD 83h, READ CAPACITY (16) and REPORT TARGET PORT GROUPS.
 * Unit attentions (a new nexus always has one) are taken and the command repeated. A unit that
 * does not support VPD 80h or REPORT TARGET PORT GROUPS (ILLEGAL REQUEST) is probed without
 * them; a LUN without a connected block device, or whose identity cannot be read, is left out
 * with a log line. A transport failure fails the whole probe.
 *
 * <p>Runs on the session's event loop (the outcomes complete there); every step is bounded by
 * the session's command timeout.
 */
public final class LunProber {
    private static final Logger log = LoggerFactory.getLogger(LunProber.class);
    /** Unit attentions taken in a row before the probe of a LUN gives up. */
    static final int MAX_UNIT_ATTENTIONS = 8;
    /** The most LUNs REPORT LUNS is asked for (SamLun.MAX + 1 entries of 8 bytes, plus the header). */
    private static final int MAX_REPORT_LUNS_LENGTH = 8 + 8 * 16384;

    private LunProber() {
    }

    /** A probe step that could not get what it needed from the unit. */
    static final class ProbeException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final ScsiOutcome outcome;

        ProbeException(String message, ScsiOutcome outcome) {
            super(message);
            this.outcome = outcome;
        }

        boolean illegalRequest() {
            return outcome instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.ILLEGAL_REQUEST;
        }

        boolean transport() {
            return outcome instanceof ScsiOutcome.TransportFailure;
        }
    }

    /** Every block-device LUN of the session's target, in REPORT LUNS order. */
    public static CompletableFuture<List<LunInfo>> probe(IscsiSession session) {
        return reportLuns(session, 8 + 8 * 256).thenCompose(luns -> {
            List<LunInfo> out = new ArrayList<>();
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int lun : luns) {
                chain = chain.thenCompose(v -> probeLun(session, lun).handle((info, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        if (cause instanceof ProbeException p && p.transport()) {
                            throw new CompletionException(cause);
                        }
                        log.warn("session {}: LUN {} left out: {}", session.spec(), lun, cause.getMessage());
                    } else if (info != null) {
                        out.add(info);
                    }
                    return null;
                }));
            }
            return chain.thenApply(v -> List.copyOf(out));
        });
    }

    private static CompletableFuture<List<Integer>> reportLuns(IscsiSession s, int allocation) {
        return bytes(s, ScsiRequest.read(0, Cdbs.reportLuns(allocation), allocation), "REPORT LUNS").thenCompose(b -> {
            ReportLuns r = ReportLuns.parse(b);
            if (r.truncated(b.length) && allocation < MAX_REPORT_LUNS_LENGTH) {
                int more = (int) Math.min(MAX_REPORT_LUNS_LENGTH, r.listLength() + 8);
                return reportLuns(s, more);
            }
            if (r.unsupported() > 0) {
                log.info("session {}: {} LUNs use an addressing method this initiator does not use", s.spec(),
                        r.unsupported());
            }
            return CompletableFuture.completedFuture(r.luns());
        });
    }

    /** The probe of one LUN, or null (completed) when the LUN holds no connected block device. */
    static CompletableFuture<LunInfo> probeLun(IscsiSession s, int lun) {
        int stdLength = StandardInquiry.ALLOCATION_LENGTH;
        return bytes(s, ScsiRequest.read(lun, Cdbs.inquiry(-1, stdLength), stdLength), "INQUIRY").thenCompose(std -> {
            StandardInquiry inquiry = StandardInquiry.parse(std);
            if (!inquiry.connected() || inquiry.deviceType() != 0) {
                log.info("session {}: LUN {} is not a connected block device (qualifier {}, type 0x{}); skipped",
                        s.spec(), lun, inquiry.peripheralQualifier(), Integer.toHexString(inquiry.deviceType()));
                return CompletableFuture.completedFuture(null);
            }
            return vpd(s, lun, UnitSerialNumber.PAGE, 255).handle((b, e) -> {
                if (e == null) {
                    return UnitSerialNumber.parse(b);
                }
                if (cause(e) instanceof ProbeException p && p.illegalRequest()) {
                    return "";
                }
                throw new CompletionException(cause(e));
            }).thenCompose(serial -> vpd(s, lun, DeviceIdentification.PAGE, 1024)
                    .thenApply(DeviceIdentification::parse)
                    .thenCompose(ids -> capacity(s, lun)
                            .thenCompose(capacity -> portGroups(s, lun).thenApply(groups ->
                                    new LunInfo(lun, inquiry, serial, ids, capacity, groups)))));
        });
    }

    /**
     * READ CAPACITY (16), or null when the port's asymmetric access state does not process it
     * (NOT READY 04h/0Ah-0Ch: transitioning, standby, unavailable; SPC-5 "Target port asymmetric
     * access states"): the path exists, only its capacity must come from another path.
     */
    private static CompletableFuture<Capacity> capacity(IscsiSession s, int lun) {
        return bytes(s, ScsiRequest.read(lun, Cdbs.readCapacity16(Capacity.ALLOCATION_LENGTH), Capacity.ALLOCATION_LENGTH),
                "READ CAPACITY (16)").handle((b, e) -> {
                    if (e == null) {
                        return Capacity.parse(b);
                    }
                    if (cause(e) instanceof ProbeException p && p.outcome instanceof ScsiOutcome.CheckCondition c
                            && c.sense() != null && c.sense().key() == SenseKey.NOT_READY && c.sense().asc() == 0x04
                            && c.sense().ascq() >= 0x0A && c.sense().ascq() <= 0x0C) {
                        log.debug("session {}: LUN {}: no capacity through this port: {}", s.spec(), lun, c.sense());
                        return null;
                    }
                    throw new CompletionException(cause(e));
                });
    }

    /** REPORT TARGET PORT GROUPS, or null when the unit does not support it. */
    private static CompletableFuture<TargetPortGroups> portGroups(IscsiSession s, int lun) {
        int allocation = 4096;
        return bytes(s, ScsiRequest.read(lun, Cdbs.reportTargetPortGroups(allocation), allocation),
                "REPORT TARGET PORT GROUPS").handle((b, e) -> {
                    if (e == null) {
                        return TargetPortGroups.parse(b);
                    }
                    if (cause(e) instanceof ProbeException p && !p.transport()) {
                        log.debug("session {}: LUN {}: no ALUA states: {}", s.spec(), lun, p.getMessage());
                        return null;
                    }
                    throw new CompletionException(cause(e));
                });
    }

    /** A VPD page, asked again with the full length when the first answer was cut short. */
    private static CompletableFuture<byte[]> vpd(IscsiSession s, int lun, int page, int allocation) {
        String what = String.format("INQUIRY VPD %02xh", page);
        return bytes(s, ScsiRequest.read(lun, Cdbs.inquiry(page, allocation), allocation), what).thenCompose(b -> {
            if (b.length < 4) {
                throw new ProbeException(what + " returned " + b.length + " bytes", null);
            }
            int full = 4 + ((b[2] & 0xFF) << 8 | (b[3] & 0xFF));
            if (full > b.length && full <= 0xFFFF && allocation < full) {
                return vpd(s, lun, page, full);
            }
            return CompletableFuture.completedFuture(b);
        });
    }

    /** The Data-In of a command that must end GOOD, taking unit attentions on the way. */
    static CompletableFuture<byte[]> bytes(IscsiSession s, ScsiRequest request, String what) {
        return run(s, request, 0).thenApply(o -> {
            if (o instanceof ScsiOutcome.Good g) {
                try {
                    return ByteBufUtil.getBytes(g.data());
                } finally {
                    o.release();
                }
            }
            throw new ProbeException(what + " of LUN " + request.lun() + ": " + o, o);
        });
    }

    private static CompletableFuture<ScsiOutcome> run(IscsiSession s, ScsiRequest request, int attentions) {
        return s.submit(request).thenCompose(o -> {
            if (o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.UNIT_ATTENTION && attentions < MAX_UNIT_ATTENTIONS) {
                log.debug("session {}: LUN {}: {}", s.spec(), request.lun(), c.sense());
                return run(s, request, attentions + 1);
            }
            return CompletableFuture.completedFuture(o);
        });
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
