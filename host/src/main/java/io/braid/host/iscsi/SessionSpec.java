package io.braid.host.iscsi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a session goes: from a host port (local source address) to a storage port (target
 * portal), to a target, with which credentials. One normal session is one I_T nexus, one path
 * in the multipath sense.
 *
 * @param targetName the target's iSCSI name; null for a discovery session
 * @param hostPort   local address to bind, or null for any
 * @param portal     the target portal
 * @param auth       authentication, {@link Authentication#NONE} when null
 */
public record SessionSpec(String targetName, InetAddress hostPort, InetSocketAddress portal, Authentication auth) {
    public SessionSpec {
        Objects.requireNonNull(portal, "portal");
        if (portal.isUnresolved()) {
            throw new IllegalArgumentException("portal " + portal.getHostString() + " cannot be resolved");
        }
        auth = auth == null ? Authentication.NONE : auth;
    }

    public boolean discovery() {
        return targetName == null;
    }

    /** {@code hostPort->portal target}, for logs. */
    @Override
    public String toString() {
        return (hostPort == null ? "*" : hostPort.getHostAddress()) + "->" + portal.getHostString() + ":"
                + portal.getPort() + (targetName == null ? " (discovery)" : " " + targetName);
    }
}
