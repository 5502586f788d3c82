package io.braid.node.api;

/**
 * The body of every error answer: {@code {"error": {"code": "...", "message": "..."}}}. Codes are
 * stable and meant for scripts; messages are for people.
 */
public record ApiError(Detail error) {
    public static ApiError of(String code, String message) {
        return new ApiError(new Detail(code, message));
    }

    /** @param code stable, e.g. {@code unauthorized}, {@code not_found}, {@code internal} */
    public record Detail(String code, String message) {
    }
}
