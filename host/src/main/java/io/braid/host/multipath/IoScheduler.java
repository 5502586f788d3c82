package io.braid.host.multipath;

/**
 * The optional "I/O scheduling" hook of a device policy: a limit of commands in flight per path
 * and the order in which commands held back by it go once a path has room.
 *
 * <p><b>Threads.</b> {@link #rank} is called on any I/O thread under the device's lock: return at
 * once, never block, never call back into the device.
 */
public interface IoScheduler {
    /** The most commands of the device in flight through one path; 0 for no limit. */
    int maxOutstandingPerPath();

    /** Commands held back go in ascending rank, first come first served among equal ranks. */
    long rank(IoInfo io);
}
