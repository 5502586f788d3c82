package io.braid.cli;

import io.braid.host.AgentConfig;
import io.braid.host.Endpoint;
import io.braid.host.HostConfig;
import io.braid.host.HostRuntime;
import io.braid.host.api.ExportView;
import io.braid.host.iscsi.Authentication;
import io.braid.host.multipath.DeviceNaming;
import io.braid.iscsi.target.AuthConfig;
import io.braid.node.HostPort;
import io.braid.node.InitiatorAcl;
import io.braid.node.NodeConfig;
import io.braid.node.StorageNode;
import io.braid.node.VolumeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The host agent {@code braid up} runs next to its node (architecture.md "Host side"): sessions
 * from every host port to every portal of the node, one multipath device per volume, each
 * exported over NBD under the volume's name on {@code nbd.sock} in the node's data directory.
 *
 * @param hostPorts local addresses the sessions start from; each × each portal is one path
 * @param exportWait how long {@code braid up} waits for every volume's export before it goes on
 */
record LocalHostAgent(List<InetAddress> hostPorts, Duration exportWait) {
    private static final Logger log = LoggerFactory.getLogger(LocalHostAgent.class);
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    LocalHostAgent {
        hostPorts = List.copyOf(hostPorts);
    }

    /** The initiator name of the agent {@code braid up} runs for node {@code nodeName}. */
    static String initiatorName(String nodeName) {
        return "iqn.2026-11.io.braid:host." + nodeName;
    }

    /** The agent's configuration for {@code node}: its portals, its CHAP, export names by volume. */
    AgentConfig config(StorageNode node) {
        List<Endpoint> portals = new ArrayList<>();
        for (HostPort p : node.portals()) {
            HostPort reachable = p.isWildcard()
                    ? new HostPort(p.host().equals("::") ? "::1" : "127.0.0.1", p.port()) : p;
            portals.add(new Endpoint(reachable.host(), reachable.port()));
        }
        AuthConfig auth = node.config().auth();
        Authentication chap = auth.nodeChap() == null ? Authentication.NONE
                : new Authentication(auth.nodeChap(), auth.mutualChap());
        HostConfig host = HostConfig.of(initiatorName(node.config().name()), hostPorts, portals)
                .withAuth(chap);
        // The node knows each volume's name; the agent sees its UUID as the LUN serial (VPD 80h).
        Map<String, String> names = new LinkedHashMap<>();
        for (VolumeRecord v : node.volumes()) {
            names.put(serial(v), v.name());
        }
        return AgentConfig.of(host, node.dataDirectory()).withExportNames(names);
    }

    /**
     * Starts the agent and waits (at most {@link #exportWait}) until every volume it may see is
     * exported.
     */
    HostRuntime start(StorageNode node) throws IOException, InterruptedException {
        HostRuntime runtime = HostRuntime.start(config(node));
        List<VolumeRecord> visible = visible(node);
        if (visible.size() < node.volumes().size()) {
            log.info("host agent {}: LUN masking (--acl) shows it {} of {} volume(s); name it in --acl to"
                    + " export the others over NBD", initiatorName(node.config().name()), visible.size(),
                    node.volumes().size());
        }
        long deadline = System.nanoTime() + exportWait.toNanos();
        while (!missing(runtime, visible).isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        List<String> missing = missing(runtime, visible);
        if (!missing.isEmpty()) {
            log.warn("host agent: no NBD export yet for volume(s) {} after {} s; they are exported"
                    + " once a path to them works (braid host devices --data {})", missing,
                    exportWait.toSeconds(), node.dataDirectory());
        }
        return runtime;
    }

    /**
     * The lines {@code braid up} prints for the agent, in LUN order:
     * {@code NBD <volume> nbd+unix:///<volume>?socket=<path>}.
     */
    static List<String> announcements(HostRuntime runtime, StorageNode node) {
        List<String> lines = new ArrayList<>();
        for (VolumeRecord v : node.volumes()) {
            export(runtime, v).ifPresent(e -> lines.add("NBD " + v.name() + " " + e.unixUri()));
        }
        return lines;
    }

    static Optional<ExportView> export(HostRuntime runtime, VolumeRecord v) {
        return runtime.export(serial(v));
    }

    private static List<String> missing(HostRuntime runtime, List<VolumeRecord> volumes) {
        return volumes.stream().filter(v -> export(runtime, v).isEmpty()).map(VolumeRecord::name).toList();
    }

    /** The volumes the node's LUN masking lets the agent's initiator see: all without masking. */
    static List<VolumeRecord> visible(StorageNode node) {
        NodeConfig c = node.config();
        String self = initiatorName(c.name()).toLowerCase(Locale.ROOT);
        if (!c.allowedInitiators().isEmpty() && c.allowedInitiators().stream()
                .noneMatch(i -> i.equalsIgnoreCase(self))) {
            return List.of();
        }
        if (c.acls().isEmpty()) {
            return node.volumes();
        }
        Set<String> names = new HashSet<>();
        for (InitiatorAcl acl : c.acls()) {
            if (acl.key().equals(self)) {
                acl.volumes().forEach(m -> names.add(m.volume()));
            }
        }
        return node.volumes().stream().filter(v -> names.contains(v.name())).toList();
    }

    /** A Braid volume's VPD 80h serial: its UUID as 32 hex digits. */
    static String serial(VolumeRecord v) {
        return DeviceNaming.braidVolumeSerial(v.id());
    }

    /** {@code --host-port}: a literal local address, never a name to look up. */
    static final class Address implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            String v = value.startsWith("[") && value.endsWith("]")
                    ? value.substring(1, value.length() - 1) : value;
            boolean literal = v.matches("[0-9.]+") && v.chars().filter(c -> c == '.').count() == 3
                    || v.contains(":") && v.matches("[0-9A-Fa-f:.]+");
            if (!literal) {
                throw new TypeConversionException("\"" + value
                        + "\" is not an IP address (e.g. 127.0.0.1 or ::1)");
            }
            try {
                return InetAddress.getByName(v);
            } catch (UnknownHostException e) {
                throw new TypeConversionException("\"" + value + "\" is not an IP address"
                        + " (e.g. 127.0.0.1 or ::1)");
            }
        }
    }
}
