package io.braid.cli;

import io.braid.host.AgentConfig;
import io.braid.host.HostConfigLoader;
import io.braid.host.HostRuntime;
import io.braid.host.api.ExportView;
import io.braid.host.api.HostControlApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code braid host run --config host.yaml}: runs the host agent in the foreground, prints one line
 * per NBD export ({@code NBD <name> nbd+unix:///<name>?socket=<path>}, then the TCP URI when TCP
 * is on), also for devices that appear later, and stops cleanly on Ctrl-C or SIGTERM.
 */
@Command(name = "run", description = {"Run the host agent described by host.yaml until Ctrl-C or SIGTERM.",
        "Prints one line per export: NBD <name> nbd+unix:///<name>?socket=<path> [nbd://HOST:PORT/<name>].",
        "See docs/host.md for the file format."})
final class HostRunCommand implements Callable<Integer> {
    /** Tests stop a running agent through this; the command itself never uses it. */
    static volatile Consumer<HostRuntime> startedHook = r -> { };

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "Host agent configuration (YAML).")
    Path config;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory for nbd.sock and the control files (overrides dataDir in the file).")
    Path data;

    @Option(names = "--nbd-tcp", paramLabel = "HOST:PORT",
            description = "Also serve NBD on this loopback address (overrides nbd.tcp in the file).")
    String nbdTcp;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json (one document with the exports at start).")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AgentConfig c = HostConfigLoader.loadAgent(config);
        if (data != null) {
            c = c.withDataDir(data.toAbsolutePath().normalize());
        }
        if (nbdTcp != null) {
            c = c.withNbdTcp(address(nbdTcp));
        }
        HostRuntime runtime = HostRuntime.start(c);
        // The hook runs on SIGINT/SIGTERM: NBD clients finish what is in flight, sessions log out.
        Thread hook = new Thread(runtime::close, "braid-host-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        Set<String> printed = new HashSet<>();
        Consumer<ExportView> print = e -> {
            synchronized (printed) {
                if (printed.add(e.name() + " " + e.deviceId())) {
                    out.println("NBD " + e.name() + " " + e.unixUri() + (e.tcpUri() == null ? "" : " " + e.tcpUri()));
                    out.flush();
                }
            }
        };
        if (output == OutputFormat.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("initiatorName", c.host().initiatorName());
            m.put("dataDir", c.dataDir().toString());
            m.put("api", runtime.controlApi().map(Object::toString).orElse(null));
            m.put("nbdSocket", runtime.nbd().unixSocket().map(Object::toString).orElse(null));
            m.put("exports", runtime.exports());
            out.println(HostControlApi.JSON.writeValueAsString(m));
            out.flush();
        } else {
            runtime.addExportListener(new HostRuntime.ExportListener() {
                @Override
                public void exportAdded(ExportView e) {
                    print.accept(e);
                }

                @Override
                public void exportRemoved(ExportView e) {
                    synchronized (printed) {
                        printed.remove(e.name() + " " + e.deviceId());
                        out.println("NBD " + e.name() + " removed");
                        out.flush();
                    }
                }
            });
            runtime.exports().forEach(print);
        }
        startedHook.accept(runtime);
        runtime.awaitStopped();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Shutting down: the hook is what stopped us.
        }
        return ExitCodes.OK;
    }

    private static InetSocketAddress address(String text) {
        try {
            return HostConfigLoader.loopback(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--nbd-tcp: " + e.getMessage());
        }
    }
}
