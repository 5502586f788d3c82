package io.braid.host.api;

/**
 * The body of every error answer, the same shape as the node's management API:
 * {@code {"error": {"code": "...", "message": "..."}}}.
 */
public record ApiError(Detail error) {
    public static ApiError of(String code, String message) {
        return new ApiError(new Detail(code, message));
    }

    /** @param code stable: {@code unauthorized}, {@code not_found}, {@code bad_request}, {@code internal} */
    public record Detail(String code, String message) {
    }
}
