package io.braid.cli;

import io.braid.host.HostRuntime;
import io.braid.host.api.ExportView;
import io.braid.node.NodeConfig;
import io.braid.node.StorageNode;
import io.braid.node.VolumeRecord;
import io.braid.node.api.ManagementApi;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a node in the foreground for {@code braid up} and {@code braid node run}: starts it (and,
 * for {@code braid up}, the host agent next to it), prints where its LUNs and exports are, and
 * stops both cleanly when the JVM is asked to exit (Ctrl-C, SIGTERM).
 */
final class NodeRunner {
    private NodeRunner() {
    }

    static int run(NodeConfig config, PrintWriter out, OutputFormat format)
            throws IOException, InterruptedException {
        return run(config, null, out, format);
    }

    /** @param host the agent to run next to the node, or null for the node alone */
    static int run(NodeConfig config, LocalHostAgent host, PrintWriter out, OutputFormat format)
            throws IOException, InterruptedException {
        StorageNode node = StorageNode.start(config);
        HostRuntime runtime;
        try {
            runtime = host == null ? null : host.start(node);
        } catch (IOException | RuntimeException | InterruptedException e) {
            node.close();
            throw e;
        }
        // The hook runs on SIGINT/SIGTERM: the agent lets its NBD clients finish and logs out,
        // then the node ends its sessions and flushes and closes the volumes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (runtime != null) {
                runtime.close();
            }
            node.close();
        }, "braid-shutdown"));
        if (format == OutputFormat.json) {
            out.println(ManagementApi.JSON.writeValueAsString(describe(node, runtime)));
        } else {
            node.announcements().forEach(out::println);
            if (runtime != null) {
                LocalHostAgent.announcements(runtime, node).forEach(out::println);
            }
        }
        out.flush();
        node.awaitStopped();
        return ExitCodes.OK;
    }

    private static Map<String, Object> describe(StorageNode node, HostRuntime runtime) {
        List<Map<String, Object>> luns = new ArrayList<>();
        for (VolumeRecord v : node.volumes()) {
            Map<String, Object> lun = new LinkedHashMap<>();
            lun.put("volume", v.name());
            lun.put("lun", v.lun());
            lun.put("id", v.id().toString());
            lun.put("sizeBytes", v.sizeBytes());
            lun.put("urls", node.urls(v.lun()));
            if (runtime != null) {
                lun.put("nbd", LocalHostAgent.export(runtime, v).map(ExportView::unixUri).orElse(null));
            }
            luns.add(lun);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node.config().name());
        m.put("targetIqn", node.targetIqn());
        m.put("portals", node.portals().stream().map(Object::toString).toList());
        m.put("api", node.apiUri().toString());
        if (runtime != null) {
            m.put("hostApi", runtime.controlApi().map(Object::toString).orElse(null));
            m.put("hostPorts", runtime.config().host().hostPorts().stream()
                    .map(a -> a.getHostAddress()).toList());
        }
        m.put("luns", luns);
        return m;
    }
}
