package io.braid.policy.spi;

import java.util.List;

/**
 * Optional capability of a {@link PathPolicy}: how SCSI persistent reservations (SPC-5 5.14) are
 * kept across the device's paths. The host agent's reservation keeper ({@code braid host pr})
 * asks the device's policy these questions (through the agent's guard, like every decision); a policy without this capability gets the defaults,
 * which suit an array that treats every path of the host as its own I_T nexus (Braid does):
 * register the key on every path, including paths that appear later, reserve through the first
 * path, and re-establish the registration after a failover.
 *
 * <p>The same answers govern what the keeper does when a command meets RESERVATION CONFLICT (or an
 * {@link ErrorAnalysis} returns {@link Verdict#reservationAction}): it registers the key again on
 * the command's path if that path's I_T nexus lost it (only when {@link #registerOnNewPaths()}),
 * moves a Write Exclusive or Exclusive Access reservation of this host whose path failed to
 * {@link #reservePath} (only when {@link #reestablishAfterFailover()}), and then the command is
 * sent once more. A key another host preempted is never registered again.
 *
 * <p><b>Thread.</b> The module's decision thread while the keeper's thread (never an I/O
 * thread) waits at most the decision budget; must not block. <b>Ownership.</b> The lists are
 * immutable snapshots.
 */
public interface ReservationHandling {

    /** Whether a registered key is also registered on a path that appears later (REGISTER through it). */
    default boolean registerOnNewPaths() {
        return true;
    }

    /**
     * The path to send PERSISTENT RESERVE OUT (RESERVE, RELEASE) through.
     *
     * @param paths the usable paths, in the device's order; never empty
     * @return one of {@code paths}
     */
    default PathRef reservePath(List<PathRef> paths) {
        return paths.get(0);
    }

    /** Whether the keeper registers again (and reserves again, if it held the reservation) after a failover. */
    default boolean reestablishAfterFailover() {
        return true;
    }
}
