package io.braid.cli;

import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code braid drive ...}: the drives of a running instance's page store. */
@Command(name = "drive", description = "Drives of a running instance (docs/storage.md).",
        subcommands = {DriveListCommand.class, DriveCommand.Fail.class, DriveCommand.Replace.class})
final class DriveCommand {

    /** {@code braid drive fail DRIVE}: fault injection, the drive is taken out as if it had failed. */
    @Command(name = "fail", description = "Fail a drive on purpose (fault injection): its pages are"
            + " served from their mirrors until it is replaced.")
    static final class Fail extends Action {
        @Override
        DriveView apply(ApiClient client) throws IOException {
            return client.failDrive(drive);
        }

        @Override
        String describe(DriveView d) {
            return "drive " + d.name() + " is " + d.state() + " (" + d.cause() + ")";
        }
    }

    /** {@code braid drive replace DRIVE}: reinitialise a FAILED drive (or swap in a spare) and rebuild. */
    @Command(name = "replace", description = "Replace a FAILED drive: swap in a configured spare, or"
            + " reformat the drive in place, then rebuild the second copy of every page on it"
            + " (watch it with: braid drive list).")
    static final class Replace extends Action {
        @Override
        DriveView apply(ApiClient client) throws IOException {
            return client.replaceDrive(drive);
        }

        @Override
        String describe(DriveView d) {
            return "drive " + d.name() + " replaced by " + d.path() + " (" + d.id() + "); "
                    + d.state() + " " + DriveListCommand.rebuild(d);
        }
    }

    /** A change to one drive, answered with the drive's new state. */
    abstract static class Action implements Callable<Integer> {
        @Parameters(paramLabel = "DRIVE", description = "d0, d1, ...")
        String drive;

        @Mixin
        InstanceOptions instance;

        @Mixin
        OutputOptions output;

        abstract DriveView apply(ApiClient client) throws IOException;

        abstract String describe(DriveView d);

        @Override
        public Integer call() throws Exception {
            DriveView d = apply(instance.client());
            return output.print(ManagementApi.JSON, d, (out, unused) -> out.println(describe(d)));
        }
    }
}
