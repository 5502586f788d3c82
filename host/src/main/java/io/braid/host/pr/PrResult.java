package io.braid.host.pr;

import java.util.List;

/**
 * What one keeper request did, path by path.
 *
 * @param action what was asked, e.g. {@code register 0x0000000000000abc}
 * @param steps  the commands sent, in order
 */
public record PrResult(String action, List<Step> steps) {
    public PrResult {
        steps = List.copyOf(steps);
    }

    /**
     * @param path    {@code host->storage}
     * @param command e.g. {@code REGISTER_AND_IGNORE_EXISTING_KEY}
     * @param error   null when it ended GOOD
     */
    public record Step(String path, String command, String error) {
    }
}
