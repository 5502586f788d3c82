package io.braid.cli;

import io.braid.node.api.ManagementApi;
import io.braid.node.api.StatusView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code braid status}: what a running instance is serving. */
@Command(name = "status", description = "Show the state of a running instance.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    InstanceOptions instance;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        ApiClient client = instance.client();
        StatusView s = client.status();
        return output.print(ManagementApi.JSON, s, (out, unused) -> {
            out.println("node:     " + s.node() + " (" + s.state() + ")");
            out.println("target:   " + s.targetIqn());
            out.println("portals:  " + s.portals().stream()
                    .map(p -> p.address() + " (tpgt " + p.tpgt() + ")")
                    .collect(Collectors.joining(", ")));
            out.println("volumes:  " + s.volumes());
            out.println("uptime:   " + uptime(s.uptimeSeconds()));
            out.println("api:      " + client.base());
        });
    }

    static String uptime(long seconds) {
        long d = seconds / 86400;
        long h = seconds / 3600 % 24;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        if (d > 0) {
            return d + "d " + h + "h " + m + "m";
        }
        if (h > 0) {
            return h + "h " + m + "m " + s + "s";
        }
        return m > 0 ? m + "m " + s + "s" : s + "s";
    }
}
