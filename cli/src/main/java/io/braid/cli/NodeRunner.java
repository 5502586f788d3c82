package io.braid.cli;

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
 * Runs a node in the foreground for {@code braid up} and {@code braid node run}: starts it, prints
 * where its LUNs are, and stops it cleanly when the JVM is asked to exit (Ctrl-C, SIGTERM).
 */
final class NodeRunner {
    private NodeRunner() {
    }

    static int run(NodeConfig config, PrintWriter out, OutputFormat format)
            throws IOException, InterruptedException {
        StorageNode node = StorageNode.start(config);
        // The hook runs on SIGINT/SIGTERM: sessions end, volumes are flushed and closed.
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "braid-shutdown"));
        if (format == OutputFormat.json) {
            out.println(ManagementApi.JSON.writeValueAsString(describe(node)));
        } else {
            node.announcements().forEach(out::println);
        }
        out.flush();
        node.awaitStopped();
        return ExitCodes.OK;
    }

    private static Map<String, Object> describe(StorageNode node) {
        List<Map<String, Object>> luns = new ArrayList<>();
        for (VolumeRecord v : node.volumes()) {
            Map<String, Object> lun = new LinkedHashMap<>();
            lun.put("volume", v.name());
            lun.put("lun", v.lun());
            lun.put("id", v.id().toString());
            lun.put("sizeBytes", v.sizeBytes());
            lun.put("urls", node.urls(v.lun()));
            luns.add(lun);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node.config().name());
        m.put("targetIqn", node.targetIqn());
        m.put("portals", node.portals().stream().map(Object::toString).toList());
        m.put("api", node.apiUri().toString());
        m.put("luns", luns);
        return m;
    }
}
