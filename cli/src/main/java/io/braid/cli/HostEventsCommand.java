package io.braid.cli;

import io.braid.host.api.EventView;
import io.braid.host.api.HostControlApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid host events}: the agent's recent path and device events. */
@Command(name = "events", description = "Show the host agent's recent path and device events (the last 1024).")
final class HostEventsCommand implements Callable<Integer> {

    @Mixin
    HostInstanceOptions instance;

    @Option(names = "--after", paramLabel = "N", defaultValue = "0",
            description = "Only events with a sequence number above N.")
    long after;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<EventView> events = instance.client().events(after);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.println(HostControlApi.JSON.writeValueAsString(events));
        } else {
            HostListing.events(out, events);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
