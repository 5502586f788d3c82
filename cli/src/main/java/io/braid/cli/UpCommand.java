package io.braid.cli;

import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.node.HostPort;
import io.braid.node.InitiatorAcl;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.StorageConfig;
import io.braid.node.VolumeSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code braid up}: the embedded default, one node on this machine until Ctrl-C or SIGTERM. */
@Command(name = "up", sortOptions = false,
        description = {"Serve volumes over iSCSI from this machine until Ctrl-C or SIGTERM, with a"
                + " host agent that exports each volume over NBD through every path.",
                "Prints one line per LUN and portal: iSCSI <volume> iscsi://HOST:PORT/<target-iqn>/<lun>,",
                "then one per volume: NBD <volume> nbd+unix:///<volume>?socket=<data>/nbd.sock.",
                "Volumes are created on the page store (four mirrored drive files under DIR/drives)",
                "if missing and reused if present."})
final class UpCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = InstanceOptions.DEFAULT_DATA,
            description = "Data directory for volumes and state (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--portal", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:3260,127.0.0.2:3260",
            split = ",", converter = Converters.PortalAddress.class,
            description = "iSCSI portal to listen on; repeatable (default: ${DEFAULT-VALUE}).")
    List<HostPort> portals;

    @Option(names = "--volume", paramLabel = "NAME:SIZE[:OPTION]...", defaultValue = "v0:1G",
            converter = Converters.Volume.class,
            description = "Volume to serve, e.g. v0:1G or db:512M; repeatable; LUNs in order"
                    + " from 0 (default: ${DEFAULT-VALUE}). Options: ro (read-only), memory"
                    + " (thin, in the node's memory, empty at every start, e.g. scratch:128M:memory;"
                    + " the default is file, an image in the data directory), no-compare-and-write,"
                    + " no-extended-copy, no-thin-provisioning, no-persistent-reservations.")
    List<Converters.VolumeArg> volumes;

    @Option(names = "--acl", paramLabel = "IQN=VOLUME[:ro][,...]", converter = Converters.Acl.class,
            description = "LUN masking: the initiator sees only these volumes (:ro write-protected);"
                    + " repeatable. With any --acl, initiators not named see no volume.")
    List<InitiatorAcl> acls = new ArrayList<>();

    @Option(names = "--chap", paramLabel = "USER:SECRET", defaultValue = "${env:BRAID_CHAP}",
            converter = Converters.Chap.class,
            description = "Require CHAP from every initiator (default: $BRAID_CHAP, else none).")
    ChapCredentials chap;

    @Option(names = "--mutual-chap", paramLabel = "USER:SECRET",
            defaultValue = "${env:BRAID_MUTUAL_CHAP}", converter = Converters.Chap.class,
            description = "Credentials the target answers mutual CHAP with (needs --chap).")
    ChapCredentials mutualChap;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "local",
            description = "Node name; the target is iqn.2026-11.io.braid:NAME (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--api-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            converter = Converters.Address.class,
            description = "Management API address; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
    HostPort apiAddress;

    @Option(names = "--host-port", paramLabel = "ADDRESS", defaultValue = "127.0.0.1,127.0.0.2",
            split = ",", converter = LocalHostAgent.Address.class,
            description = "Local address the host agent opens sessions from; repeatable; each host"
                    + " port x each portal is one path (default: ${DEFAULT-VALUE}).")
    List<InetAddress> hostPorts;

    @Option(names = "--no-host",
            description = "Run the node alone: no host agent, no NBD exports.")
    boolean noHost;

    @Option(names = "--drive-size", paramLabel = "SIZE", defaultValue = "16G",
            converter = Converters.Size.class,
            description = "Size of each of the four sparse drive files d0..d3 created under"
                    + " DIR/drives on first start (default: ${DEFAULT-VALUE}).")
    long driveSize;

    @Option(names = "--start-degraded",
            description = "Start even if a drive is missing or swapped: it is marked FAILED, to be"
                    + " replaced with: braid drive replace.")
    boolean startDegraded;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    /** The node configuration these flags describe. */
    NodeConfig toConfig() {
        List<PortalSpec> portalSpecs = portals.stream()
                .map(p -> new PortalSpec(p, PortalSpec.DEFAULT_TPGT)).toList();
        List<VolumeSpec> volumeSpecs = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            Converters.VolumeArg v = volumes.get(i);
            volumeSpecs.add(new VolumeSpec(v.name(), v.sizeBytes(), i, v.readOnly(), v.features(), v.backing()));
        }
        AuthConfig auth = chap == null && mutualChap == null ? AuthConfig.NONE
                : new AuthConfig(chap, mutualChap, Map.of());
        return new NodeConfig(name, data.toAbsolutePath().normalize(), portalSpecs, volumeSpecs,
                auth, List.of(), apiAddress, acls == null ? List.of() : acls,
                StorageConfig.defaults().withDriveSize(driveSize).withStartDegraded(startDegraded));
    }

    /** The host agent these flags ask for, or null with {@code --no-host}. */
    LocalHostAgent hostAgent() {
        return noHost ? null : new LocalHostAgent(hostPorts, LocalHostAgent.DEFAULT_WAIT);
    }

    @Override
    public Integer call() throws Exception {
        return NodeRunner.run(toConfig(), hostAgent(), spec.commandLine().getOut(), output);
    }
}
