package io.braid.node.api;

/**
 * Body of {@code POST /api/v1/volumes/{name}/resize}: the new size, in bytes or as an operator
 * writes it ({@code 2G}); exactly one of the two.
 */
public record ResizeRequest(Long sizeBytes, String size) {
}
