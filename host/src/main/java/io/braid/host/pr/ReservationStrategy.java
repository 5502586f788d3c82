package io.braid.host.pr;

import io.braid.host.multipath.PathStatus;

import java.util.List;

/**
 * How a {@link ReservationKeeper} handles a device's reservation across its paths (the choices
 * {@code mpathpersist} and multipathd make for dm-multipath). Every method has a default; a
 * device policy module overrides what its array needs.
 *
 * <p>Called on the keeper's thread (the API's thread for a request, the {@code braid-pr} thread
 * for a path event), with the keeper's lock held: return quickly and never block.
 */
public interface ReservationStrategy {

    /** The defaults: described on each method. */
    ReservationStrategy DEFAULT = new ReservationStrategy() {
    };

    /**
     * The path to reserve, release, clear and preempt through. Default: the first, which is the
     * path failover-only sends I/O through (preferred, then primary, then by port), so that a
     * Write Exclusive or Exclusive Access holder is also the path the I/O uses.
     *
     * @param usable the device's paths whose sessions are logged in, in the device's order; never empty
     * @return one of {@code usable}
     */
    default PathStatus reservePath(List<PathStatus> usable) {
        return usable.getFirst();
    }

    /**
     * Whether a path that appears or is reinstated after {@code register} gets the key too
     * (when the key is still registered through another path; a key preempted by another host
     * stays off). Default: yes.
     */
    default boolean registerNewPaths() {
        return true;
    }

    /**
     * Whether the reservation moves to a surviving path when the path holding it fails (PREEMPT
     * with the own key, then the key registered again on the other paths). Default: for every
     * type with a single holder, i.e. all but the all registrants types, where every registered
     * path holds it already.
     */
    default boolean reestablishAfterFailover(PrType type) {
        return !type.allRegistrants();
    }
}
