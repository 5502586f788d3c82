package io.braid.host.multipath;

import io.braid.host.discovery.PathId;

import java.util.concurrent.CompletableFuture;

/**
 * What the driver asks when a command met RESERVATION CONFLICT or a policy module asked for a
 * reservation action ({@link ErrorDecision.ReservationAction}): the host's persistent
 * reservation keeper (SPC-5 "Persistent reservations"), set with
 * {@link Multipath#reservationRecovery(ReservationRecovery)}.
 *
 * <p><b>Threads.</b> Both methods are called on a session's event loop or the driver's timer
 * thread: return at once, never block; {@link #restore} does its work elsewhere.
 */
public interface ReservationRecovery {

    /**
     * Whether the agent keeps a registration (and perhaps a reservation) of this host on
     * {@code device} that is not known to be preempted by another host. Reads state only.
     */
    boolean keeps(MultipathDevice device);

    /**
     * Brings this host's registration back on {@code path} when the unit lost it while the key is
     * still registered elsewhere, moves a single-holder reservation of this host whose path is gone
     * to a usable path, or waits for such a move already under way. Completes with whether the
     * command that met the conflict on {@code path} may pass when sent again — through
     * {@code path}, or through the usable path that holds this host's reservation (false: nothing
     * of this host's to restore, or another host preempted it); never exceptionally.
     */
    CompletableFuture<Boolean> restore(MultipathDevice device, PathId path);
}
