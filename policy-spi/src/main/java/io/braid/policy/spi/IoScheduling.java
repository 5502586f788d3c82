package io.braid.policy.spi;

/**
 * Optional capability of a {@link PathPolicy}: I/O scheduling. A per-path limit of commands in
 * flight — once every candidate path has that many, further commands wait in the driver — and
 * the order in which waiting commands go once a path has room.
 *
 * <p>Commands are not merged by the driver: the NBD client (the kernel's block layer, qemu)
 * merges adjacent requests before they reach the agent.
 */
public interface IoScheduling {

    /**
     * The most commands of this device in flight through one path; 0 for no limit. Read once,
     * when the policy is created (calling thread: the module's decision thread).
     */
    default int maxOutstandingPerPath() {
        return 0;
    }

    /**
     * The rank of a command that has to wait for room under {@link #maxOutstandingPerPath()}:
     * waiting commands go in ascending rank, first come first served among equal ranks. E.g. the
     * offset for an elevator, or reads before writes.
     *
     * <p><b>Thread.</b> The module's decision thread, while the issuing I/O thread waits at most
     * the decision budget (then the rank is 0). Must not block. <b>Ownership.</b> {@code io} is
     * an immutable snapshot.
     */
    default long queueRank(IoRequest io) {
        return 0;
    }
}
