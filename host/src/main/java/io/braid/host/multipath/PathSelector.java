package io.braid.host.multipath;

import java.util.List;

/**
 * Chooses the path for each I/O of a device (the "path selection" hook of a device policy). One
 * instance serves one device.
 *
 * <p><b>Threads.</b> Called from any I/O thread (NBD event loops, session event loops, the
 * driver's timer thread), possibly concurrently, and under the device's lock: return at once,
 * never block, never call back into the device.
 */
public interface PathSelector {
    /** The policy's name, e.g. {@code round-robin}. */
    String name();

    /**
     * Picks one of {@code candidates} for {@code io}. The driver passes only ACTIVE paths of the
     * best ALUA group (active/optimized before active/non-optimized before the rest), in the
     * device's fixed order; the list is never empty. Returning a path not in the list counts as
     * returning the first.
     */
    PathView select(List<? extends PathView> candidates, IoInfo io);

    /** An I/O sent through {@code path} ended (successfully or not) after {@code nanos}. */
    default void completed(PathView path, IoInfo io, long nanos, boolean ok) {
    }

    /**
     * A command is now this selector's: it chose its path, and its outcome goes to this policy's
     * error analysis, until {@link #release} (the command ended, or a later attempt went to another
     * policy). Lets a loaded module know when no I/O is inside it any more. Never blocks.
     */
    default void acquire(IoInfo io) {
    }

    /** The command {@link #acquire acquired} is no longer this selector's. Never blocks. */
    default void release(IoInfo io) {
    }
}
