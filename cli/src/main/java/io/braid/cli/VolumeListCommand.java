package io.braid.cli;

import io.braid.node.Sizes;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.VolumeView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid volume list}: one line per volume with its LUN, size, allocated space, identity and URL. */
@Command(name = "list", description = "List the volumes a running instance serves.")
final class VolumeListCommand implements Callable<Integer> {

    @Mixin
    InstanceOptions instance;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        List<VolumeView> volumes = instance.client().volumes();
        return output.print(ManagementApi.JSON, volumes, (out, unused) -> {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "LUN", "SIZE", "ALLOCATED", "MODE", "ID", "URL"});
            for (VolumeView v : volumes) {
                rows.add(new String[] {v.name(), String.valueOf(v.lun()), Sizes.format(v.sizeBytes()),
                        Sizes.format(v.allocatedBytes()),
                        v.readOnly() ? "ro" : "rw", v.id(),
                        v.urls().isEmpty() ? "-" : v.urls().get(0)});
            }
            table(out, rows);
        });
    }

    static void table(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }
}
