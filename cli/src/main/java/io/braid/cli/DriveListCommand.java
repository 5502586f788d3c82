package io.braid.cli;

import io.braid.node.Sizes;
import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid drive list}: state, capacity, use and rebuild progress of every drive. */
@Command(name = "list", description = "List the drives with state (ONLINE, FAILED, REBUILDING),"
        + " capacity, used space and rebuild progress.")
final class DriveListCommand implements Callable<Integer> {
    static final int BAR = 20;

    @Mixin
    InstanceOptions instance;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        List<DriveView> drives = instance.client().drives();
        return output.print(ManagementApi.JSON, drives, (out, unused) -> {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"DRIVE", "STATE", "CAPACITY", "USED", "REBUILD", "PATH"});
            for (DriveView d : drives) {
                rows.add(new String[] {d.name(), d.state(), Sizes.format(d.capacityBytes()),
                        Sizes.format(d.usedBytes()), rebuild(d), d.path()});
            }
            VolumeListCommand.table(out, rows);
            for (DriveView d : drives) {
                if (d.state().equals("FAILED") && !d.cause().isEmpty()) {
                    out.println(d.name() + ": " + d.cause());
                }
            }
        });
    }

    /** A progress bar while rebuilding: {@code [#########-----------]  45%}. */
    static String rebuild(DriveView d) {
        if (!d.state().equals("REBUILDING")) {
            return "-";
        }
        double f = Math.max(0, Math.min(1, d.rebuildProgress()));
        int done = (int) Math.floor(f * BAR);
        return "[" + "#".repeat(done) + "-".repeat(BAR - done) + "] "
                + String.format(java.util.Locale.ROOT, "%3d%%", (int) Math.floor(f * 100));
    }
}
