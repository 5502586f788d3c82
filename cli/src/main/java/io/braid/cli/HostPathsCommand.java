package io.braid.cli;

import io.braid.host.api.DevicePathView;
import io.braid.host.api.HostControlApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid host paths}: one row per path (host port × storage port × target × LUN). */
@Command(name = "paths", description = "Show every path of the host agent: state, ALUA state, queue depth, latency.")
final class HostPathsCommand implements Callable<Integer> {

    @Mixin
    HostInstanceOptions instance;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<DevicePathView> paths = instance.client().paths();
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.println(HostControlApi.JSON.writeValueAsString(paths));
        } else {
            HostListing.paths(out, paths);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
