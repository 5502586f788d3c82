package io.braid.host.multipath;

import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.scsi.AluaState;
import io.braid.host.scsi.Cdbs;
import io.braid.scsi.SenseKey;
import io.braid.host.scsi.StandardInquiry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Explicit ALUA failover (SPC-5 "Explicit asymmetric logical unit access"): when a device has
 * no usable path left but some of its paths lead to a target port group in standby or
 * unavailable state, the agent asks the unit to make that group active/optimized with SET TARGET
 * PORT GROUPS, sent through one of the group's own ports (both states process it) — provided the
 * unit reports explicit ALUA (TPGS 10b or 11b in standard INQUIRY). The group's paths are then
 * probed at once; the checker reinstates them and discovery reads the new states.
 *
 * <p>At most one activation runs per device, and attempts are at least {@link #SPACING_NANOS}
 * apart, so a unit that refuses cannot be flooded.
 */
final class StandbyActivation {
    private static final Logger log = LoggerFactory.getLogger(StandbyActivation.class);
    /** Minimum time between two attempts for one device. */
    static final long SPACING_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_UNIT_ATTENTIONS = 8;

    private final MultipathDevice device;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong lastAttempt = new AtomicLong(System.nanoTime() - SPACING_NANOS);

    StandbyActivation(MultipathDevice device) {
        this.device = device;
    }

    /** A path whose group may be activated: its session is logged in, its group is standby or unavailable. */
    static boolean activatable(PathEntry p) {
        return p.session.isLoggedIn() && p.targetPortGroup() >= 0
                && (p.aluaState() == AluaState.STANDBY || p.aluaState() == AluaState.UNAVAILABLE);
    }

    /**
     * Tries to activate the group of the first of {@code paths} that {@link #activatable}, if no
     * attempt runs and the last was long enough ago. Completes with the group activated, or -1
     * when nothing was done; never exceptionally.
     */
    CompletableFuture<Integer> maybeActivate(List<PathEntry> paths) {
        PathEntry via = paths.stream().filter(StandbyActivation::activatable).findFirst().orElse(null);
        long now = System.nanoTime();
        long last = lastAttempt.get();
        if (via == null || now - last < SPACING_NANOS || !running.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(-1);
        }
        lastAttempt.set(now);
        int group = via.targetPortGroup();
        int lun = via.id().lun();
        IscsiSession s = via.session;
        return run(s, ScsiRequest.read(lun, Cdbs.inquiry(-1, 96), 96), 0).thenCompose(o -> {
            StandardInquiry inquiry;
            try {
                if (!(o instanceof ScsiOutcome.Good g)) {
                    throw new IOException("INQUIRY: " + o);
                }
                inquiry = StandardInquiry.parse(ByteBufUtil.getBytes(g.data()));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.<Integer>failedFuture(e);
            } finally {
                o.release();
            }
            if ((inquiry.tpgs() & 0b10) == 0) {
                log.info("multipath {}: no usable path, and the unit does not support explicit ALUA (TPGS {}):"
                        + " waiting for group {} to become active", device.name(), inquiry.tpgs(), group);
                return CompletableFuture.completedFuture(-1);
            }
            log.warn("multipath {}: no usable path; asking the unit to make target port group {} active/optimized"
                    + " (SET TARGET PORT GROUPS through {})", device.name(), group, via.id());
            return run(s, ScsiRequest.write(lun, Cdbs.setTargetPortGroups(8),
                    Unpooled.wrappedBuffer(Cdbs.setTargetPortGroupsParameters(group, AluaState.ACTIVE_OPTIMIZED))), 0)
                    .thenCompose(r -> {
                        try {
                            if (!(r instanceof ScsiOutcome.Good)) {
                                return CompletableFuture.<Integer>failedFuture(
                                        new IOException("SET TARGET PORT GROUPS: " + r));
                            }
                            return CompletableFuture.completedFuture(group);
                        } finally {
                            r.release();
                        }
                    });
        }).handle((g, e) -> {
            running.set(false);
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                log.warn("multipath {}: activating target port group {} failed: {}", device.name(), group,
                        cause.getMessage());
                return -1;
            }
            if (g >= 0) {
                device.groupActivated(g, via);
            }
            return g;
        });
    }

    /** {@code request} through {@code s}, unit attentions answered by sending it again. */
    private static CompletableFuture<ScsiOutcome> run(IscsiSession s, ScsiRequest request, int attentions) {
        return s.submit(request).thenCompose(o -> {
            if (o instanceof ScsiOutcome.CheckCondition c && c.sense() != null
                    && c.sense().key() == SenseKey.UNIT_ATTENTION && attentions < MAX_UNIT_ATTENTIONS) {
                o.release();
                return run(s, request, attentions + 1);
            }
            return CompletableFuture.completedFuture(o);
        });
    }
}
