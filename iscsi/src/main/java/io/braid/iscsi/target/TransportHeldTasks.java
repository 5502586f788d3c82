package io.braid.iscsi.target;

import io.braid.scsi.HeldTasks;
import io.braid.scsi.Nexus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The commands this server holds for one target before the SCSI core runs them (SAM-5 task set):
 * those waiting for their CmdSN turn in a session and those collecting Data-Out on a connection.
 * The core ends them through this for PREEMPT AND ABORT and CLEAR TASK SET; each connection drops
 * its own on its event loop, so the wait is bounded by {@link TargetConnection#TMF_WAIT_MILLIS}.
 */
final class TransportHeldTasks implements HeldTasks {

    private final SessionRegistry sessions;
    private final TargetDefinition target;

    TransportHeldTasks(SessionRegistry sessions, TargetDefinition target) {
        this.sessions = sessions;
        this.target = target;
    }

    @Override
    public Set<Nexus> abort(long lun, Predicate<Nexus> which) {
        Set<Nexus> lost = new HashSet<>();
        List<CompletableFuture<Integer>> collecting = new ArrayList<>();
        List<Nexus> owners = new ArrayList<>();
        for (Session s : sessions.list()) {
            Nexus nexus = s.nexus();
            if (s.target() != target || nexus == null || !which.test(nexus)) {
                continue;
            }
            if (s.abortWaiting(c -> c.lun() == lun) > 0) {
                lost.add(nexus);
            }
            s.forEachConnection(c -> {
                collecting.add(c.abortCollecting(l -> l == lun));
                owners.add(nexus);
            });
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TargetConnection.TMF_WAIT_MILLIS);
        for (int i = 0; i < collecting.size(); i++) {
            try {
                Integer n = collecting.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (n != null && n > 0) {
                    lost.add(owners.get(i));
                }
            } catch (TimeoutException | ExecutionException e) {
                // A connection whose event loop did not answer in time: its tasks are not counted.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return lost;
    }
}
