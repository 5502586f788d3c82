package io.braid.host.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The body of {@code POST /api/v1/devices/{name}/pr/{action}}. Keys are {@code 0x} and hex
 * digits, or decimal.
 *
 * @param key       register: the key to register (0 unregisters)
 * @param type      reserve, preempt: {@code wr-ex}, {@code ex-ac}, {@code wr-ex-ro}, {@code ex-ac-ro},
 *                  {@code wr-ex-ar} or {@code ex-ac-ar}
 * @param victimKey preempt: the key whose registrations (and reservation) are taken
 * @param abort     preempt: PREEMPT AND ABORT instead of PREEMPT
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PrRequest(String key, String type, String victimKey, Boolean abort) {
}
