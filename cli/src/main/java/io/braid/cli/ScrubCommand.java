package io.braid.cli;

import io.braid.node.api.ManagementApi;
import io.braid.node.api.ScrubView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code braid scrub [start|status]}: verify every page copy in the background. */
@Command(name = "scrub", description = "Check every page copy against its checksums and repair bad"
        + " copies from their mirrors, in the background: start one, or show progress.")
final class ScrubCommand implements Callable<Integer> {
    enum Action { start, status }

    @Parameters(index = "0", paramLabel = "ACTION", defaultValue = "status",
            description = "start or status (default).")
    Action action;

    @Mixin
    InstanceOptions instance;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        ApiClient client = instance.client();
        ScrubView s = action == Action.start ? client.startScrub() : client.scrub();
        return output.print(ManagementApi.JSON, s, (out, unused) -> {
            if (s.state().equals("NEVER")) {
                out.println("no scrub since the node started (start one with: braid scrub start)");
            } else {
                out.println("scrub " + s.state() + ": " + s.pagesDone() + "/" + s.pagesTotal()
                        + " page copies, " + s.unitsChecked() + " units checked, " + s.repaired()
                        + " repaired, " + s.unrecoverable() + " unrecoverable");
            }
        });
    }
}
