package io.braid.cli;

import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code braid drive replace DRIVE}: reinitialise a FAILED drive (or swap in a spare) and rebuild. */
@Command(name = "replace", description = "Replace a FAILED drive: swap in a configured spare, or"
        + " reformat the drive in place, then rebuild the second copy of every page on it"
        + " (watch it with: braid drive list).")
final class DriveReplaceCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DRIVE", description = "d0, d1, ...")
    String drive;

    @Mixin
    InstanceOptions instance;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DriveView d = instance.client().replaceDrive(drive);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.println(ManagementApi.JSON.writeValueAsString(d));
        } else {
            out.println("drive " + d.name() + " replaced by " + d.path() + " (" + d.id() + "); "
                    + d.state() + " " + DriveListCommand.rebuild(d));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
