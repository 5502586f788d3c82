/**
 * The host agent (architecture.md "Host side"): iSCSI initiator sessions from each host port to
 * each storage port, discovery, multipath devices and their NBD export.
 */
package io.braid.host;
