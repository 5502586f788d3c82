/**
 * The NBD export of the host agent's devices (the NBD protocol, NetworkBlockDevice/nbd
 * {@code doc/proto.md}): a server with the fixed newstyle handshake on a Unix socket and,
 * optionally, loopback TCP, serving every {@link io.braid.host.ExportedDevice} by name to the
 * kernel's nbd client, qemu, libnbd and fio.
 *
 * <p>{@link io.braid.host.nbd.NbdServer} is the entry point; the codec
 * ({@link io.braid.host.nbd.NbdServerDecoder}, {@link io.braid.host.nbd.NbdServerEncoder}) never
 * touches a socket, and {@link io.braid.host.nbd.NbdConnection} runs one client.
 */
package io.braid.host.nbd;
