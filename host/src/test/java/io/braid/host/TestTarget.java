package io.braid.host;

import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.node.HostPort;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.StorageNode;
import io.braid.node.VolumeSpec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Braid storage node started in-process, listening on 127.0.6.1 and 127.0.6.2 (free
 * ports), for the initiator's tests. Helper 6's loopback addresses keep it apart from other
 * nodes running on the machine.
 */
public final class TestTarget implements AutoCloseable {
    public static final String PORTAL_A = "127.0.6.1";
    public static final String PORTAL_B = "127.0.6.2";

    private final StorageNode node;

    private TestTarget(StorageNode node) {
        this.node = node;
    }

    public static Builder in(Path dataDir) {
        return new Builder(dataDir);
    }

    public StorageNode node() {
        return node;
    }

    public String iqn() {
        return node.targetIqn();
    }

    /** The bound portals in order (A, then B when both were asked for). */
    public List<InetSocketAddress> portals() {
        return node.portals().stream().map(p -> new InetSocketAddress(p.host(), p.port())).toList();
    }

    public InetSocketAddress portal() {
        return portals().get(0);
    }

    @Override
    public void close() {
        node.close();
    }

    public static final class Builder {
        private final Path dataDir;
        private final List<VolumeSpec> volumes = new ArrayList<>();
        private final List<String> portals = new ArrayList<>(List.of(PORTAL_A));
        private ChapCredentials chap;
        private ChapCredentials mutual;
        private final Map<String, ChapCredentials> perInitiator = new HashMap<>();
        private String name = "hosttest";
        private boolean groupPerPortal;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder name(String n) {
            name = n;
            return this;
        }

        public Builder volume(String volumeName, long sizeBytes) {
            volumes.add(new VolumeSpec(volumeName, sizeBytes, volumes.size(), false));
            return this;
        }

        public Builder twoPortals() {
            if (!portals.contains(PORTAL_B)) {
                portals.add(PORTAL_B);
            }
            return this;
        }

        /** Listens on these loopback addresses ({@code host} or {@code host:port}) instead of 127.0.6.1 (and .2). */
        public Builder portals(String... hosts) {
            portals.clear();
            portals.addAll(List.of(hosts));
            return this;
        }

        /** Each portal in its own target port group (1, 2, ...) instead of all in group 1. */
        public Builder groupPerPortal() {
            groupPerPortal = true;
            return this;
        }

        /** A thin volume in the node's memory: UNMAP and WRITE SAME with UNMAP deallocate. */
        public Builder memoryVolume(String volumeName, long sizeBytes) {
            volumes.add(new VolumeSpec(volumeName, sizeBytes, volumes.size(), false,
                    java.util.EnumSet.allOf(io.braid.scsi.UnitFeature.class), VolumeSpec.Backing.MEMORY));
            return this;
        }

        public Builder readOnlyVolume(String volumeName, long sizeBytes) {
            volumes.add(new VolumeSpec(volumeName, sizeBytes, volumes.size(), true));
            return this;
        }

        public Builder chap(String user, String secret) {
            chap = new ChapCredentials(user, secret);
            return this;
        }

        public Builder mutualChap(String user, String secret) {
            mutual = new ChapCredentials(user, secret);
            return this;
        }

        public TestTarget start() throws IOException {
            List<PortalSpec> ps = new ArrayList<>();
            for (String h : portals) {
                ps.add(new PortalSpec(h.contains(":")
                        ? new HostPort(h.substring(0, h.indexOf(':')), Integer.parseInt(h.substring(h.indexOf(':') + 1)))
                        : new HostPort(h, 0), groupPerPortal ? ps.size() + 1 : 1));
            }
            NodeConfig config = new NodeConfig(name, dataDir, ps, volumes,
                    new AuthConfig(chap, mutual, perInitiator), List.of(), new HostPort("127.0.0.1", 0));
            return new TestTarget(StorageNode.start(config));
        }
    }
}
