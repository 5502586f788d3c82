package io.braid.cli;

import io.braid.node.api.ManagementApi;
import io.braid.node.api.ScrubView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ApiClient client = instance.client();
        ScrubView s = action == Action.start ? client.startScrub() : client.scrub();
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.println(ManagementApi.JSON.writeValueAsString(s));
        } else if (s.state().equals("NEVER")) {
            out.println("no scrub since the node started (start one with: braid scrub start)");
        } else {
            out.println("scrub " + s.state() + ": " + s.pagesDone() + "/" + s.pagesTotal()
                    + " page copies, " + s.unitsChecked() + " units checked, " + s.repaired()
                    + " repaired, " + s.unrecoverable() + " unrecoverable");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
