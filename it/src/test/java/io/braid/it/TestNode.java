package io.braid.it;

import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.node.HostPort;
import io.braid.node.InitiatorAcl;
import io.braid.node.LunMapping;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.StorageNode;
import io.braid.node.VolumeSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real storage node started in-process on 127.0.0.1 with a free port and a temporary data
 * directory, for tests that point external initiators at it.
 */
final class TestNode implements AutoCloseable {
    static final String NAME = "itest";

    private final StorageNode node;

    private TestNode(StorageNode node) {
        this.node = node;
    }

    static Builder in(Path dataDir) {
        return new Builder(dataDir);
    }

    StorageNode node() {
        return node;
    }

    String iqn() {
        return node.targetIqn();
    }

    /** {@code 127.0.0.1:PORT} of the (only) portal. */
    String portal() {
        return node.portals().get(0).toString();
    }

    int port() {
        return node.portals().get(0).port();
    }

    /** {@code iscsi://HOST:PORT/<iqn>/<lun>} through portal {@code index} (see {@link Builder#secondPortal}). */
    String url(int portal, int lun) {
        return "iscsi://" + node.portals().get(portal) + "/" + iqn() + "/" + lun;
    }

    /** {@code iscsi://127.0.0.1:PORT} for discovery. */
    String portalUrl() {
        return "iscsi://" + portal();
    }

    /** {@code iscsi://127.0.0.1:PORT/<iqn>/<lun>}. */
    String url(int lun) {
        return "iscsi://" + portal() + "/" + iqn() + "/" + lun;
    }

    /** The same with CHAP credentials, in libiscsi's {@code user%secret@} form. */
    String url(int lun, String user, String secret) {
        return "iscsi://" + user + "%" + secret + "@" + portal() + "/" + iqn() + "/" + lun;
    }

    @Override
    public void close() {
        node.close();
    }

    static final class Builder {
        private final Path dataDir;
        private final List<VolumeSpec> volumes = new ArrayList<>();
        private ChapCredentials chap;
        private ChapCredentials mutual;
        private final Map<String, ChapCredentials> perInitiator = new HashMap<>();
        private final List<String> allowed = new ArrayList<>();
        private boolean secondPortal;
        private final List<InitiatorAcl> acls = new ArrayList<>();

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        Builder volume(String name, long sizeBytes) {
            volumes.add(new VolumeSpec(name, sizeBytes, volumes.size(), false));
            return this;
        }

        Builder readOnlyVolume(String name, long sizeBytes) {
            volumes.add(new VolumeSpec(name, sizeBytes, volumes.size(), true));
            return this;
        }

        /** A second portal on 127.0.0.2 (same portal group), so two paths reach every LUN. */
        Builder secondPortal() {
            secondPortal = true;
            return this;
        }

        Builder chap(String user, String secret) {
            chap = new ChapCredentials(user, secret);
            return this;
        }

        Builder mutualChap(String user, String secret) {
            mutual = new ChapCredentials(user, secret);
            return this;
        }

        Builder initiatorChap(String iqn, String user, String secret) {
            perInitiator.put(iqn, new ChapCredentials(user, secret));
            return this;
        }

        /** LUN masking: {@code initiator} sees these volumes ({@code "name:ro"} write-protected). */
        Builder acl(String initiator, String... volumes) {
            List<LunMapping> mappings = new ArrayList<>();
            for (String v : volumes) {
                mappings.add(v.endsWith(":ro") ? new LunMapping(v.substring(0, v.length() - 3), true)
                        : new LunMapping(v, false));
            }
            acls.add(new InitiatorAcl(initiator, mappings));
            return this;
        }

        Builder allow(String initiatorIqn) {
            allowed.add(initiatorIqn);
            return this;
        }

        TestNode start() throws IOException {
            List<PortalSpec> portals = new ArrayList<>();
            portals.add(new PortalSpec(new HostPort("127.0.0.1", 0), 1));
            if (secondPortal) {
                portals.add(new PortalSpec(new HostPort("127.0.0.2", 0), 1));
            }
            NodeConfig config = new NodeConfig(NAME, dataDir, portals, volumes,
                    new AuthConfig(chap, mutual, perInitiator), allowed,
                    new HostPort("127.0.0.1", 0), acls);
            return new TestNode(StorageNode.start(config));
        }
    }
}
