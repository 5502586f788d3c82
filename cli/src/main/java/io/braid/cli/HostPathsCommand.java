package io.braid.cli;

import io.braid.host.api.DevicePathView;
import io.braid.host.api.HostControlApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid host paths}: one row per path (host port × storage port × target × LUN). */
@Command(name = "paths", description = "Show every path of the host agent: state, ALUA state, queue depth, latency.")
final class HostPathsCommand implements Callable<Integer> {

    @Mixin
    HostInstanceOptions instance;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        List<DevicePathView> paths = instance.client().paths();
        return output.print(HostControlApi.JSON, paths, (out, unused) -> {
            HostListing.paths(out, paths);
        });
    }
}
