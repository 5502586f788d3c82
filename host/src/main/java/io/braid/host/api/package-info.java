/**
 * The host agent's local control API (architecture.md "Local control API"): HTTP on a loopback
 * address with a bearer token kept in the agent's data directory, for {@code braid host ...}.
 * Records here are its JSON documents.
 */
package io.braid.host.api;
