package io.braid.host.api;

import io.braid.host.pr.PrResult;
import io.braid.host.pr.PrStatus;

/**
 * The answer to a reservation request: what was sent through which path, and the state after.
 *
 * @param result the commands sent, path by path
 * @param status the registrations and the reservation afterwards, or null when they could not be read
 */
public record PrActionView(PrResult result, PrStatus status) {
}
