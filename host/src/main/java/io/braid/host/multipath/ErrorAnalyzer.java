package io.braid.host.multipath;

import io.braid.host.iscsi.ScsiOutcome;

/**
 * Turns a command's outcome into what the driver does next (the "error analysis" hook of a
 * device policy): retry on the same path, retry elsewhere, fail the path, fail the I/O, or let the
 * host's reservation keeper restore a registration and retry once.
 * Never called for status GOOD.
 *
 * <p><b>Threads.</b> Called on the event loop of the session the outcome arrived on: return at
 * once, never block. <b>Buffers.</b> The driver owns {@code outcome} and releases it afterwards.
 */
public interface ErrorAnalyzer {
    ErrorDecision analyze(IoInfo io, ScsiOutcome outcome, PathView path);
}
