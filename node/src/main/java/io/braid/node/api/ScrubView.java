package io.braid.node.api;

/**
 * {@code GET|POST /api/v1/scrub}: the background check of every page copy (docs/storage.md
 * "Integrity").
 *
 * @param state         {@code NEVER} (none since the node started), {@code RUNNING}, {@code DONE},
 *                      {@code FAILED} or {@code CANCELLED}
 * @param pagesDone     page copies checked
 * @param pagesTotal    page copies to check
 * @param unitsChecked  4 KiB units verified
 * @param repaired      units rewritten from the other copy
 * @param unrecoverable units with no good copy
 * @param started       ISO-8601, or null
 * @param finished      ISO-8601, or null while running
 */
public record ScrubView(String state, long pagesDone, long pagesTotal, long unitsChecked,
                        long repaired, long unrecoverable, String started, String finished) {
}
