package io.braid.store.page;

import java.time.Instant;

/**
 * Progress of a background task (scrub or rebuild).
 *
 * @param kind          {@code scrub} or {@code rebuild d<N>}
 * @param state         where the task is
 * @param pagesDone     page copies examined so far
 * @param pagesTotal    page copies to examine (taken when the task started)
 * @param unitsChecked  4 KiB units read and verified
 * @param repaired      units rewritten from the other copy
 * @param unrecoverable units with no good copy left (they read back as a medium error)
 * @param started       when it started
 * @param finished      when it ended, or null while running
 */
public record TaskProgress(String kind, State state, long pagesDone, long pagesTotal,
                           long unitsChecked, long repaired, long unrecoverable, Instant started,
                           Instant finished) {

    /** Task life cycle: RUNNING ends in exactly one of the others. */
    public enum State { RUNNING, DONE, FAILED, CANCELLED }

    /** Done fraction, 0..1 (1 for an empty task). */
    public double fraction() {
        return pagesTotal == 0 ? (state == State.RUNNING ? 0 : 1) : Math.min(1.0, (double) pagesDone / pagesTotal);
    }
}
