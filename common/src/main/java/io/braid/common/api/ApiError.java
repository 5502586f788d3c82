package io.braid.common.api;

/**
 * The body of every error answer of Braid's HTTP APIs (the node's management API and the host
 * agent's control API): {@code {"error": {"code": "...", "message": "..."}}}. Codes are stable and
 * meant for scripts; messages are for people.
 */
public record ApiError(Detail error) {
    public static ApiError of(String code, String message) {
        return new ApiError(new Detail(code, message));
    }

    /** @param code stable, e.g. {@code unauthorized}, {@code not_found}, {@code bad_request}, {@code internal} */
    public record Detail(String code, String message) {
    }
}
