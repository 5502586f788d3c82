package io.braid.cli;

import io.braid.host.api.EventView;
import io.braid.host.api.HostControlApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        List<EventView> events = instance.client().events(after);
        return output.print(HostControlApi.JSON, events, (out, unused) -> {
            HostListing.events(out, events);
        });
    }
}
