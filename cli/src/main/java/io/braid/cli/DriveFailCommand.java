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

/** {@code braid drive fail DRIVE}: fault injection, the drive is taken out as if it had failed. */
@Command(name = "fail", description = "Fail a drive on purpose (fault injection): its pages are"
        + " served from their mirrors until it is replaced.")
final class DriveFailCommand implements Callable<Integer> {
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
        DriveView d = instance.client().failDrive(drive);
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.println(ManagementApi.JSON.writeValueAsString(d));
        } else {
            out.println("drive " + d.name() + " is " + d.state() + " (" + d.cause() + ")");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
